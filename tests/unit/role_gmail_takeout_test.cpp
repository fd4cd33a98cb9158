// Gmail Takeout labels as folders, over a real MboxSource reading a
// Takeout-shaped file.
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "mailferry/source/gmail_takeout_source.hpp"
#include "mailferry/source/mbox_source.hpp"
#include "support/scan_collect.hpp"
#include "support/takeout_mbox.hpp"
#include "support/temp_dir.hpp"

using namespace mailferry;
using core::Role;
using mailferry::testing::CollectingSink;
using mailferry::testing::read_body;
using mailferry::testing::TakeoutMessage;

namespace {

const std::vector<TakeoutMessage> kMessages{
    {"Inbox,Important,Opened,Category Updates", "one"},
    {"Sent,Work/Projects", "two"},
    {"Unread,Inbox,Starred", "three"},
    {"Archived,Opened", "four"},
    {"=?UTF-8?Q?Gesch=C3=A4ftlich?=,\"Foo, Bar\"", "five"},
    {"Gesendet,Wichtig", "six"},
    {"Spam", "seven"},
    {"Trash,Opened", "eight"},
    {"Drafts", "nine"},
    {"IMAP_$Forwarded,Inbox", "ten"},
    {"Important,Opened", "eleven"},
};

struct Scanned {
  Role role = Role::None;
  std::vector<source::SourceMessage> messages;
};

std::map<std::string, Scanned> scan_all(source::Source& source) {
  std::map<std::string, Scanned> out;
  for (const auto& f : source.folders()) {
    CollectingSink c;
    source.scan(f, c);
    CHECK(c.errors.empty());
    out[f.display_name()] = {f.role, c.messages};
  }
  return out;
}

std::set<std::string> subjects(const Scanned& s) {
  std::set<std::string> out;
  for (const auto& m : s.messages) out.insert(m.message_id);
  return out;
}

}  // namespace

TEST_CASE("gmail labels: CSV, quotes, encoded words, white space") {
  using source::parse_gmail_labels;
  CHECK(parse_gmail_labels("Inbox,Important") == std::vector<std::string>{"Inbox", "Important"});
  CHECK(parse_gmail_labels(" Inbox , \"Foo, Bar\" ,,\"Say \"\"hi\"\"\"") ==
        std::vector<std::string>{"Inbox", "Foo, Bar", "Say \"hi\""});
  CHECK(parse_gmail_labels("=?UTF-8?Q?Gesch=C3=A4ftlich?=,Inbox") ==
        std::vector<std::string>{"Geschäftlich", "Inbox"});
  CHECK(parse_gmail_labels("=?UTF-8?B?67O064K47Y647KeA7ZWo?=") ==
        std::vector<std::string>{"보낸편지함"});
  CHECK(parse_gmail_labels("受信トレイ,重要") == std::vector<std::string>{"受信トレイ", "重要"});
  CHECK(parse_gmail_labels("").empty());
}

TEST_CASE("gmail takeout: each label is a folder, roles and flags from labels") {
  mailferry::testing::TempDir dir;
  const std::string file = dir.write_file("All mail Including Spam and Trash.mbox",
                                          mailferry::testing::takeout_mbox(kMessages));
  source::GmailTakeoutSource source(std::make_unique<source::MboxSource>(file),
                                    core::GmailLabels::Each);
  const auto folders = source.folders();
  std::vector<std::string> names;
  for (const auto& f : folders) names.push_back(f.display_name());
  // Roles first (Inbox, Sent, Drafts, Archive, Junk, Trash), then labels by path.
  CHECK(names == std::vector<std::string>{"Inbox", "Gesendet", "Sent", "Drafts", "Archived", "Spam",
                                          "Trash", "Foo, Bar", "Geschäftlich", "Work/Projects"});
  CHECK(source.found_labels());
  auto all = scan_all(source);
  CHECK(all["Inbox"].role == Role::Inbox);
  CHECK(all["Sent"].role == Role::Sent);
  CHECK(all["Gesendet"].role == Role::Sent);
  CHECK(all["Drafts"].role == Role::Drafts);
  CHECK(all["Archived"].role == Role::Archive);
  CHECK(all["Spam"].role == Role::Junk);
  CHECK(all["Trash"].role == Role::Trash);
  CHECK(all["Work/Projects"].role == Role::None);
  CHECK(subjects(all["Inbox"]) == std::set<std::string>{"<takeout-1@example.com>",
                                                        "<takeout-3@example.com>",
                                                        "<takeout-10@example.com>"});
  // A message with several labels is in each of them, once.
  CHECK(subjects(all["Sent"]) == std::set<std::string>{"<takeout-2@example.com>"});
  CHECK(subjects(all["Work/Projects"]) == std::set<std::string>{"<takeout-2@example.com>"});
  // Only markers: Gmail's archive.
  CHECK(subjects(all["Archived"]) ==
        std::set<std::string>{"<takeout-4@example.com>", "<takeout-11@example.com>"});
  // Flags: \Seen unless Unread, Starred is \Flagged, IMAP_ keywords, \Draft in Drafts.
  for (const auto& m : all["Inbox"].messages) {
    if (m.message_id == "<takeout-3@example.com>") {
      CHECK_FALSE(m.flags.has(core::Flag::Seen));
      CHECK(m.flags.has(core::Flag::Flagged));
    } else {
      CHECK(m.flags.has(core::Flag::Seen));
      CHECK_FALSE(m.flags.has(core::Flag::Flagged));
    }
    CHECK(m.flags.has(core::Flag::Forwarded) == (m.message_id == "<takeout-10@example.com>"));
  }
  CHECK(all["Drafts"].messages.at(0).flags.has(core::Flag::Draft));

  // Bodies come from the file, whatever folder the message is shown in.
  source::MboxSource plain(file);
  CollectingSink direct;
  plain.scan(plain.folders().at(0), direct);
  REQUIRE(direct.messages.size() == kMessages.size());
  for (const auto& f : folders) {
    if (f.display_name() != "Work/Projects") continue;
    CollectingSink c;
    source.scan(f, c);
    REQUIRE(c.messages.size() == 1);
    auto via_label = source.open(f, c.messages[0]);
    auto via_file = plain.open(plain.folders().at(0), direct.messages[1]);
    CHECK(read_body(*via_label, 65536) == read_body(*via_file, 65536));
    CHECK(c.messages[0].size == direct.messages[1].size);
  }
}

TEST_CASE("gmail takeout: 'first' puts a message once, into its first label folder") {
  mailferry::testing::TempDir dir;
  const std::string file =
      dir.write_file("takeout.mbox", mailferry::testing::takeout_mbox(kMessages));
  source::GmailTakeoutSource source(std::make_unique<source::MboxSource>(file),
                                    core::GmailLabels::First);
  auto all = scan_all(source);
  std::size_t total = 0;
  for (const auto& [name, s] : all) total += s.messages.size();
  CHECK(total == kMessages.size());
  CHECK(all.count("Work/Projects") == 0);
  CHECK(subjects(all["Sent"]) == std::set<std::string>{"<takeout-2@example.com>"});
  CHECK(subjects(all["Geschäftlich"]) == std::set<std::string>{"<takeout-5@example.com>"});
}

TEST_CASE("gmail takeout: files without labels pass through, 'ignore' leaves the source alone") {
  mailferry::testing::TempDir dir;
  dir.write_file("tree/Takeout.mbox",
                 mailferry::testing::takeout_mbox({{"Inbox", "a"}, {"Sent", "b"}}));
  dir.write_file("tree/Sent",
                 "From ana@example.com Mon Mar  4 10:00:00 2019\nSubject: plain\n"
                 "Message-ID: <plain@example.com>\n\nbody\n");
  source::GmailTakeoutSource source(std::make_unique<source::MboxSource>(dir.file("tree")),
                                    core::GmailLabels::Each);
  auto all = scan_all(source);
  CHECK(source.folders().size() == 3);  // Inbox and Sent labels, the plain Sent file
  CHECK(all["Sent"].role == Role::Sent);
  // The plain "Sent" file and the "Sent" label are two folders of one role
  // (the folder plan puts both into the server's Sent).
  std::size_t sent_folders = 0;
  for (const auto& f : source.folders()) sent_folders += f.role == Role::Sent;
  CHECK(sent_folders == 2);
  for (const auto& f : source.folders()) {
    CollectingSink c;
    source.scan(f, c);
    for (const auto& m : c.messages) CHECK_FALSE(read_body(*source.open(f, m), 65536).empty());
  }
  auto untouched =
      source::with_gmail_labels(std::make_unique<source::MboxSource>(dir.file("tree/Takeout.mbox")),
                                core::GmailLabels::Ignore);
  CHECK(untouched->folders().size() == 1);
  CHECK(dynamic_cast<source::MboxSource*>(untouched.get()) != nullptr);
}
