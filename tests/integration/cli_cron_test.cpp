// A nightly cron line with --quiet: nothing at all on stdout and stderr when
// the job went well, so cron sends no mail; the error and the verdict when a
// message failed, with the exit status it always had.
#include <doctest/doctest.h>

#include <string>

#include "support/dovecot_server.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

using namespace mailferry::testing;

namespace {

std::string message(int n, std::size_t body_bytes) {
  std::string text = "From sender@example.org Mon Mar  4 10:00:0" + std::to_string(n) +
                     " 2024\nFrom: Sender <sender@example.org>\nSubject: Nightly " +
                     std::to_string(n) + "\nDate: Mon, 4 Mar 2024 10:00:0" + std::to_string(n) +
                     " +0000\nMessage-ID: <nightly-" + std::to_string(n) + "@example.org>\n\n";
  for (std::size_t i = 0; i < body_bytes; i += 64) text += std::string(63, 'x') + "\n";
  return text + "\n";
}

}  // namespace

TEST_CASE("cli cron: --quiet prints nothing when the job succeeds, the error when one fails") {
  DovecotShape shape;
  shape.max_mail_size = 20000;  // bigger APPENDs are refused: one message of the file fails
  DovecotServer server(shape);
  TempDir dir;
  const std::string small =
      "mbox:" + dir.write_file("small.mbox", message(1, 500) + message(2, 500));
  const std::string with_big =
      "mbox:" + dir.write_file("big.mbox", message(3, 500) + message(4, 40000));

  // stdin is /dev/null, as under cron.
  auto first = run_mailferry(server.sync_args(small, "nightly", {"--quiet"}));
  INFO(first.describe() << "\nstdout: " << first.out);
  CHECK(first.exit_code == 0);
  CHECK(first.out == "");
  CHECK(first.err == "");
  auto nothing_new = run_mailferry(server.sync_args(small, "nightly", {"--quiet"}));
  INFO(nothing_new.describe() << "\nstdout: " << nothing_new.out);
  CHECK(nothing_new.exit_code == 0);
  CHECK(nothing_new.out == "");
  CHECK(nothing_new.err == "");

  auto failed = run_mailferry(server.sync_args(with_big, "nightly", {"--quiet"}));
  INFO(failed.describe() << "\nstdout: " << failed.out);
  CHECK(failed.exit_code == 1);
  CHECK(failed.err.find("mailferry: error: ") == 0);
  CHECK(failed.err.find("message 2") != std::string::npos);  // where: the big one
  CHECK(failed.out.find("1 message failed of 2") != std::string::npos);

  // Without --quiet the same successful run still says its verdict.
  auto plain = run_mailferry(server.sync_args(small, "nightly", {}));
  CHECK(plain.exit_code == 0);
  CHECK(plain.out.find("all 2 messages of 1 folder are on the server") != std::string::npos);
}
