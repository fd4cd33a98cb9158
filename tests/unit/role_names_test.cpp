#include "mailferry/core/role_names.hpp"

#include <doctest/doctest.h>

#include <set>

#include "mailferry/mbox/folder_tree.hpp"
#include "mailferry/pst/folder_roles.hpp"

using namespace mailferry;
using core::GmailMarker;
using core::Role;

TEST_CASE("role names: the data file parses completely and covers every language asked for") {
  const auto& table = core::role_name_table();
  CHECK(table.bad.empty());
  REQUIRE(table.rows.size() > 250);
  std::set<std::string> languages;
  for (const auto& row : table.rows) languages.insert(row.language.substr(0, 2));
  for (const char* lang :
       {"en", "de", "fr", "es", "pt", "it", "nl", "pl", "ru", "ja", "zh", "ko", "vi"})
    CHECK_MESSAGE(languages.count(lang) == 1, lang);
  // Every language has a name for each main role among its folder rows.
  for (const char* lang :
       {"de", "fr", "es", "pt", "it", "nl", "pl", "ru", "ja", "zh", "ko", "vi"}) {
    std::set<std::string> roles;
    for (const auto& row : table.rows)
      if (row.language.substr(0, 2) == lang) roles.insert(row.role);
    for (const char* role : {"sent", "drafts", "trash", "junk"})
      CHECK_MESSAGE(roles.count(role) == 1, lang << " lacks " << role);
  }
}

TEST_CASE("role names: keys ignore case, accents, spaces and dashes, and nothing else") {
  CHECK(core::name_key("Junk E-mail") == core::name_key("junk email"));
  CHECK(core::name_key("JunkEmail") == core::name_key("Junk-E-Mail"));
  CHECK(core::name_key("Удалённые") == core::name_key("удаленные"));
  CHECK(core::name_key("보낸 편지함") == core::name_key("보낸편지함"));
  CHECK(core::name_key("ＳＥＮＴ") == core::name_key("sent"));              // full-width forms
  CHECK(core::name_key("Entwu\xCC\x88rfe") == core::name_key("Entwürfe"));  // decomposed ü
  CHECK(core::name_key("Boîte d’envoi") == core::name_key("Boite d'envoi"));
  CHECK(core::name_key("Sent") != core::name_key("Sent2"));
  CHECK(core::name_key("보낸 편지함") != core::name_key("받은 편지함"));
  // Not UTF-8: compared as bytes, ASCII case folded; never throws.
  CHECK(core::name_key("SENT\xff") == core::name_key("sent\xff"));
  CHECK(core::fold_case("ÄrGER") == core::fold_case("ärger"));
  CHECK(core::fold_case("a b") != core::fold_case("ab"));
}

TEST_CASE("role names: folder names in many languages") {
  struct Case {
    const char* name;
    Role role;
  };
  const Case cases[] = {
      {"Sent", Role::Sent},
      {"Sent Items", Role::Sent},
      {"sent messages", Role::Sent},
      {"Gesendete Elemente", Role::Sent},
      {"Éléments envoyés", Role::Sent},
      {"Elementos enviados", Role::Sent},
      {"Itens Enviados", Role::Sent},
      {"Posta inviata", Role::Sent},
      {"Verzonden items", Role::Sent},
      {"Elementy wysłane", Role::Sent},
      {"Отправленные", Role::Sent},
      {"送信済みアイテム", Role::Sent},
      {"已发送邮件", Role::Sent},
      {"寄件備份", Role::Sent},
      {"보낸 편지함", Role::Sent},
      {"Thư đã gửi", Role::Sent},
      {"Sent Mail", Role::Sent},
      {"임시 보관함", Role::Drafts},
      {"Entwürfe", Role::Drafts},
      {"下書き", Role::Drafts},
      {"지운 편지함", Role::Trash},
      {"Deleted Messages", Role::Trash},
      {"Papierkorb", Role::Trash},
      {"Corbeille", Role::Trash},
      {"Bin", Role::Trash},
      {"정크 메일", Role::Junk},
      {"스팸 메일함", Role::Junk},
      {"Spam", Role::Junk},
      {"Junk E-mail", Role::Junk},
      {"迷惑メール", Role::Junk},
      {"Archives", Role::Archive},
      {"Unsent Messages", Role::Outbox},
      {"Posteingang", Role::Inbox},
      {"All Mail", Role::All},
      {"Starred", Role::Flagged},
      {"Templates", Role::None},
      {"Important", Role::None},  // Gmail's marker, not a role
      {"Opened", Role::None},     // a Takeout label, never a folder name
      {"Projects", Role::None},
      {"", Role::None},
  };
  for (const auto& c : cases)
    CHECK_MESSAGE(core::role_from_folder_name(c.name).role == c.role, c.name);
  // Earlier rows rank first: a server's "Sent" beats its "Sent Items".
  CHECK(core::role_from_folder_name("Sent").rank < core::role_from_folder_name("Sent Items").rank);
  CHECK(core::is_name_of_role("Gesendet", Role::Sent));
  CHECK_FALSE(core::is_name_of_role("Gesendet", Role::Drafts));
  CHECK(core::default_role_folder_name(Role::Sent) == "Sent");
  CHECK(core::default_role_folder_name(Role::Inbox).empty());
}

TEST_CASE("role names: Gmail Takeout labels, localized") {
  CHECK(core::gmail_label_meaning("Inbox").role == Role::Inbox);
  CHECK(core::gmail_label_meaning("Sent").role == Role::Sent);
  CHECK(core::gmail_label_meaning("Gesendet").role == Role::Sent);
  CHECK(core::gmail_label_meaning("Messages envoyés").role == Role::Sent);
  CHECK(core::gmail_label_meaning("보낸편지함").role == Role::Sent);
  CHECK(core::gmail_label_meaning("Spam").role == Role::Junk);
  CHECK(core::gmail_label_meaning("Papierkorb").role == Role::Trash);
  CHECK(core::gmail_label_meaning("Drafts").role == Role::Drafts);
  CHECK(core::gmail_label_meaning("Archived").role == Role::Archive);
  CHECK(core::gmail_label_meaning("Starred").marker == GmailMarker::Starred);
  CHECK(core::gmail_label_meaning("Markiert").marker == GmailMarker::Starred);
  CHECK(core::gmail_label_meaning("Important").marker == GmailMarker::Important);
  CHECK(core::gmail_label_meaning("Wichtig").marker == GmailMarker::Important);
  CHECK(core::gmail_label_meaning("Unread").marker == GmailMarker::Unread);
  CHECK(core::gmail_label_meaning("Opened").marker == GmailMarker::Opened);
  CHECK(core::gmail_label_meaning("Category Promotions").marker == GmailMarker::Category);
  CHECK(core::gmail_label_meaning("Kategorie Foren").marker == GmailMarker::Category);
  // The user's own labels are folders, even when they look like an Outlook name.
  auto own = core::gmail_label_meaning("Sent Items");
  CHECK(own.role == Role::None);
  CHECK(own.marker == GmailMarker::None);
  CHECK(core::gmail_label_meaning("Category").marker == GmailMarker::None);
  CHECK(core::gmail_label_meaning("Receipts/2019").role == Role::None);
}

TEST_CASE("role names: mbox trees and PST fallback use the table") {
  CHECK(mbox::guess_role_from_name("Sent") == Role::Sent);
  CHECK(mbox::guess_role_from_name("Gesendet") == Role::Sent);
  CHECK(mbox::guess_role_from_name("Éléments supprimés") == Role::Trash);
  CHECK(mbox::guess_role_from_name("Unsent Messages") == Role::Outbox);
  CHECK(mbox::guess_role_from_name("Archives") == Role::Archive);
  CHECK(mbox::guess_role_from_name("Templates") == Role::None);
  CHECK(mbox::guess_role_from_name("Starred") == Role::None);  // a server view, not a folder
  CHECK(pst::role_from_folder_name("보낸 편지함") == Role::Sent);
  CHECK(pst::role_from_folder_name("Junk-E-Mail") == Role::Junk);
  CHECK(pst::role_from_folder_name("All Mail") == Role::None);
}
