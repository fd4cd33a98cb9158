// --max-bytes-per-second and --max-messages-per-second from the binary: the
// upload takes at least as long as the limits demand, and arrives complete.
// (Only lower bounds on time: a slow machine can make a run longer, never
// shorter. The exact pacing is tested on a made-up clock in throttle_test.)
#include <doctest/doctest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "support/dovecot_server.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

using namespace mailferry::testing;
using Clock = std::chrono::steady_clock;

TEST_CASE("cli throttle: uploads are paced by bytes and by messages, from flags and job keys") {
  DovecotServer server;
  TempDir dir;
  const std::string big =
      std::string(MAILFERRY_CORPUS_DIR) + "/mbox/content-length.mbox.txt";  // 29 messages
  auto timed = [&](std::vector<std::string> args) {
    const auto start = Clock::now();
    auto result = run_mailferry(args);
    return std::make_pair(result, std::chrono::duration<double>(Clock::now() - start).count());
  };
  const std::vector<std::string> target{"--ca-file", server.ca_file(), "--to-password-file",
                                        server.password_file()};
  auto with_target = [&](std::vector<std::string> args, const std::string& user) {
    args.push_back("--to");
    args.push_back(server.url("imaps", user));
    args.insert(args.end(), target.begin(), target.end());
    return args;
  };

  // About 900 KiB at 300 KiB/s, the first second's worth at once: at least 2 s.
  auto [bytes, bytes_seconds] = timed(
      with_target({"sync", "--quiet", "--max-bytes-per-second", "300K", "--from", "mbox:" + big},
                  "paced-bytes"));
  INFO(bytes.describe());
  CHECK(bytes.exit_code == 0);
  CHECK(bytes_seconds >= 1.9);
  CHECK(server.message_count("paced-bytes", "INBOX") == 29);

  // 29 messages at 20 per second: the first at once, the last after 1.4 s.
  auto [messages, message_seconds] = timed(
      with_target({"sync", "--quiet", "--max-messages-per-second", "20", "--from", "mbox:" + big},
                  "paced-messages"));
  CHECK(messages.exit_code == 0);
  CHECK(message_seconds >= 1.35);
  CHECK(server.message_count("paced-messages", "INBOX") == 29);

  // The same limit as a job-file key.
  nlohmann::json job{{"jobs",
                      {{{"name", "paced"},
                        {"from", "mbox:" + big},
                        {"to",
                         {{"url", server.url("imaps", "paced-job")},
                          {"password_file", server.password_file()},
                          {"ca_file", server.ca_file()}}},
                        {"max_messages_per_second", 20}}}}};
  auto [keyed, keyed_seconds] =
      timed({"sync", "--quiet", dir.write_file("paced.json", job.dump())});
  INFO(keyed.describe());
  CHECK(keyed.exit_code == 0);
  CHECK(keyed_seconds >= 1.35);
  CHECK(server.message_count("paced-job", "INBOX") == 29);

  auto bad = run_mailferry({"sync", "--max-bytes-per-second", "lots", "--from", "mbox:" + big,
                            "--to", server.url("imaps", "x")});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("--max-bytes-per-second") != std::string::npos);
}
