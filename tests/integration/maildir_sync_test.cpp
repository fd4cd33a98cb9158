// End to end: Maildir trees written by Dovecot itself (doveadm import, in the
// Maildir++ and the fs layout) migrated by the mailferry binary into a real
// Dovecot, checked with an independent IMAP client (tests/tools/imap_snapshot.py)
// against what the files say, read here without mailferry's Maildir code:
// every message once, byte for byte (LF turned into CRLF), with the flags of
// its file name and its file's modification time as INTERNALDATE; a re-run
// adds nothing; mail delivered to new/ meanwhile arrives on the next run; a
// damaged file is named in an error and the rest arrive.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "support/dovecot_maildir.hpp"
#include "support/dovecot_server.hpp"
#include "support/imap_snapshot.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace mailferry::testing;

namespace {

struct Expected {
  std::set<std::string> flags;
  std::int64_t epoch = 0;
};

std::string numbered_message(int n, const std::string& subject) {
  return "From: sender" + std::to_string(n) +
         "@example.com\nTo: you@example.com\nSubject: " + subject + "\nDate: Mon, 4 Mar 2019 10:0" +
         std::to_string(n % 10) + ":00 +0000\nMessage-ID: <m" + std::to_string(n) +
         "@example.com>\n\nBody " + std::to_string(n) + "\nsecond line\n";
}

// A small mailbox with every kind of flag Dovecot writes into a name.
std::vector<MboxInput> sample_mailbox() {
  return {
      {"INBOX", "Mon Mar  4 10:00:00 2019", "RO", "AF", numbered_message(1, "answered")},
      {"INBOX", "Tue Apr  2 11:00:00 2019", "", "", numbered_message(2, "unread")},
      {"INBOX", "Wed Apr  3 11:00:00 2019", "RO", "T", numbered_message(3, "draft")},
      {"Sent", "Wed May  1 12:00:00 2019", "RO", "", numbered_message(4, "sent")},
      {"Archive/2019", "Thu Jun  6 13:00:00 2019", "RO", "D", numbered_message(5, "trashed")},
      {"Archive/2019", "Sun Jul  7 14:00:00 2019", "RO", "", numbered_message(6, "archived")},
  };
}

fs::path make_tree(const DovecotServer& server, const TempDir& dir, bool fs_layout) {
  const fs::path tree =
      import_into_maildir(server, "writer", dir.path() / "Maildir", fs_layout, sample_mailbox());
  doveadm_on_maildir(server, "writer", tree, fs_layout,
                     {"flags", "add", "$Forwarded", "mailbox", "Sent", "all"});
  return tree;
}

// The target folder each Maildir folder goes to, by the layout's own naming.
std::string target_folder(const fs::path& tree, const fs::path& folder_dir, bool fs_layout) {
  if (folder_dir == tree) return "INBOX";
  std::string name = fs::relative(folder_dir, tree).string();
  if (!fs_layout) {
    name.erase(0, 1);  // ".Archive.2019" -> "Archive/2019"
    for (char& c : name)
      if (c == '.') c = '/';
  }
  return name;
}

// What the server must hold, read from the files: folder -> sha256 -> expected.
std::map<std::string, std::map<std::string, Expected>> expected_from_files(const fs::path& tree,
                                                                           bool fs_layout) {
  std::map<std::string, std::map<std::string, Expected>> out;
  for (const auto& entry : fs::recursive_directory_iterator(tree)) {
    const fs::path sub = entry.path().parent_path();
    const std::string sub_name = sub.filename().string();
    if (!entry.is_regular_file() || (sub_name != "cur" && sub_name != "new")) continue;
    const std::string name = entry.path().filename().string();
    Expected e;
    const auto info = name.find(":2,");
    if (info != std::string::npos && sub_name == "cur") {
      for (char c : name.substr(info + 3)) {
        if (c == 'S') e.flags.insert("\\Seen");
        if (c == 'R') e.flags.insert("\\Answered");
        if (c == 'F') e.flags.insert("\\Flagged");
        if (c == 'D') e.flags.insert("\\Draft");
        if (c == 'P') e.flags.insert("$Forwarded");
        if (c == 'a') e.flags.insert("$Forwarded");  // the only keyword these trees have
      }
    }
    struct stat st {};
    REQUIRE(::stat(entry.path().c_str(), &st) == 0);
    e.epoch = st.st_mtime;
    out[target_folder(tree, sub.parent_path(), fs_layout)]
       [sha256_hex(maildir_file_upload_bytes(entry.path()))] = e;
  }
  return out;
}

void check_server_holds(const std::map<std::string, std::vector<ServerMessage>>& snapshot,
                        const std::map<std::string, std::map<std::string, Expected>>& expected) {
  for (const auto& [folder, messages] : expected) {
    INFO("folder " << folder);
    REQUIRE(snapshot.count(folder) == 1);
    const auto& held = snapshot.at(folder);
    CHECK(held.size() == messages.size());
    for (const auto& m : held) {
      INFO("uid " << m.uid);
      auto it = messages.find(m.sha256);
      if (it == messages.end()) {
        FAIL_CHECK("a message that is not in the Maildir, or not byte-identical");
        continue;
      }
      std::set<std::string> flags = m.flags;
      flags.erase("\\Recent");
      CHECK(flags == it->second.flags);
      CHECK(m.epoch == it->second.epoch);
    }
  }
}

nlohmann::json sync(const DovecotServer& server, const TempDir& dir, const fs::path& tree,
                    const std::string& user, const std::string& run, int exit_code,
                    std::vector<std::string> extra = {}) {
  const std::string report = dir.file(run + ".json");
  extra.insert(extra.end(), {"--state", dir.file("state.db"), "--report", report});
  auto result = run_mailferry(server.sync_args("maildir:" + tree.string(), user, extra));
  INFO(run << ": " << result.describe());
  CHECK(result.exit_code == exit_code);
  auto json = nlohmann::json::parse(read_file(report));
  json["output"] = result.out + result.err;
  return json;
}

// Delivers a message into a folder of the tree the way a server does.
void deliver(const DovecotServer& server, const fs::path& tree, bool fs_layout,
             const std::string& message) {
  CommandOptions options;
  options.stdin_data = message;
  options.timeout = std::chrono::seconds(60);
  auto r = run_command(
      {"doveadm", "-c", server.config_file(), "-o",
       "mail_location=" + maildir_location(tree, fs_layout), "save", "-u", "writer", "-m", "INBOX"},
      options);
  REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
}

}  // namespace

TEST_CASE(
    "maildir sync: a Maildir++ tree arrives byte-identical with flags and dates, a re-run "
    "adds nothing, new mail arrives next time") {
  DovecotServer server;
  TempDir dir;
  const fs::path tree = make_tree(server, dir, false);
  REQUIRE(fs::is_directory(tree / ".Archive.2019" / "cur"));
  auto expected = expected_from_files(tree, false);
  REQUIRE(expected.size() == 3);
  CHECK(expected["INBOX"].size() == 3);

  auto first = sync(server, dir, tree, "pp", "first", 0);
  CHECK(first["totals"]["appended"].get<int>() == 6);
  // The trashed message is copied, without \Deleted, and the report says so.
  CHECK(first["jobs"][0]["notes"].dump().find("Archive/2019: 1 message marked trashed (T)") !=
        std::string::npos);
  check_server_holds(imap_snapshot(server, "pp"), expected);

  auto second = sync(server, dir, tree, "pp", "second", 0);
  CHECK(second["totals"]["appended"].get<int>() == 0);
  CHECK(second["totals"]["present"].get<int>() == 6);
  // check agrees that everything is there, flags included.
  std::vector<std::string> check_args{"check", "--quiet", "--from", "maildir:" + tree.string()};
  for (auto& a : server.target_args("pp")) check_args.push_back(a);
  auto check = run_mailferry(check_args);
  INFO(check.describe());
  CHECK(check.exit_code == 0);

  deliver(server, tree, false, numbered_message(7, "late delivery"));
  auto third = sync(server, dir, tree, "pp", "third", 0);
  CHECK(third["totals"]["appended"].get<int>() == 1);
  expected = expected_from_files(tree, false);
  CHECK(expected["INBOX"].size() == 4);
  check_server_holds(imap_snapshot(server, "pp"), expected);
}

TEST_CASE(
    "maildir sync: an fs-layout tree arrives whole, and a damaged file is named in an error "
    "while the rest arrive") {
  DovecotServer server;
  TempDir dir;
  const fs::path tree = make_tree(server, dir, true);
  REQUIRE(fs::is_directory(tree / "Archive" / "2019" / "cur"));

  // A copy cut short: the file is shorter than the S= its name carries.
  fs::path damaged;
  for (const auto& entry : fs::directory_iterator(tree / "Sent" / "cur")) damaged = entry.path();
  REQUIRE(!damaged.empty());
  auto expected = expected_from_files(tree, true);
  expected.erase("Sent");
  fs::resize_file(damaged, fs::file_size(damaged) / 2);

  auto first = sync(server, dir, tree, "fs", "first", 1, {"--maildir-layout", "fs"});
  CHECK(first["totals"]["appended"].get<int>() == 5);
  CHECK(first["totals"]["failed"].get<int>() == 1);
  const auto& errors = first["jobs"][0]["errors"];
  REQUIRE(errors.size() == 1);
  CHECK(errors[0]["where"] == damaged.string());
  CHECK(errors[0]["message"].get<std::string>().find("S=") != std::string::npos);
  auto snapshot = imap_snapshot(server, "fs");
  check_server_holds(snapshot, expected);
  CHECK(snapshot["Sent"].empty());
}
