// End to end: the folder plan as `mailferry list --to` prints it, Gmail
// Takeout labels as folders, job rules, and bad input stopped before
// anything is uploaded.
#include <doctest/doctest.h>

#include <filesystem>
#include <set>
#include <sstream>

#include "roles_test_support.hpp"
#include "support/takeout_mbox.hpp"

using namespace mailferry;
using namespace mailferry::testing;
using namespace mailferry::roles_test;

namespace {

std::size_t total_messages(const Snapshot& s) {
  std::size_t n = 0;
  for (const auto& [folder, messages] : s) n += messages.size();
  return n;
}

// The line of `list` output that starts with `source` (padded by spaces).
std::string plan_line(const std::string& output, const std::string& source) {
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(source + " ", 0) == 0) return line;
  return "";
}

const std::vector<TakeoutMessage> kTakeout{
    {"Inbox,Important,Opened,Category Updates", "one"},
    {"Sent,Work/Projects", "two"},
    {"Unread,Inbox,Starred", "three"},
    {"Archived,Opened", "four"},
    {"=?UTF-8?Q?Gesch=C3=A4ftlich?=,Inbox", "five"},
    {"Gesendet,Wichtig", "six"},
    {"Spam", "seven"},
    {"Trash,Opened", "eight"},
    {"Drafts", "nine"},
};

}  // namespace

TEST_CASE(
    "roles plan: list --to shows each folder's role, target and state before anything is written") {
  DovecotShape shape;
  shape.special_use = false;
  shape.separator = ".";
  shape.prefix = "INBOX.";
  shape.default_folders = false;
  DovecotServer server(shape);
  server.create_mailboxes("plan", {"INBOX.Sent Items"});
  auto result =
      run_mailferry({"list", "mbox:" + thunderbird_dir(), "--to", server.url("imaps", "plan"),
                     "--ca-file", server.ca_file(), "--to-password-file", server.password_file()});
  REQUIRE_MESSAGE(result.exit_code == 0, result.describe());
  const std::string sent = plan_line(result.out, "Sent");
  CHECK(sent.find("sent") != std::string::npos);
  CHECK(sent.find("INBOX.Sent Items") != std::string::npos);
  CHECK(sent.find("exists") != std::string::npos);
  const std::string drafts = plan_line(result.out, "Drafts");
  CHECK(drafts.find("INBOX.Drafts") != std::string::npos);
  CHECK(drafts.find("create") != std::string::npos);
  const std::string archive = plan_line(result.out, "Archives/2019");
  CHECK(archive.find("INBOX.Archives.2019") != std::string::npos);
  CHECK(archive.find(" 2") != std::string::npos);  // its message count
  // Nothing was written.
  const auto names = server.mailboxes("plan");
  CHECK(std::set<std::string>(names.begin(), names.end()) ==
        std::set<std::string>{"INBOX", "INBOX.Sent Items"});
  CHECK(total_messages(imap_snapshot(server, "plan")) == 0);
}

TEST_CASE("roles plan: Gmail Takeout labels become folders on a Gmail-style server") {
  DovecotShape shape;
  shape.special_use = false;
  shape.default_folders = false;
  DovecotServer server(shape);
  for (const char* user : {"each", "first"})
    server.create_mailboxes(user, {"[Gmail]/Sent Mail", "[Gmail]/Drafts", "[Gmail]/Trash",
                                   "[Gmail]/Spam", "[Gmail]/All Mail"});
  TempDir dir;
  const std::string file =
      dir.write_file("Takeout/Mail/All mail Including Spam and Trash.mbox", takeout_mbox(kTakeout));

  auto each = sync_to(server, "each", "mbox:" + file);
  REQUIRE_MESSAGE(each.exit_code == 0, each.describe());
  const auto s = imap_snapshot(server, "each");
  auto count = [&](const std::string& folder) {
    auto it = s.find(folder);
    return it == s.end() ? std::size_t{0} : it->second.size();
  };
  CHECK(count("INBOX") == 3);
  CHECK(count("[Gmail]/Sent Mail") == 2);  // "Sent" and the German "Gesendet"
  CHECK(count("Work/Projects") == 1);
  CHECK(count("Geschäftlich") == 1);
  CHECK(count("[Gmail]/Spam") == 1);
  CHECK(count("[Gmail]/Trash") == 1);
  CHECK(count("[Gmail]/Drafts") == 1);
  CHECK(count("Archive") == 1);    // the server has no archive folder: one is made
  CHECK(total_messages(s) == 11);  // two messages carry two folder labels each
  // Starred is \Flagged, Unread is not \Seen.
  std::size_t flagged = 0, unseen = 0;
  for (const auto& m : s.at("INBOX")) {
    flagged += m.flags.count("\\Flagged");
    unseen += m.flags.count("\\Seen") == 0;
  }
  CHECK(flagged == 1);
  CHECK(unseen == 1);

  auto first = sync_to(server, "first", "mbox:" + file, {"--gmail-labels", "first"});
  REQUIRE_MESSAGE(first.exit_code == 0, first.describe());
  const auto f = imap_snapshot(server, "first");
  CHECK(total_messages(f) == kTakeout.size());
  CHECK(f.count("Work/Projects") == 0);
}

TEST_CASE("roles plan: a folder name that cannot be a folder stops the job before any upload") {
  DovecotServer server;
  TempDir dir;
  const std::string tb = thunderbird_dir();
  dir.write_file("tree/Inbox", read_file(tb + "/Inbox"));
  dir.write_file("tree/Bad\x01Name", read_file(tb + "/Sent"));
  auto result = sync_to(server, "bad", "mbox:" + dir.file("tree"));
  CHECK(result.exit_code == 2);
  CHECK((result.out + result.err).find("control character") != std::string::npos);
  CHECK((result.out + result.err).find("nothing was uploaded") != std::string::npos);
  CHECK(total_messages(imap_snapshot(server, "bad")) == 0);
}

TEST_CASE("roles plan: two folders mapped to one are refused, or merged when the job says so") {
  DovecotServer server;
  const std::vector<std::string> rules{"--map", "Sent=Common", "--map", "Drafts=Common"};
  auto refused = sync_to(server, "map", "mbox:" + thunderbird_dir(), rules);
  CHECK(refused.exit_code == 2);
  const std::string text = refused.out + refused.err;
  CHECK(text.find("\"Drafts\" and \"Sent\" would all go into \"Common\"") != std::string::npos);
  CHECK(total_messages(imap_snapshot(server, "map")) == 0);

  auto merged_rules = rules;
  merged_rules.push_back("--merge");
  auto merged = sync_to(server, "map", "mbox:" + thunderbird_dir(), merged_rules);
  REQUIRE_MESSAGE(merged.exit_code == 0, merged.describe());
  const auto s = imap_snapshot(server, "map");
  auto source = thunderbird_messages();
  Shas both = source.at("Sent");
  both.insert(source.at("Drafts").begin(), source.at("Drafts").end());
  CHECK(shas(s, "Common") == both);
  CHECK(shas(s, "Sent").empty());
}

TEST_CASE("roles plan: a CREATE the server refuses costs that folder, the others arrive") {
  DovecotServer server;
  const std::string too_long(300, 'x');
  auto result =
      sync_to(server, "refused", "mbox:" + thunderbird_dir(), {"--map", "Archives=" + too_long});
  CHECK(result.exit_code == 1);
  const std::string text = result.out + result.err;
  CHECK(text.find("cannot create folder " + too_long) != std::string::npos);
  CHECK(text.find("Mailbox name too long") != std::string::npos);
  const auto s = imap_snapshot(server, "refused");
  auto source = thunderbird_messages();
  CHECK(shas(s, "INBOX") == source.at("Inbox"));
  CHECK(shas(s, "Sent") == source.at("Sent"));
  CHECK(total_messages(s) == 8 - source.at("Archives/2019").size());
}

TEST_CASE("roles plan: a prefix keeps an import apart, role folders unmarked below it") {
  DovecotServer server;
  auto result = sync_to(server, "prefixed", "pst:" + corpus_file("pst/Test_part1.pst"),
                        {"--prefix", "Imported/2019 PST"});
  REQUIRE_MESSAGE(result.exit_code == 0, result.describe());
  const auto s = imap_snapshot(server, "prefixed");
  CHECK(shas(s, "Imported/2019 PST/Sent Items") == pst_messages("Test_part1.pst").at("Sent Items"));
  CHECK(shas(s, "Sent").empty());
  // New folders are subscribed.
  const std::string listing = server.doveadm("-u prefixed mailbox list -s");
  CHECK(listing.find("Imported/2019 PST/Sent Items") != std::string::npos);
}
