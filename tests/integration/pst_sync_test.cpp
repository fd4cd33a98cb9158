// End to end: the mailferry binary migrates the corpus PST files into a real
// Dovecot; an independent IMAP client (Python's imaplib) checks that every
// mail arrived once, byte for byte as PstSource builds it, with its flags and
// INTERNALDATE; Sent items land in the server's Sent folder; a second run
// uploads nothing; --only-role sent touches only Sent; CJK subjects and
// attachment names read back decoded from the server's copy.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "../unit/pst_test_support.hpp"
#include "mailferry/source/pst_source.hpp"
#include "mailferry/sync/differ.hpp"
#include "support/dovecot_server.hpp"
#include "support/imap_snapshot.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

using namespace mailferry;
using namespace mailferry::testing;
using mailferry::pst_test::corpus;

namespace {

struct Expected {
  std::set<std::string> flags;
  std::int64_t epoch = 0;
  std::string folder;  // source folder, for messages
  std::string bytes;
};

// sha256 -> what the server must hold, for the distinct messages (one key and
// size per folder) of the folders selected by `want`.
std::multimap<std::string, Expected> expected_messages(
    const std::string& file, bool (*want)(const source::SourceFolder&) = nullptr) {
  source::PstSource src(corpus(file), pst_test::corpus_options(file));
  std::multimap<std::string, Expected> out;
  for (const source::SourceFolder& f : src.folders()) {
    if (want && !want(f)) continue;
    pst_test::Sink sink;
    src.scan(f, sink);
    REQUIRE(sink.errors.empty());
    sync::DiffPolicy dovecot;
    dovecot.keywords_allowed = true;
    dovecot.drafts_folder = f.role == core::Role::Drafts;
    std::set<std::pair<core::MessageKey, std::uint64_t>> seen;
    for (const auto& m : sink.messages) {
      if (!seen.insert({m.key, m.size}).second) continue;
      Expected e;
      e.bytes = pst_test::read_all(*src.open(f, m));
      REQUIRE(e.bytes.size() == m.size);
      e.flags = flag_names(sync::wanted_flags(m, dovecot));
      e.epoch = m.internal_date.utc;
      e.folder = f.display_name();
      out.emplace(sha256_hex(e.bytes), std::move(e));
    }
  }
  return out;
}

bool sent_only(const source::SourceFolder& f) { return f.role == core::Role::Sent; }

CommandResult sync_pst(const DovecotServer& server, const std::string& user,
                       const std::string& file, std::vector<std::string> extra = {}) {
  return run_mailferry(server.sync_args("pst:" + corpus(file), user, extra));
}

nlohmann::json totals(const std::string& report_path) {
  return nlohmann::json::parse(read_file(report_path))["totals"];
}

// The server holds exactly the expected messages (over all folders).
void check_server(const std::map<std::string, std::vector<ServerMessage>>& snapshot,
                  const std::multimap<std::string, Expected>& expected) {
  std::map<std::string, int> copies;
  std::size_t total = 0;
  for (const auto& [folder, messages] : snapshot)
    for (const ServerMessage& m : messages) {
      ++copies[m.sha256];
      ++total;
      auto it = expected.find(m.sha256);
      if (it == expected.end()) {
        FAIL_CHECK("the server's " << folder << " holds a message not in the source, uid "
                                   << m.uid);
        continue;
      }
      INFO("source folder " << it->second.folder << ", server folder " << folder);
      std::set<std::string> flags = m.flags;
      flags.erase("\\Recent");
      CHECK(flags == it->second.flags);
      CHECK(m.epoch == it->second.epoch);
      CHECK(m.size == it->second.bytes.size());
    }
  CHECK(total == expected.size());
  for (const auto& [sha, e] : expected) CHECK(copies[sha] == static_cast<int>(expected.count(sha)));
}

}  // namespace

TEST_CASE("pst sync: every mail of the corpus lands once, with its flags and dates") {
  DovecotServer server;
  TempDir dir;
  int index = 0;
  for (const std::string& file : pst_test::corpus_files()) {
    INFO(file);
    const auto expected = expected_messages(file);
    const std::string user = "pst" + std::to_string(++index);
    const std::string report = dir.file(user + ".json");
    std::vector<std::string> extra{"--report", report};
    if (pst_test::password_protected(file)) extra.push_back("--ignore-pst-password");
    // Some corpus files hold contacts or calendars only: an empty source
    // stops a run unless it is expected.
    if (expected.empty()) extra.push_back("--allow-empty");
    auto result = sync_pst(server, user, file, extra);
    INFO(result.describe());
    REQUIRE(result.exit_code == 0);
    CHECK(totals(report)["appended"].get<std::size_t>() == expected.size());
    auto snapshot = imap_snapshot(server, user);
    check_server(snapshot, expected);

    if (file == "Test_part1.pst") {
      // Its calendar and contacts are counted in the report, not uploaded.
      const auto notes = nlohmann::json::parse(read_file(report))["jobs"][0]["notes"];
      CHECK(std::any_of(notes.begin(), notes.end(), [](const nlohmann::json& n) {
        return n.get<std::string>().rfind("30 non-mail items", 0) == 0;
      }));
    }
    if (file == "Test_part1.pst" || file == "enron.pst") {
      // The Sent items are in the server's own Sent folder, nowhere else.
      const auto sent = expected_messages(file, sent_only);
      REQUIRE_FALSE(sent.empty());
      CHECK(snapshot["Sent"].size() == sent.size());
      for (const ServerMessage& m : snapshot["Sent"]) CHECK(sent.count(m.sha256) == 1);
      CHECK(snapshot.count("Sent Items") == 0);
    }
  }
}

TEST_CASE("pst sync: --only-role sent recovers just the Sent items, a second run uploads 0") {
  DovecotServer server;
  TempDir dir;
  const std::string user = "helpdesk";
  const auto sent = expected_messages("enron.pst", sent_only);
  REQUIRE(sent.size() == 2);

  auto dry = sync_pst(server, user, "enron.pst",
                      {"--only-role", "sent", "--dry-run", "--report", dir.file("dry.json")});
  INFO(dry.describe());
  REQUIRE(dry.exit_code == 0);
  CHECK(totals(dir.file("dry.json"))["appended"].get<std::size_t>() == 2);
  CHECK(server.message_count(user, "Sent") == 0);

  auto first = sync_pst(server, user, "enron.pst",
                        {"--only-role", "sent", "--report", dir.file("first.json")});
  INFO(first.describe());
  REQUIRE(first.exit_code == 0);
  CHECK(totals(dir.file("first.json"))["appended"].get<std::size_t>() == 2);
  auto snapshot = imap_snapshot(server, user);
  check_server(snapshot, sent);  // nothing anywhere else
  std::set<std::string> folders;
  for (const auto& [name, messages] : snapshot) folders.insert(name);
  CHECK(folders == std::set<std::string>{"INBOX", "Drafts", "Sent", "Trash", "Junk"});

  auto second = sync_pst(server, user, "enron.pst",
                         {"--only-role", "sent", "--report", dir.file("second.json")});
  REQUIRE(second.exit_code == 0);
  auto t = totals(dir.file("second.json"));
  CHECK(t["appended"].get<int>() == 0);
  CHECK(t["present"].get<int>() == 2);

  // The whole file, twice: the second run finds everything present.
  REQUIRE(sync_pst(server, user, "Test_part1.pst", {"--report", dir.file("all1.json")}).exit_code ==
          0);
  auto again = sync_pst(server, user, "Test_part1.pst", {"--report", dir.file("all2.json")});
  REQUIRE(again.exit_code == 0);
  CHECK(totals(dir.file("all1.json"))["appended"].get<int>() > 0);
  CHECK(totals(dir.file("all2.json"))["appended"].get<int>() == 0);
}

TEST_CASE("pst sync: CJK subjects and attachment names read back decoded from the server") {
  DovecotServer server;
  const std::string user = "cjk";
  for (const char* file : {"Hello CJK.pst", "unicodeAttachmentFilename.pst"}) {
    auto result = sync_pst(server, user, file);
    INFO(result.describe());
    REQUIRE(result.exit_code == 0);
  }
  // The server's copies, by sha256 (the snapshot client fetched BODY[]) ...
  auto snapshot = imap_snapshot(server, user);
  std::set<std::string> on_server;
  for (const auto& [folder, messages] : snapshot)
    for (const ServerMessage& m : messages) on_server.insert(m.sha256);
  // ... are the bytes whose decoded values are checked here.
  std::set<std::string> subjects, names;
  for (const char* file : {"Hello CJK.pst", "unicodeAttachmentFilename.pst"}) {
    for (const auto& [sha, e] : expected_messages(file)) {
      REQUIRE(on_server.count(sha) == 1);
      auto parsed = pst_test::parse(e.bytes);
      REQUIRE(parsed);
      subjects.insert(pst_test::subject(parsed.get()));
      for (const auto& leaf : pst_test::leaves(parsed.get()))
        if (!leaf.filename.empty()) names.insert(leaf.filename);
    }
  }
  CHECK(subjects.count("Hello +CJK"));
  CHECK(names.count("C 你好.png"));
  CHECK(names.count("J こんにちは.png"));
  CHECK(names.count("K 안녕하세요.png"));
  CHECK(names.count("疑問 Help を 意味する記号.png"));
  // And straight from the server: the subject as Dovecot itself decodes it.
  std::string fetched = server.doveadm(
      std::vector<std::string>{"-u", user, "fetch", "hdr.subject.utf8", "mailbox", "Hello CJK"});
  CHECK(fetched.find("Hello +CJK") != std::string::npos);
}
