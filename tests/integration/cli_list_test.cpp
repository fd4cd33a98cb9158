// `mailferry list SOURCE --to URL` shows the plan sync would follow, with the
// folder-rule flags, and refuses what sync would refuse, before anything is
// written.
#include <doctest/doctest.h>

#include <sstream>

#include "support/dovecot_server.hpp"
#include "support/run_command.hpp"

using namespace mailferry::testing;

namespace {

std::string line_of(const std::string& output, const std::string& source) {
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(source + " ", 0) == 0) return line;
  return "";
}

}  // namespace

TEST_CASE(
    "cli list: the folder plan with --prefix, --exclude and --map, and what sync would refuse") {
  DovecotServer server;
  const std::string tree =
      "mbox:" + std::string(MAILFERRY_SOURCE_DIR) + "/examples/thunderbird/Local Folders";
  auto list = [&](std::vector<std::string> extra) {
    std::vector<std::string> args{"list",
                                  tree,
                                  "--to",
                                  server.url("imaps", "planner"),
                                  "--ca-file",
                                  server.ca_file(),
                                  "--to-password-file",
                                  server.password_file()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_mailferry(args);
  };

  const auto folders_before = server.mailboxes("planner");
  auto plain = list({});
  INFO(plain.describe() << plain.out);
  CHECK(plain.exit_code == 0);
  CHECK(line_of(plain.out, "Inbox").find("INBOX") != std::string::npos);
  CHECK(line_of(plain.out, "Inbox").find("exists") != std::string::npos);
  CHECK(line_of(plain.out, "Archives/2019").find("create") != std::string::npos);

  auto ruled = list({"--prefix", "Old", "--exclude", "Archives"});
  INFO(ruled.out);
  CHECK(ruled.exit_code == 0);
  CHECK(line_of(ruled.out, "Sent").find("Old/Sent") != std::string::npos);
  CHECK(line_of(ruled.out, "Archives/2019").empty());  // left out, with what is below it
  CHECK(ruled.out.find("left out") != std::string::npos);

  auto clash = list({"--map", "Sent=Common", "--map", "Drafts=Common"});
  CHECK(clash.exit_code == 2);
  CHECK(line_of(clash.out, "Sent").find("PROBLEM") != std::string::npos);
  CHECK(clash.err.find("\"Drafts\" and \"Sent\" would all go into \"Common\"") !=
        std::string::npos);
  auto merged = list({"--map", "Sent=Common", "--map", "Drafts=Common", "--merge"});
  CHECK(merged.exit_code == 0);

  // Nothing was written by any of it.
  CHECK(server.mailboxes("planner") == folders_before);
  auto bad = list({"--map", "nonsense"});
  CHECK(bad.exit_code == 2);
}
