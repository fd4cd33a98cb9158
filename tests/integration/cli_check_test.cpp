// `mailferry check` from the binary against Dovecot: a line per folder with a
// sigil (= all there, + something missing, * flags lacking), a line per
// message that is not right, --missing-only, and the exit codes.
#include <doctest/doctest.h>

#include <sstream>

#include "support/dovecot_server.hpp"
#include "support/run_command.hpp"

using namespace mailferry::testing;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool has_line(const std::string& text, const std::string& line) {
  for (const auto& l : lines_of(text))
    if (l == line) return true;
  return false;
}

}  // namespace

TEST_CASE("cli check: per-folder and per-message sigil lines, --missing-only, exit codes") {
  DovecotServer server;
  const std::string tree =
      "mbox:" + std::string(MAILFERRY_SOURCE_DIR) + "/examples/thunderbird/Local Folders";
  const std::vector<std::string> target{
      "--to",           server.url("imaps", "checker"), "--ca-file",
      server.ca_file(), "--to-password-file",           server.password_file()};
  auto run = [&](std::vector<std::string> args) {
    args.push_back("--from");
    args.push_back(tree);
    args.insert(args.end(), target.begin(), target.end());
    return run_mailferry(args);
  };

  auto before = run({"check"});
  INFO(before.describe() << "\n" << before.out);
  CHECK(before.exit_code == 1);
  CHECK(has_line(before.out, "+ INBOX (from Inbox): 3 messages, 0 present, 3 missing"));
  CHECK(before.out.find("8 messages are missing on the server (0 of 8 present)") !=
        std::string::npos);

  auto sync = run({"sync", "--quiet"});
  REQUIRE(sync.exit_code == 0);

  auto complete = run({"check"});
  INFO(complete.out);
  CHECK(complete.exit_code == 0);
  CHECK(has_line(complete.out, "= INBOX (from Inbox): 3 messages, all present"));
  CHECK(has_line(complete.out, "= Sent: 2 messages, all present"));
  CHECK(has_line(complete.out, "= Archives/2019: 2 messages, all present"));
  CHECK(has_line(complete.out, "all 8 messages of 5 folders are on the server"));
  for (const auto& line : lines_of(complete.out)) CHECK(line.rfind("+", 0) != 0);

  // The server loses a flag in INBOX and a message in Sent.
  server.doveadm({"flags", "remove", "-u", "checker", "\\Flagged", "mailbox", "INBOX", "ALL"});
  server.doveadm({"expunge", "-u", "checker", "mailbox", "Sent", "uid", "1"});

  auto damaged = run({"check"});
  INFO(damaged.out);
  CHECK(damaged.exit_code == 1);
  CHECK(has_line(damaged.out, "* INBOX (from Inbox): 3 messages, 3 present, 1 lacking flags"));
  CHECK(has_line(damaged.out, "+ Sent: 2 messages, 1 present, 1 missing"));
  CHECK(has_line(damaged.out, "= Drafts: 1 message, all present"));
  int star_messages = 0, plus_messages = 0;
  for (const auto& line : lines_of(damaged.out)) {
    if (line.rfind("* INBOX message ", 0) == 0) {
      ++star_messages;
      CHECK(line.find("lacks \\Flagged") != std::string::npos);
    }
    plus_messages += line.rfind("+ Sent message ", 0) == 0;
  }
  CHECK(star_messages == 1);
  CHECK(plus_messages == 1);
  CHECK(damaged.out.find("1 message is missing on the server (7 of 8 present)") !=
        std::string::npos);

  auto missing_only = run({"check", "--missing-only"});
  CHECK(missing_only.exit_code == 1);
  auto lines = lines_of(missing_only.out);
  REQUIRE(lines.size() == 2);  // the missing message, then the verdict
  // The message by its place, Message-ID, date, sender and subject: what a
  // person finds it by in a mail client.
  CHECK(lines[0] ==
        "+ Sent message 1 <7d1f9c3a-2b44-4e0f-9c1d-5e6a7b8c9d01@example.com> 2019-04-02 from "
        "Velo Works \"Re: Repair status for order 1042\"");
  CHECK(lines[1].find("missing on the server") != std::string::npos);

  auto quiet = run({"check", "--quiet"});
  CHECK(quiet.exit_code == 1);
  CHECK(lines_of(quiet.out).size() == 1);  // the verdict only
}
