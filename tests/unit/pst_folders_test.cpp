// PstSource folders: paths, roles from entry ids (and where a file holds none,
// from names), non-mail folders and the skipped-item count.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <string>

#include "mailferry/pst/folder_roles.hpp"
#include "pst_test_support.hpp"

using mailferry::core::Role;
using mailferry::pst::role_from_folder_name;
using mailferry::pst_test::corpus;
using mailferry::source::PstFolderSummary;
using mailferry::source::PstSource;
using mailferry::source::PstSourceOptions;

namespace {

// display name -> summary; duplicate names get " #2", " #3".
std::map<std::string, PstFolderSummary> by_name(PstSource& src) {
  std::map<std::string, PstFolderSummary> out;
  for (const PstFolderSummary& s : src.folder_summaries()) {
    std::string name = s.folder.display_name();
    for (int n = 2; out.count(name); ++n) name = s.folder.display_name() + " #" + std::to_string(n);
    out.emplace(name, s);
  }
  return out;
}

}  // namespace

TEST_CASE("pst folders: Test_part1 roles come from the store's entry ids") {
  PstSource src(corpus("Test_part1.pst"));
  auto f = by_name(src);
  REQUIRE(f.count("Sent Items"));
  CHECK(f["Sent Items"].folder.role == Role::Sent);
  CHECK_FALSE(f["Sent Items"].role_from_name);
  CHECK(f["Sent Items"].mail_items == 31);
  // Two folders are called Inbox; only the receive folder is the Inbox.
  REQUIRE(f.count("Inbox #2"));
  CHECK(f["Inbox"].folder.role == Role::Inbox);
  CHECK(f["Inbox #2"].folder.role == Role::None);
  CHECK(f["Drafts"].folder.role == Role::Drafts);
  CHECK(f["Deleted Items"].folder.role == Role::Trash);
  CHECK(f["Outbox"].folder.role == Role::Outbox);
  // The file holds no PR_ADDITIONAL_REN_ENTRYIDS, so Junk comes from the name.
  CHECK(f["Junk E-mail"].folder.role == Role::Junk);
  CHECK(f["Junk E-mail"].role_from_name);
  // Calendar and Contacts are not mail folders; their 9 + 21 items are skipped.
  CHECK_FALSE(f.count("Calendar"));
  CHECK_FALSE(f.count("Contacts"));
  CHECK(src.skipped_items() == 30);
}

TEST_CASE("pst folders: enron's nested Sent Items is the Sent folder") {
  PstSource src(corpus("enron.pst"));
  auto f = by_name(src);
  const std::string sent = "lokay-m/MLOKAY (Non-Privileged)/Sent Items";
  REQUIRE(f.count(sent));
  CHECK(f[sent].folder.role == Role::Sent);
  CHECK(f[sent].role_from_name);  // the store has no PR_IPM_SENTMAIL_ENTRYID
  CHECK(f[sent].folder.path ==
        std::vector<std::string>{"lokay-m", "MLOKAY (Non-Privileged)", "Sent Items"});
  CHECK(f["Deleted Items"].folder.role == Role::Trash);
  CHECK_FALSE(f["Deleted Items"].role_from_name);
  CHECK(f["lokay-m/MLOKAY (Non-Privileged)/Personal"].mail_items == 47);
  CHECK(src.skipped_items() == 0);
}

TEST_CASE("pst folders: the Inbox is the receive folder, whatever its name") {
  // outlook.pst was written by a Chinese Outlook: mail is delivered to 收件箱,
  // while another folder is called Inbox.
  PstSource src(corpus("outlook.pst"));
  auto f = by_name(src);
  REQUIRE(f.count("收件箱"));
  CHECK(f["收件箱"].folder.role == Role::Inbox);
  CHECK_FALSE(f["收件箱"].role_from_name);
  CHECK(f["Inbox"].folder.role == Role::None);
  CHECK(f["Sent Items"].folder.role == Role::Sent);
  // Its Drafts/Junk entry ids belong to another store (copied folder
  // properties), so those two roles come from the names.
  CHECK(f["Drafts"].folder.role == Role::Drafts);
  CHECK(f["Drafts"].role_from_name);
  CHECK(f["Junk E-mail"].folder.role == Role::Junk);
}

TEST_CASE("pst folders: Japanese folder names keep their roles") {
  PstSource src(corpus("Hello CJK.pst"));
  auto f = by_name(src);
  REQUIRE(f.count("削除済みアイテム"));
  CHECK(f["削除済みアイテム"].folder.role == Role::Trash);
  CHECK_FALSE(f["削除済みアイテム"].role_from_name);
  // The one mail sits in the root of the file: a folder named after the store.
  REQUIRE(f.count("Hello CJK"));
  CHECK(f["Hello CJK"].mail_items == 1);
  CHECK(f["Hello CJK"].folder.role == Role::None);
}

TEST_CASE("pst folders: ANSI folder names are decoded with the file's code page") {
  // A Japanese Outlook 97-2002 file: names in CP932, found from the items' locale.
  PstSource src(corpus("contacts97-2002.pst"));
  auto f = by_name(src);
  REQUIRE(f.count("削除済みアイテム"));
  CHECK(f["削除済みアイテム"].folder.role == Role::Trash);
  CHECK(src.skipped_items() == 1);  // the contact
  CHECK(f.size() == 1);             // the contacts folder is not a mail folder

  // The code page can be given; the wrong one shows (mojibake, not a crash).
  PstSourceOptions options;
  options.ansi_codepage = 1252;
  PstSource western(corpus("contacts97-2002.pst"), options);
  CHECK_FALSE(by_name(western).count("削除済みアイテム"));
}

TEST_CASE("pst folders: non-mail items are counted, not listed") {
  PstSource dist(corpus("dist-list.pst"));
  CHECK(dist.skipped_items() == 3);  // a distribution list, a contact, an appointment
  auto f = by_name(dist);
  CHECK(f["Inbox"].folder.role == Role::Inbox);
  CHECK(f["Junk E-mail"].folder.role == Role::Junk);
  CHECK_FALSE(f["Junk E-mail"].role_from_name);  // PR_ADDITIONAL_REN_ENTRYIDS
  CHECK(f["Drafts"].folder.role == Role::Drafts);
  CHECK_FALSE(f.count("Calendar"));

  PstSource calendar(corpus("32-bit.pst"));
  CHECK(calendar.skipped_items() == 1);
  CHECK(by_name(calendar).size() == 1);  // Deleted Items only

  PstSource nested(corpus("threeItems.pst"));
  auto t = by_name(nested);
  CHECK(t["threeItems"].mail_items == 1);
  CHECK(t["first"].mail_items == 1);
  CHECK(t["second"].mail_items == 1);
  CHECK(t["third"].mail_items == 1);
}

TEST_CASE("pst folders: folders() are the summaries but an empty Outbox, locators are node ids") {
  PstSource src(corpus("Test_part1.pst"));
  auto folders = src.folders();
  std::vector<PstFolderSummary> offered;
  int outboxes_left_out = 0;
  for (const auto& s : src.folder_summaries()) {
    if (s.folder.role == Role::Outbox && s.mail_items == 0) {
      ++outboxes_left_out;
      continue;
    }
    offered.push_back(s);
  }
  CHECK(outboxes_left_out == 1);
  REQUIRE(folders.size() == offered.size());
  for (std::size_t i = 0; i < folders.size(); ++i) {
    CHECK(folders[i].path == offered[i].folder.path);
    CHECK(folders[i].locator.rfind("0x", 0) == 0);
  }
  CHECK(src.describe() == "pst:" + corpus("Test_part1.pst"));
  const auto notes = src.report_notes();
  CHECK(std::count_if(notes.begin(), notes.end(), [](const std::string& n) {
          return n.find("(Outlook's queue of unsent mail) was left out") != std::string::npos;
        }) == 1);
}

TEST_CASE("pst folders: well-known names in several languages") {
  CHECK(role_from_folder_name("Sent Items") == Role::Sent);
  CHECK(role_from_folder_name("sent items") == Role::Sent);
  CHECK(role_from_folder_name("Gesendete Elemente") == Role::Sent);
  CHECK(role_from_folder_name("送信済みアイテム") == Role::Sent);
  CHECK(role_from_folder_name("보낸 편지함") == Role::Sent);
  CHECK(role_from_folder_name("INBOX") == Role::Inbox);
  CHECK(role_from_folder_name("受信トレイ") == Role::Inbox);
  CHECK(role_from_folder_name("Entwürfe") == Role::Drafts);
  CHECK(role_from_folder_name("削除済みアイテム") == Role::Trash);
  CHECK(role_from_folder_name("Junk E-mail") == Role::Junk);
  CHECK(role_from_folder_name("Postausgang") == Role::Outbox);
  CHECK(role_from_folder_name("Projects") == Role::None);
}
