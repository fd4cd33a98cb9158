// The same migrations on every kind of server users have, each a real server
// started by the test on loopback ports:
//  - Dovecot as Debian configures it (NAMESPACE, SPECIAL-USE, UIDPLUS, ...);
//  - Dovecot advertising a minimal IMAP4rev1 (no NAMESPACE, LITERAL+, UIDPLUS,
//    CONDSTORE, SPECIAL-USE or MULTIAPPEND), its folders below "INBOX." with
//    '.', and a fresh account holding INBOX alone (the shape of many hosting
//    servers);
//  - Cyrus IMAP and Courier-IMAP from Debian's packages, unpacked privately.
// On each: a Thunderbird tree and a whole PST with all roles into an empty
// account, the helpdesk's Sent-only run into an account that has its Sent
// folder under its local name, a non-ASCII --to-folder, POP3 -> IMAP where the
// server offers POP3, IMAP -> IMAP between two accounts, re-runs that add
// nothing, check, and kill -9 mid-run.
// What landed is read with an independent IMAP client (imap_snapshot.py).
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <chrono>
#include <functional>
#include <memory>
#include <random>

#include "crash_support.hpp"
#include "roles_test_support.hpp"
#include "support/packaged_server.hpp"

using namespace mailferry;
using namespace mailferry::testing;
using namespace mailferry::roles_test;

namespace {

const std::string kExampleInbox = std::string(MAILFERRY_SOURCE_DIR) + "/examples/mbox/Inbox.mbox";

// The last component of a folder name, whichever delimiter the server uses.
std::string leaf(const std::string& folder) {
  const auto cut = folder.find_last_of("./");
  return cut == std::string::npos ? folder : folder.substr(cut + 1);
}

// Names servers give their own Sent, Drafts and Trash folders.
bool is_role_name(const std::string& folder, const std::string& role) {
  const std::string l = leaf(folder);
  if (role == "sent") return l == "Sent" || l == "Sent Items" || l == "Sent Messages";
  if (role == "drafts") return l == "Drafts";
  return l == "Trash" || l == "Deleted Items" || l == "Deleted Messages";
}

std::set<std::string> folder_names(const Snapshot& snapshot) {
  std::set<std::string> names;
  for (const auto& [name, messages] : snapshot) names.insert(name);
  return names;
}

std::size_t total(const Snapshot& snapshot) {
  std::size_t n = 0;
  for (const auto& [name, messages] : snapshot) n += messages.size();
  return n;
}

// Folder -> "UID SHA-256 flags" of each message: equal when nothing changed.
std::map<std::string, std::set<std::string>> summary(const Snapshot& snapshot) {
  std::map<std::string, std::set<std::string>> out;
  for (const auto& [name, messages] : snapshot) {
    auto& lines = out[name];
    for (const auto& m : messages) {
      std::string line = std::to_string(m.uid) + " " + m.sha256;
      for (const auto& f : m.flags)
        if (f != "\\Recent") line += " " + f;
      lines.insert(line);
    }
  }
  return out;
}

// The account's own folder for `role` before the migration, if it has one.
std::string own_folder(const std::set<std::string>& before, const std::string& role) {
  for (const auto& name : before)
    if (is_role_name(name, role)) return name;
  return {};
}

// The folder the run put `role`'s messages in: the account's own one where it
// had one (and then no second one beside it), else the one new such folder.
std::string role_folder(const std::set<std::string>& before, const Snapshot& after,
                        const std::string& role) {
  const std::string own = own_folder(before, role);
  std::vector<std::string> made;
  for (const auto& name : folder_names(after))
    if (before.count(name) == 0 && is_role_name(name, role)) made.push_back(name);
  if (!own.empty()) {
    CHECK_MESSAGE(made.empty(), "a second " << role << " folder beside " << own << ": " << made[0]);
    return own;
  }
  REQUIRE_MESSAGE(made.size() == 1, "no single new " << role << " folder");
  return made[0];
}

// Where the account had its own Sent, Drafts or Trash, the run made no
// second one beside it.
void check_no_second_role_folder(const std::set<std::string>& before, const Snapshot& after) {
  for (const char* role : {"sent", "drafts", "trash"}) {
    const std::string own = own_folder(before, role);
    if (own.empty()) continue;
    for (const auto& name : folder_names(after))
      if (before.count(name) == 0)
        CHECK_MESSAGE(!is_role_name(name, role), "a second " << role << " folder: " << name);
  }
}

// Every folder name is INBOX, or below the personal namespace's prefix.
void check_in_namespace(const Snapshot& after, const std::string& prefix) {
  for (const auto& name : folder_names(after))
    CHECK_MESSAGE((name == "INBOX" || name.rfind(prefix, 0) == 0), name << " outside " << prefix);
}

// `mailferry sync` into `user`, which must end complete.
void sync_ok(const MailServer& server, const std::string& user, const std::string& from,
             const std::vector<std::string>& extra = {}) {
  auto run = run_mailferry(server.sync_args(from, user, extra));
  REQUIRE_MESSAGE(run.exit_code == 0, server.kind() << ": " << run.describe());
}

// A re-run uploads nothing and `check` agrees that nothing is missing.
void check_settled(const MailServer& server, const std::string& user, const std::string& from,
                   const std::vector<std::string>& extra = {}) {
  const auto before = summary(imap_snapshot(server, user));
  sync_ok(server, user, from, extra);
  CHECK(summary(imap_snapshot(server, user)) == before);
  std::vector<std::string> check{"check", "--from", from};
  for (auto& a : server.target_args(user)) check.push_back(a);
  check.insert(check.end(), extra.begin(), extra.end());
  auto checked = run_mailferry(check);
  CHECK_MESSAGE(checked.exit_code == 0, checked.describe());
}

void thunderbird_tree(const MailServer& server, const std::string& prefix) {
  const std::string user = "tb";
  server.add_user(user);
  const auto before = folder_names(imap_snapshot(server, user));
  const std::string from = "mbox:" + thunderbird_dir();
  sync_ok(server, user, from);
  const Snapshot after = imap_snapshot(server, user);
  const auto source = thunderbird_messages();
  CHECK(shas(after, "INBOX") == source.at("Inbox"));
  CHECK(shas(after, role_folder(before, after, "sent")) == source.at("Sent"));
  CHECK(shas(after, role_folder(before, after, "drafts")) == source.at("Drafts"));
  std::size_t expected = 0;
  for (const auto& [folder, messages] : source) expected += messages.size();
  CHECK(total(after) == expected);  // each exactly once
  check_no_second_role_folder(before, after);
  check_in_namespace(after, prefix);
  check_settled(server, user, from);
}

void whole_pst(const MailServer& server, const std::string& prefix) {
  const std::string user = "pst";
  server.add_user(user);
  const auto before = folder_names(imap_snapshot(server, user));
  const std::string from = "pst:" + corpus_file("pst/Test_part1.pst");
  sync_ok(server, user, from);
  const Snapshot after = imap_snapshot(server, user);
  const auto source = pst_messages("Test_part1.pst");
  CHECK(shas(after, role_folder(before, after, "sent")) == source.at("Sent Items"));
  std::size_t expected = 0;
  for (const auto& [folder, messages] : source) expected += messages.size();
  CHECK(total(after) == expected);
  // The PST's empty Outbox (Outlook's local queue) is left out.
  for (const auto& name : folder_names(after)) CHECK(leaf(name) != "Outbox");
  check_no_second_role_folder(before, after);
  check_in_namespace(after, prefix);
  check_settled(server, user, from);
}

// The helpdesk: the user's account has its Sent folder under its local name;
// exactly the PST's Sent items go there, and nothing else is made.
void helpdesk_sent(const MailServer& server, const std::string& prefix,
                   const std::function<void(const std::string&)>& make_local_sent) {
  const std::string user = "helpdesk";
  server.add_user(user);
  make_local_sent(user);
  const auto before = folder_names(imap_snapshot(server, user));
  const std::string sent = own_folder(before, "sent");
  REQUIRE_MESSAGE(!sent.empty(), "the account has no Sent folder to recover into");
  const std::string from = "pst:" + corpus_file("pst/Test_part1.pst");
  sync_ok(server, user, from, {"--only-role", "sent"});
  const Snapshot after = imap_snapshot(server, user);
  CHECK(shas(after, sent) == pst_messages("Test_part1.pst").at("Sent Items"));
  CHECK(folder_names(after) == before);
  check_in_namespace(after, prefix);
  check_settled(server, user, from, {"--only-role", "sent"});
}

void non_ascii_folder(const MailServer& server, const std::string& prefix) {
  const std::string user = "intl";
  server.add_user(user);
  const std::string from = "mbox:" + kExampleInbox;
  const std::string folder = "Überweisungen 2024 – 請求書";
  sync_ok(server, user, from, {"--to-folder", folder});
  const Snapshot after = imap_snapshot(server, user);
  CHECK(shas(after, prefix + folder) == all_mbox_messages(kExampleInbox));
  check_in_namespace(after, prefix);
  check_settled(server, user, from, {"--to-folder", folder});
}

// POP3 -> IMAP on the same server: one account's INBOX, read over POP3S,
// lands in another's INBOX.
void pop3_to_imap(const MailServer& server) {
  const std::string from_user = "popfrom", to_user = "popto";
  server.add_user(from_user);
  server.add_user(to_user);
  sync_ok(server, from_user, "mbox:" + kExampleInbox, {"--to-folder", "INBOX"});
  const Shas sent_over_pop3 = shas(imap_snapshot(server, from_user), "INBOX");
  REQUIRE_FALSE(sent_over_pop3.empty());
  const std::vector<std::string> extra{"--from-password-file", server.password_file()};
  const std::string from = server.url("pop3s", from_user);
  sync_ok(server, to_user, from, extra);
  const Snapshot after = imap_snapshot(server, to_user);
  CHECK(shas(after, "INBOX") == sent_over_pop3);
  CHECK(total(after) == sent_over_pop3.size());
  check_settled(server, to_user, from, extra);
}

// IMAP -> IMAP on the same server: the Thunderbird account (nested folders,
// roles, flags, dates) read over IMAPS into an empty account lands in the
// same folders, byte for byte with its flags and dates, and the source
// account is left exactly as it was (\Seen included).
void imap_to_imap(const MailServer& server) {
  const std::string from_user = "tb", to_user = "imapcopy";
  server.add_user(to_user);
  const Snapshot source_before = imap_snapshot(server, from_user);
  const std::vector<std::string> extra{"--from-password-file", server.password_file()};
  const std::string from = server.url("imaps", from_user);
  sync_ok(server, to_user, from, extra);
  CHECK(summary(imap_snapshot(server, from_user)) == summary(source_before));
  CHECK(mail_contents(imap_snapshot(server, to_user)) == mail_contents(source_before));
  check_settled(server, to_user, from, extra);
}

// kill -9 at random moments, then a run to the end: each message once.
void killed_and_rerun(const MailServer& server) {
  const std::string user = "killed";
  server.add_user(user);
  // The first 300 messages of a real list archive: enough for a kill to land
  // mid-upload on every server, few enough for servers that take a round
  // trip per APPEND (no LITERAL+).
  TempDir dir;
  const std::string whole = read_file(corpus_file("mbox/linux-samsung-soc-2020-2000msgs.mboxrd"));
  std::size_t end = 0;
  for (int n = 0; n < 300 && end != std::string::npos; ++n) end = whole.find("\nFrom ", end + 1);
  REQUIRE(end != std::string::npos);
  dir.write_file("first-300.mboxrd", whole.substr(0, end + 1));
  const std::string file = dir.file("first-300.mboxrd");
  std::vector<std::string> args{"sync", "--from", "mbox:" + file, "--quiet"};
  for (auto& a : server.target_args(user)) args.push_back(a);
  std::mt19937 random(20261207);
  int killed_mid_run = 0;
  for (int round = 0; round < 3; ++round) {
    const int status = crash::run_and_kill(args, std::chrono::milliseconds(200 + random() % 500));
    if (WIFSIGNALED(status)) ++killed_mid_run;
  }
  CHECK(killed_mid_run > 0);
  sync_ok(server, user, "mbox:" + file);
  const Snapshot after = imap_snapshot(server, user);
  const Shas source = all_mbox_messages(file);
  CHECK(source.size() >= 295);  // a few may share a Message-ID and size
  CHECK(shas(after, "INBOX") == source);
  CHECK(total(after) == source.size());
}

// Everything above on one server, whose personal folders begin with `prefix`.
void conformance(const MailServer& server, const std::string& prefix,
                 const std::function<void(const std::string&)>& make_local_sent) {
  INFO("server: " << server.kind());
  thunderbird_tree(server, prefix);
  imap_to_imap(server);
  whole_pst(server, prefix);
  helpdesk_sent(server, prefix, make_local_sent);
  non_ascii_folder(server, prefix);
  if (server.has_pop3()) pop3_to_imap(server);
  killed_and_rerun(server);
}

// Servers that make Sent for every account already have it.
void has_sent_already(const std::string&) {}

}  // namespace

TEST_CASE("server conformance: Dovecot as Debian configures it") {
  DovecotServer server;
  conformance(server, "", has_sent_already);
}

TEST_CASE("server conformance: Dovecot as a minimal IMAP4rev1 with folders below INBOX.") {
  DovecotShape shape;
  shape.minimal = true;
  shape.separator = ".";
  shape.prefix = "INBOX.";
  shape.default_folders = false;  // a fresh account holds INBOX alone
  DovecotServer server(shape);
  conformance(server, "INBOX.", [&](const std::string& user) {
    server.create_mailboxes(user, {"INBOX.Sent Items"});
  });
}

TEST_CASE("server conformance: Cyrus IMAP from Debian's package") {
  PackagedServer server("cyrus");
  conformance(server, "INBOX.", has_sent_already);
}

TEST_CASE("server conformance: Courier-IMAP from Debian's package") {
  PackagedServer server("courier");
  conformance(server, "INBOX.", has_sent_already);
}
