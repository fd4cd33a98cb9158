// Several connections per job: independent target folders are filled over
// up to --connections sessions at once (default 4), and the result is the
// same as over one. The extra connections open only when there is mail to
// upload: a re-run that finds nothing new logs in once. From an IMAP source
// the default is one.
#include <doctest/doctest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "crash_support.hpp"
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

TEST_CASE(
    "connections: a folder tree goes over several connections, or one with --connections 1, and "
    "a re-run with nothing new logs in once") {
  DovecotServer server;
  TempDir dir;
  // Four folders of 300 messages: enough work for the other connections to
  // join while the first uploads.
  const std::string tree = dir.file("tree");
  std::filesystem::create_directories(tree);
  const std::string excerpt = crash::mbox_excerpt(
      std::string(MAILFERRY_CORPUS_DIR) + "/mbox/linux-samsung-soc-2020-2000msgs.mboxrd", 300, dir,
      "excerpt.mbox");
  for (const char* folder : {"Inbox", "Sent", "Lists", "Archive"})
    std::filesystem::copy_file(excerpt, tree + "/" + folder);
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
  const int first_run = logins_of(server, "many");
  CHECK(first_run > 1);
  CHECK(first_run <= 4);
  for (const char* folder : {"INBOX", "Sent", "Lists", "Archive"}) {
    CHECK(server.message_count("one", folder) == server.message_count("many", folder));
    CHECK(server.message_count("many", folder) > 290);
  }

  sync("many", {});
  CHECK(logins_of(server, "many") == first_run + 1);

  // From an IMAP account (the four folders of "many"), which is read over
  // one connection: one to the target as well, unless asked for more.
  for (const auto& [user, extra] : std::vector<std::pair<std::string, std::vector<std::string>>>{
           {"fromimap", {}}, {"fromimap4", {"--connections", "4"}}}) {
    auto args = server.sync_args(server.url("imaps", "many"), user,
                                 {"--from-password-file", server.password_file(), "--state",
                                  dir.file(user + ".db"), "--quiet"});
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = run_mailferry(args, {{"MAILFERRY_CONNECTIONS", ""}});
    INFO(r.describe());
    CHECK(r.exit_code == 0);
    CHECK(server.message_count(user, "Archive") == server.message_count("many", "Archive"));
  }
  CHECK(logins_of(server, "fromimap") == 1);
  CHECK(logins_of(server, "fromimap4") > 1);

  auto bad = run_mailferry(
      {"sync", "--from", "mbox:" + tree, "--to", server.url("imaps", "x"), "--connections", "0"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("--connections") != std::string::npos);
}
