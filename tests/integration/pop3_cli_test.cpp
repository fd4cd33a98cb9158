// POP3 to IMAP from the command line, as the README shows it: the first run
// migrates everything, later runs (cron) move only what is new, and
// --delete-after-copy removes from POP3 exactly what is on the IMAP server.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/dovecot_server.hpp"
#include "support/imap_snapshot.hpp"
#include "support/mail_text.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

using namespace mailferry::testing;
namespace fs = std::filesystem;

namespace {

// A few real messages from the corpus, each with a distinct Message-ID.
std::vector<std::string> corpus_messages() {
  std::vector<std::string> out;
  for (const char* name : {"msg-1-1.eml", "msg-1-2.eml", "nodemailer.eml", "legacy-006.eml",
                           "openbmc-2e8e12cde9bf.eml", "openbmc-6c29286b131b.eml",
                           "git-ml-20220504124121.12683-1.eml", "testThunderbirdEml.eml"})
    out.push_back(to_crlf(read_file(std::string(MAILFERRY_CORPUS_DIR) + "/eml/" + name)));
  return out;
}

struct Pop3Job {
  const DovecotServer& server;
  std::string pop_user, imap_user, state;

  CommandResult run(std::vector<std::string> extra, const std::string& report) const {
    std::vector<std::string> args{"sync",
                                  "--from",
                                  server.url("pop3s", pop_user),
                                  "--from-password-file",
                                  server.password_file(),
                                  "--to",
                                  server.url("imaps", imap_user),
                                  "--to-password-file",
                                  server.password_file(),
                                  "--ca-file",
                                  server.ca_file(),
                                  "--state",
                                  state,
                                  "--report",
                                  report};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_mailferry(args);
  }
};

nlohmann::json totals(const std::string& report) {
  return nlohmann::json::parse(read_file(report))["totals"];
}

}  // namespace

TEST_CASE("pop3 cli: migrate, then nightly runs move only what is new") {
  DovecotServer server;
  TempDir dir;
  const auto messages = corpus_messages();
  for (size_t i = 0; i < 6; ++i) server.save_message("popper", "INBOX", messages[i]);
  Pop3Job job{server, "popper", "imapper", dir.file("state.db")};

  auto first = job.run({}, dir.file("1.json"));
  INFO(first.describe());
  REQUIRE(first.exit_code == 0);
  CHECK(totals(dir.file("1.json"))["appended"] == 6);
  auto inbox = imap_snapshot(server, "imapper")["INBOX"];
  REQUIRE(inbox.size() == 6);
  std::set<std::string> expected;
  for (size_t i = 0; i < 6; ++i) expected.insert(sha256_hex(messages[i]));
  for (const auto& m : inbox) {
    CHECK(expected.count(m.sha256) == 1);  // byte for byte as the POP3 server holds it
    CHECK(m.flags.count("\\Seen") == 1);   // POP3 mail arrives as read by default
  }

  auto second = job.run({}, dir.file("2.json"));
  REQUIRE(second.exit_code == 0);
  CHECK(totals(dir.file("2.json"))["appended"] == 0);
  CHECK(totals(dir.file("2.json"))["present"] == 6);

  // New mail between nightly runs is the only thing moved.
  server.save_message("popper", "INBOX", messages[6]);
  auto third = job.run({}, dir.file("3.json"));
  REQUIRE(third.exit_code == 0);
  CHECK(totals(dir.file("3.json"))["appended"] == 1);
  CHECK(server.message_count("imapper", "INBOX") == 7);

  // Losing the state costs time, never a duplicate.
  fs::remove(job.state);
  auto fresh = job.run({}, dir.file("4.json"));
  REQUIRE(fresh.exit_code == 0);
  CHECK(totals(dir.file("4.json"))["appended"] == 0);
  CHECK(server.message_count("imapper", "INBOX") == 7);
}

TEST_CASE(
    "pop3 cli: --delete-after-copy removes exactly what is confirmed, --unread keeps mail unread") {
  DovecotServer server;
  TempDir dir;
  const auto messages = corpus_messages();
  for (size_t i = 0; i < 4; ++i) server.save_message("popdel", "INBOX", messages[i]);
  Pop3Job job{server, "popdel", "imapdel", dir.file("state.db")};

  auto dry = job.run({"--delete-after-copy", "--dry-run"}, dir.file("dry.json"));
  INFO(dry.describe());
  REQUIRE(dry.exit_code == 0);
  CHECK(server.message_count("popdel", "INBOX") == 4);  // a dry run deletes nothing
  CHECK(server.message_count("imapdel", "INBOX") == 0);
  // ... and names each message it would delete, the step that cannot be undone.
  CHECK(totals(dir.file("dry.json"))["deleted_from_source"] == 4);
  std::size_t named = 0;
  std::istringstream lines(dry.out);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("- INBOX message ", 0) == 0 &&
        line.find("would be deleted from the source") != std::string::npos) {
      CHECK(line.find('@') != std::string::npos);       // by its Message-ID
      CHECK(line.find(" from ") != std::string::npos);  // and its sender, from the POP3 headers
      ++named;
    }
  CHECK(named == 4);
  CHECK(dry.out.find("4 to delete from the source") != std::string::npos);

  auto run = job.run({"--delete-after-copy", "--unread"}, dir.file("del.json"));
  INFO(run.describe());
  REQUIRE(run.exit_code == 0);
  auto t = totals(dir.file("del.json"));
  CHECK(t["appended"] == 4);
  CHECK(t["deleted_from_source"] == 4);
  CHECK(server.message_count("popdel", "INBOX") == 0);
  auto inbox = imap_snapshot(server, "imapdel")["INBOX"];
  REQUIRE(inbox.size() == 4);
  for (const auto& m : inbox) CHECK(m.flags.count("\\Seen") == 0);

  // --keep-days keeps what is recent: the corpus mail is years old, a fresh
  // message (Received now) stays on the POP3 server.
  server.save_message("popdel", "INBOX", messages[4]);
  auto keep = job.run({"--delete-after-copy", "--keep-days", "100000"}, dir.file("keep.json"));
  REQUIRE(keep.exit_code == 0);
  CHECK(totals(dir.file("keep.json"))["deleted_from_source"] == 0);
  CHECK(server.message_count("popdel", "INBOX") == 1);
  CHECK(server.message_count("imapdel", "INBOX") == 5);
}

TEST_CASE("pop3 cli: a wrong POP3 password is exit code 3 and nothing moves") {
  DovecotServer server;
  TempDir dir;
  server.save_message("popwrong", "INBOX", corpus_messages()[0]);
  const std::string wrong = dir.write_file("wrong", "nope\n");
  auto result =
      run_mailferry({"sync", "--from", server.url("pop3s", "popwrong"), "--from-password-file",
                     wrong, "--to", server.url("imaps", "imapwrong"), "--to-password-file",
                     server.password_file(), "--ca-file", server.ca_file()});
  CHECK(result.exit_code == 3);
  CHECK(result.err.find("popwrong") != std::string::npos);
  CHECK(server.message_count("popwrong", "INBOX") == 1);
  CHECK(server.message_count("imapwrong", "INBOX") == 0);
}
