// Several connections per job: independent target folders are filled over
// up to --connections sessions at once (default 4), and the result is the
// same as over one.
#include <doctest/doctest.h>

#include <sstream>
#include <string>

#include "support/dovecot_server.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

using namespace mailferry::testing;

namespace {

// How many IMAP logins the server logged for `user`.
int logins_of(const DovecotServer& server, const std::string& user) {
  std::istringstream lines(server.log());
  int n = 0;
  for (std::string line; std::getline(lines, line);)
    if (line.find("imap-login: ") != std::string::npos &&
        line.find("Login: user=<" + user + ">") != std::string::npos)
      ++n;
  return n;
}

}  // namespace

TEST_CASE("connections: a folder tree goes over several connections, or one with --connections 1") {
  DovecotServer server;
  TempDir dir;
  const std::string tree =
      std::string(MAILFERRY_SOURCE_DIR) + "/examples/thunderbird/Local Folders";
  auto sync = [&](const std::string& user, std::vector<std::string> extra) {
    auto args =
        server.sync_args("mbox:" + tree, user, {"--state", dir.file(user + ".db"), "--quiet"});
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = run_mailferry(args, {{"MAILFERRY_CONNECTIONS", ""}});
    INFO(r.describe());
    CHECK(r.exit_code == 0);
  };
  sync("one", {"--connections", "1"});
  sync("many", {});
  CHECK(logins_of(server, "one") == 1);
  CHECK(logins_of(server, "many") > 1);
  CHECK(logins_of(server, "many") <= 4);
  for (const char* folder : {"INBOX", "Sent", "Drafts", "Archives/2019"})
    CHECK(server.message_count("one", folder) == server.message_count("many", folder));
  CHECK(server.message_count("many", "INBOX") == 3);

  auto bad = run_mailferry(
      {"sync", "--from", "mbox:" + tree, "--to", server.url("imaps", "x"), "--connections", "0"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("--connections") != std::string::npos);
}
