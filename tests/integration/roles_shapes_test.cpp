// End to end: the same PST file, Thunderbird tree and non-ASCII folder tree
// land in the right role folders on differently shaped servers, through the
// real binary, checked with an independent IMAP client:
//  (a) SPECIAL-USE with Dovecot's default names;
//  (b) no SPECIAL-USE, everything below "INBOX." with '.' as delimiter, and
//      Outlook-style names ("INBOX.Sent Items") or Korean ones;
//  (c) '/' delimiter, no SPECIAL-USE, Gmail-style "[Gmail]/Sent Mail", or
//      Japanese / German names.
// The server's folders of the non-default shapes are made with doveadm, as a
// real server's would be there before the migration.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <set>

#include "roles_test_support.hpp"

using namespace mailferry;
using namespace mailferry::testing;
using namespace mailferry::roles_test;

namespace {

struct ServerNames {
  std::string inbox = "INBOX";
  std::string sent, drafts, trash;
  std::string archive_2019;  // where Thunderbird's Archives/2019 goes
};

// Thunderbird's Inbox, Sent, Drafts and Archives/2019 are where `names` says,
// and no second Sent or Drafts was made.
void check_thunderbird(const Snapshot& server, const ServerNames& names) {
  auto source = thunderbird_messages();
  CHECK(shas(server, names.inbox) == source.at("Inbox"));
  CHECK(shas(server, names.sent) == source.at("Sent"));
  CHECK(shas(server, names.drafts) == source.at("Drafts"));
  CHECK(shas(server, names.archive_2019) == source.at("Archives/2019"));
  std::size_t total = 0;
  for (const auto& [folder, messages] : server) total += messages.size();
  CHECK(total == 8);
  for (const auto& [folder, messages] : server) {
    INFO("server folder " << folder);
    if (folder != names.sent) CHECK(folder.find("Sent") == std::string::npos);
  }
}

// The PST's Sent Items are in the server's Sent folder, and nothing else was uploaded.
void check_pst(const Snapshot& server, const std::string& sent) {
  auto source = pst_messages("Test_part1.pst");
  REQUIRE(source.count("Sent Items") == 1);
  CHECK_FALSE(source.at("Sent Items").empty());
  CHECK(shas(server, sent) == source.at("Sent Items"));
  std::size_t total = 0;
  for (const auto& [folder, messages] : server) total += messages.size();
  CHECK(total == source.at("Sent Items").size());
}

// Korean, Japanese and German folder names on the source side.
void check_intl(const Snapshot& server, const ServerNames& names, char delimiter,
                const std::string& prefix, const std::string& tree) {
  auto source = intl_messages(tree);
  CHECK(shas(server, names.sent) == source.at("보낸 편지함"));
  CHECK(shas(server, names.drafts) == source.at("下書き"));
  const std::string d(1, delimiter);
  CHECK(shas(server, prefix + "Größe" + d + "Übersicht") == source.at("Größe/Übersicht"));
  CHECK(shas(server, prefix + "プロジェクト") == source.at("プロジェクト"));
}

// Migrates the Thunderbird tree into `user`'s account and checks where it went.
void migrate_thunderbird(const DovecotServer& server, const std::string& user,
                         const ServerNames& names) {
  auto run = sync_to(server, user, "mbox:" + thunderbird_dir());
  REQUIRE_MESSAGE(run.exit_code == 0, run.describe());
  check_thunderbird(imap_snapshot(server, user), names);
}

// Migrates Test_part1.pst (its Sent Items only) and checks they are in `sent`.
void migrate_pst_sent(const DovecotServer& server, const std::string& user,
                      const std::string& sent) {
  auto run = sync_to(server, user, "pst:" + corpus_file("pst/Test_part1.pst"));
  REQUIRE_MESSAGE(run.exit_code == 0, run.describe());
  check_pst(imap_snapshot(server, user), sent);
}

// Migrates the Korean, Japanese and German tree and checks where it went.
void migrate_intl(const DovecotServer& server, const std::string& user, const ServerNames& names,
                  char delimiter, const std::string& prefix) {
  TempDir dir;
  const std::string tree = write_intl_tree(dir);
  auto run = sync_to(server, user, "mbox:" + tree);
  REQUIRE_MESSAGE(run.exit_code == 0, run.describe());
  check_intl(imap_snapshot(server, user), names, delimiter, prefix, tree);
}

}  // namespace

TEST_CASE("roles (a): SPECIAL-USE with default names") {
  DovecotServer server;
  // Thunderbird's Archives: the server lists no \Archive folder, so one is made.
  migrate_thunderbird(server, "tb", {"INBOX", "Sent", "Drafts", "Trash", "Archives/2019"});
  migrate_pst_sent(server, "pst", "Sent");
  migrate_intl(server, "intl", {"INBOX", "Sent", "Drafts", "Trash", ""}, '/', "");
  // A second run finds everything in place and uploads nothing.
  migrate_thunderbird(server, "tb", {"INBOX", "Sent", "Drafts", "Trash", "Archives/2019"});
}

TEST_CASE("roles (b): no SPECIAL-USE, INBOX. prefix, '.' delimiter, Outlook and Korean names") {
  DovecotShape shape;
  shape.special_use = false;
  shape.separator = ".";
  shape.prefix = "INBOX.";
  shape.default_folders = false;
  DovecotServer server(shape);
  for (const char* user : {"tb", "pst"})
    server.create_mailboxes(
        user, {"INBOX.Sent Items", "INBOX.Drafts", "INBOX.Deleted Items", "INBOX.Junk E-mail"});
  migrate_thunderbird(
      server, "tb",
      {"INBOX", "INBOX.Sent Items", "INBOX.Drafts", "INBOX.Deleted Items", "INBOX.Archives.2019"});
  migrate_pst_sent(server, "pst", "INBOX.Sent Items");

  // A Korean server's own folders, and non-ASCII names from the source.
  server.create_mailboxes(
      "ko", {"INBOX.보낸 편지함", "INBOX.임시 보관함", "INBOX.지운 편지함", "INBOX.정크 메일"});
  migrate_thunderbird(server, "ko",
                      {"INBOX", "INBOX.보낸 편지함", "INBOX.임시 보관함", "INBOX.지운 편지함",
                       "INBOX.Archives.2019"});
  migrate_intl(server, "ko", {"INBOX", "INBOX.보낸 편지함", "INBOX.임시 보관함", "", ""}, '.',
               "INBOX.");
  // Every name the server has is what the plan said, in the personal namespace.
  for (const auto& name : server.mailboxes("ko")) CHECK_MESSAGE(name.rfind("INBOX", 0) == 0, name);
}

TEST_CASE("roles (c): '/' delimiter, Gmail-style [Gmail]/ folders, Japanese and German names") {
  DovecotShape shape;
  shape.special_use = false;
  shape.default_folders = false;
  DovecotServer server(shape);
  for (const char* user : {"tb", "pst"})
    server.create_mailboxes(user, {"[Gmail]/Sent Mail", "[Gmail]/Drafts", "[Gmail]/Trash",
                                   "[Gmail]/Spam", "[Gmail]/All Mail", "[Gmail]/Starred"});
  migrate_thunderbird(
      server, "tb",
      {"INBOX", "[Gmail]/Sent Mail", "[Gmail]/Drafts", "[Gmail]/Trash", "Archives/2019"});
  migrate_pst_sent(server, "pst", "[Gmail]/Sent Mail");

  server.create_mailboxes("ja", {"送信済みアイテム", "下書き", "削除済みアイテム", "迷惑メール"});
  migrate_thunderbird(server, "ja",
                      {"INBOX", "送信済みアイテム", "下書き", "削除済みアイテム", "Archives/2019"});

  server.create_mailboxes(
      "de", {"[Google Mail]/Gesendet", "[Google Mail]/Entwürfe", "[Google Mail]/Papierkorb"});
  migrate_intl(server, "de", {"INBOX", "[Google Mail]/Gesendet", "[Google Mail]/Entwürfe", "", ""},
               '/', "");
}
