#include "mailferry/sync/folder_mapping.hpp"

#include <doctest/doctest.h>

using namespace mailferry;
using core::Role;

namespace {

source::SourceFolder folder(std::vector<std::string> path, Role role = Role::None) {
  source::SourceFolder f;
  f.path = std::move(path);
  f.role = role;
  f.locator = f.display_name();
  return f;
}

target::TargetFolder tf(std::string name, char delim, Role role = Role::None) {
  return {std::move(name), delim, role, true};
}

}  // namespace

TEST_CASE("folder mapping: a single-folder source goes to --to-folder") {
  auto plan = sync::map_folders({folder({"Inbox"}, Role::Inbox)}, {tf("INBOX", '/')},
                                {true, "Archive/Old", std::nullopt});
  REQUIRE(plan.size() == 1);
  CHECK(plan[0].target == "Archive/Old");
  CHECK_FALSE(plan[0].exists);
}

TEST_CASE("folder mapping: roles go to the server's role folder, paths keep their shape") {
  std::vector<target::TargetFolder> server{tf("INBOX", '.'),
                                           tf("INBOX.Sent Messages", '.', Role::Sent)};
  auto plan = sync::map_folders({folder({"Inbox"}, Role::Inbox), folder({"Sent"}, Role::Sent),
                                 folder({"Archives", "2019"}), folder({"a.b"})},
                                server, {});
  REQUIRE(plan.size() == 4);
  CHECK(plan[0].target == "INBOX");
  CHECK(plan[0].exists);
  CHECK(plan[1].target == "INBOX.Sent Messages");
  CHECK(plan[1].exists);
  CHECK(plan[2].target == "Archives.2019");
  CHECK_FALSE(plan[2].exists);
  CHECK(plan[3].target == "a_b");  // the delimiter inside a name is replaced
}

TEST_CASE("folder mapping: --only-role keeps only that role's folders") {
  auto plan = sync::map_folders(
      {folder({"Inbox"}, Role::Inbox), folder({"Sent Items"}, Role::Sent)},
      {tf("INBOX", '/'), tf("Sent", '/', Role::Sent)}, {false, "INBOX", Role::Sent});
  REQUIRE(plan.size() == 1);
  CHECK(plan[0].target == "Sent");
}

namespace {

target::TargetFolder by_name(std::string name, char delim, Role role) {
  target::TargetFolder f = tf(std::move(name), delim, role);
  f.role_by_name = true;
  return f;
}

const sync::FolderAssignment& of(const sync::FolderLayout& plan, const std::string& source) {
  for (const auto& a : plan.assignments)
    if (a.source.display_name() == source) return a;
  FAIL("no assignment for " << source);
  return plan.assignments.front();
}

sync::MappingOptions with_rules(core::FolderRules rules) {
  sync::MappingOptions o;
  o.rules = std::move(rules);
  return o;
}

// A Courier/Cyrus-style server: everything below "INBOX.", no SPECIAL-USE,
// Outlook-style names.
const std::vector<target::TargetFolder> kCourier{
    tf("INBOX", '.', Role::Inbox), by_name("INBOX.Sent Items", '.', Role::Sent),
    by_name("INBOX.Deleted Items", '.', Role::Trash), tf("INBOX.Projects", '.')};
const target::TargetNamespace kCourierNs{"INBOX.", '.'};

const std::vector<target::TargetFolder> kGmail{tf("INBOX", '/', Role::Inbox),
                                               tf("[Gmail]", '/', Role::None),
                                               tf("[Gmail]/Sent Mail", '/', Role::Sent),
                                               tf("[Gmail]/Drafts", '/', Role::Drafts),
                                               tf("[Gmail]/Bin", '/', Role::Trash),
                                               tf("[Gmail]/Spam", '/', Role::Junk)};
const target::TargetNamespace kGmailNs{"", '/'};

}  // namespace

TEST_CASE("folder mapping: the personal namespace prefix and delimiter, roles found by name") {
  auto plan = sync::make_plan(
      {folder({"Inbox"}, Role::Inbox), folder({"Inbox", "Orders"}), folder({"Sent"}, Role::Sent),
       folder({"Trash"}, Role::Trash), folder({"Archives", "2019"}), folder({"Projects"}),
       folder({"Ärger", "Übersicht"})},
      kCourier, kCourierNs, {});
  CHECK(plan.ok());
  CHECK(of(plan, "Inbox").target == "INBOX");
  CHECK(of(plan, "Inbox/Orders").target == "INBOX.Orders");  // below INBOX, no prefix twice
  CHECK(of(plan, "Sent").target == "INBOX.Sent Items");
  CHECK(of(plan, "Sent").exists);
  CHECK(of(plan, "Sent").by_role);
  CHECK(of(plan, "Trash").target == "INBOX.Deleted Items");
  CHECK(of(plan, "Archives/2019").target == "INBOX.Archives.2019");
  CHECK_FALSE(of(plan, "Archives/2019").exists);
  CHECK(of(plan, "Projects").target == "INBOX.Projects");
  CHECK(of(plan, "Projects").exists);
  CHECK(of(plan, "Ärger/Übersicht").target == "INBOX.Ärger.Übersicht");
}

TEST_CASE("folder mapping: Gmail-style role folders, localized source names, folders below roles") {
  auto plan =
      sync::make_plan({folder({"보낸 편지함"}, Role::Sent), folder({"보낸 편지함", "2019"}),
                       folder({"임시 보관함"}, Role::Drafts), folder({"지운 편지함"}, Role::Trash),
                       folder({"정크 메일"}, Role::Junk), folder({"受信トレイ"}, Role::Inbox),
                       folder({"Projekte", "Größe"})},
                      kGmail, kGmailNs, {});
  CHECK(plan.ok());
  CHECK(of(plan, "보낸 편지함").target == "[Gmail]/Sent Mail");
  CHECK(of(plan, "보낸 편지함/2019").target == "[Gmail]/Sent Mail/2019");
  CHECK(of(plan, "임시 보관함").target == "[Gmail]/Drafts");
  CHECK(of(plan, "지운 편지함").target == "[Gmail]/Bin");
  CHECK(of(plan, "정크 메일").target == "[Gmail]/Spam");
  CHECK(of(plan, "受信トレイ").target == "INBOX");
  CHECK(of(plan, "Projekte/Größe").target == "Projekte/Größe");
}

TEST_CASE("folder mapping: a role folder the server lacks is created once, marked, and shared") {
  const std::vector<target::TargetFolder> bare{tf("INBOX", '/', Role::Inbox)};
  auto plan = sync::make_plan({folder({"Sent Items"}, Role::Sent), folder({"Sent"}, Role::Sent),
                               folder({"My Outbox Copies"}, Role::Outbox)},
                              bare, {"", '/'}, {});
  CHECK(plan.ok());
  // The first source name that is a well-known name of the role.
  CHECK(of(plan, "Sent Items").target == "Sent Items");
  CHECK(of(plan, "Sent").target == "Sent Items");
  CHECK(of(plan, "Sent").role == Role::Sent);  // what CREATE marks
  CHECK_FALSE(of(plan, "Sent").exists);
  // A role from the source's own records with an unusual name: the usual name.
  CHECK(of(plan, "My Outbox Copies").target == "Outbox");
  REQUIRE(plan.notes.size() == 1);
  CHECK(plan.notes[0] == "\"Sent Items\" and \"Sent\" go into one folder, \"Sent Items\"");
}

TEST_CASE("folder mapping: a prefix keeps the whole import apart, unmarked") {
  core::FolderRules rules;
  rules.prefix = "Imported/2019 PST";
  auto plan = sync::make_plan(
      {folder({"Inbox"}, Role::Inbox), folder({"Sent Items"}, Role::Sent), folder({"a", "b"})},
      kCourier, kCourierNs, with_rules(rules));
  CHECK(plan.ok());
  CHECK(of(plan, "Inbox").target == "INBOX.Imported.2019 PST.Inbox");
  CHECK(of(plan, "Sent Items").target == "INBOX.Imported.2019 PST.Sent Items");
  CHECK(of(plan, "Sent Items").role == Role::None);
  CHECK(of(plan, "a/b").target == "INBOX.Imported.2019 PST.a.b");
  // Written with the server's own prefix and delimiter: the same place.
  rules.prefix = "INBOX.Imported.2019 PST";
  auto again = sync::make_plan({folder({"a", "b"})}, kCourier, kCourierNs, with_rules(rules));
  CHECK(of(again, "a/b").target == "INBOX.Imported.2019 PST.a.b");
}

TEST_CASE("folder mapping: map rules, to a path or to a role, with the levels below") {
  core::FolderRules rules;
  rules.map = {{"Old Sent", "\\Sent"},
               {"Archives", "Backup/Archives"},
               {"Nowhere", "X"},
               {"Archives/Keep", "INBOX"}};
  auto plan = sync::make_plan({folder({"Old Sent"}), folder({"Sent"}, Role::Sent),
                               folder({"archives", "2019"}), folder({"Archives", "Keep"})},
                              kCourier, kCourierNs, with_rules(rules));
  CHECK(plan.ok());
  CHECK(of(plan, "Old Sent").target == "INBOX.Sent Items");
  CHECK(of(plan, "Sent").target == "INBOX.Sent Items");                     // both by role: allowed
  CHECK(of(plan, "archives/2019").target == "INBOX.Backup.Archives.2019");  // case-insensitive
  CHECK(of(plan, "Archives/Keep").target == "INBOX");                       // the longest rule wins
  bool noted = false;
  for (const auto& n : plan.notes)
    noted = noted || n == "map rule \"Nowhere\" matches no source folder";
  CHECK(noted);
}

TEST_CASE("folder mapping: two folders into one are refused unless the job says merge") {
  core::FolderRules rules;
  rules.map = {{"A", "Common"}, {"B", "Common"}};
  std::vector<source::SourceFolder> sources{folder({"A"}), folder({"B"}), folder({"C"})};
  auto plan = sync::make_plan(sources, kGmail, kGmailNs, with_rules(rules));
  CHECK_FALSE(plan.ok());
  CHECK(of(plan, "C").problem.empty());
  CHECK(plan.problems() ==
        "\"A\" and \"B\" would all go into \"Common\"; give them different targets with \"map\", "
        "or allow it with \"merge\": true");
  rules.merge = true;
  auto merged = sync::make_plan(sources, kGmail, kGmailNs, with_rules(rules));
  CHECK(merged.ok());
  CHECK(of(merged, "B").target == "Common");

  // The delimiter replacement can make two names one: refused as well.
  auto replaced = sync::make_plan({folder({"a.b"}), folder({"a_b"})}, kCourier, kCourierNs, {});
  CHECK_FALSE(replaced.ok());
  CHECK_FALSE(of(replaced, "a.b").problem.empty());
  CHECK(of(replaced, "a_b").target == "INBOX.a_b");
}

TEST_CASE("folder mapping: names that cannot be folder names are problems, named") {
  auto plan = sync::make_plan(
      {folder({"ok"}), folder({"bad\nname"}), folder({"x", ""}), folder({"\xff\xfe"})}, kGmail,
      kGmailNs, {});
  CHECK_FALSE(plan.ok());
  CHECK(of(plan, "ok").problem.empty());
  CHECK(of(plan, "bad\nname").problem.find("control character") != std::string::npos);
  CHECK(of(plan, "x/").problem.find("empty name") != std::string::npos);
  CHECK(of(plan, "\xff\xfe").problem.find("not UTF-8") != std::string::npos);
  CHECK(plan.problems().find("folder \"bad\nname\": the name") == 0);
}

TEST_CASE("folder mapping: include and exclude globs") {
  core::FolderRules rules;
  rules.include = {"Archives", "Sent*"};
  rules.exclude = {"archives/20?9", "**/Private"};
  auto plan =
      sync::make_plan({folder({"Inbox"}, Role::Inbox), folder({"Sent Items"}, Role::Sent),
                       folder({"Archives"}), folder({"Archives", "2019"}),
                       folder({"Archives", "2020"}), folder({"Archives", "2020", "Private"})},
                      kGmail, kGmailNs, with_rules(rules));
  std::vector<std::string> kept;
  for (const auto& a : plan.assignments) kept.push_back(a.source.display_name());
  CHECK(kept == std::vector<std::string>{"Sent Items", "Archives", "Archives/2020"});
  CHECK(plan.left_out ==
        std::vector<std::string>{"Inbox", "Archives/2019", "Archives/2020/Private"});

  CHECK(core::folder_glob_matches("Archives", "Archives/2019/Q1"));  // parents match children
  CHECK(core::folder_glob_matches("*/2019", "Archives/2019"));
  CHECK(core::folder_glob_matches("*", "Archives/2019"));  // through its parent
  CHECK_FALSE(core::folder_glob_matches("A*s/x", "Archives/2019"));
  CHECK(core::folder_glob_matches("**/Q?", "Archives/2019/Q1"));
  CHECK(core::folder_glob_matches("ärger", "Ärger"));
  CHECK(core::folder_glob_matches("보낸*", "보낸 편지함"));
  CHECK(core::folder_glob_matches("?", "é"));
  CHECK_FALSE(core::folder_glob_matches("Sent", "Sent Items"));
}

TEST_CASE("folder mapping: a flat server joins levels with '_'") {
  auto plan = sync::make_plan({folder({"Archives", "2019"})}, {tf("INBOX", '\0', Role::Inbox)},
                              {"", '\0'}, {});
  CHECK(plan.ok());
  CHECK(of(plan, "Archives/2019").target == "Archives_2019");
}

TEST_CASE("folder mapping: folders the source names alike share their target") {
  // A PST may hold two top-level "Inbox" folders (one the store's Inbox) and
  // two "Deleted Items/SubInbox": nobody can tell them apart by name.
  auto plan = sync::make_plan(
      {folder({"Inbox"}, Role::Inbox), folder({"Inbox"}), folder({"Deleted Items"}, Role::Trash),
       folder({"Deleted Items", "Sub"}), folder({"Deleted Items", "Sub"})},
      kGmail, kGmailNs, {});
  CHECK(plan.ok());
  CHECK(of(plan, "Deleted Items/Sub").target == "[Gmail]/Bin/Sub");
  // Folders named differently still collide.
  core::FolderRules rules;
  rules.map = {{"Other", "Archives"}};
  auto clash = sync::make_plan({folder({"Archives"}), folder({"Other"})}, kGmail, kGmailNs,
                               with_rules(rules));
  CHECK_FALSE(clash.ok());
  // A map rule onto a role folder joins that role's folder by intent.
  rules.map = {{"Other", "\\Sent"}};
  auto joined = sync::make_plan({folder({"Sent"}, Role::Sent), folder({"Other"})}, kGmail, kGmailNs,
                                with_rules(rules));
  CHECK(joined.ok());
  CHECK(of(joined, "Other").target == "[Gmail]/Sent Mail");
}

TEST_CASE(
    "folder mapping: a folder whose own name is the target joins it, a rule's choice does not") {
  // outlook.pst: the store's Inbox is "收件箱", and a user folder is called "Inbox".
  auto plan = sync::make_plan({folder({"收件箱"}, Role::Inbox), folder({"Inbox"}),
                               folder({"Sent Items"}, Role::Sent), folder({"Sent Mail"})},
                              kGmail, kGmailNs, {});
  CHECK(plan.ok());
  CHECK(of(plan, "Inbox").target == "INBOX");
  // The same under a prefix: identical source paths share their folder.
  core::FolderRules rules;
  rules.prefix = "Old";
  auto prefixed = sync::make_plan(
      {folder({"Inbox"}, Role::Inbox), folder({"Inbox"}), folder({"a.b"}), folder({"a_b"})},
      kCourier, kCourierNs, with_rules(rules));
  CHECK(of(prefixed, "Inbox").problem.empty());
  // "a.b" becomes "a_b" on a '.' server: that collision is not the source's own.
  CHECK_FALSE(of(prefixed, "a_b").problem.empty());
}

TEST_CASE("folder mapping: a \\Noselect placeholder on the server is created, not selected") {
  // "Archives" is only a parent on the server (\Noselect): it cannot hold
  // mail until a CREATE makes it a folder.
  target::TargetFolder placeholder = tf("Archives", '/');
  placeholder.selectable = false;
  auto plan = sync::map_folders({folder({"Archives"}), folder({"Archives", "2019"})},
                                {tf("INBOX", '/'), placeholder, tf("Archives/2019", '/')}, {});
  REQUIRE(plan.size() == 2);
  CHECK(plan[0].target == "Archives");
  CHECK_FALSE(plan[0].exists);
  CHECK(plan[1].target == "Archives/2019");
  CHECK(plan[1].exists);
}
