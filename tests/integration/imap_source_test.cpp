// End to end: an IMAP account of a real Dovecot as the source, migrated by the
// mailferry binary into another account, and checked with an independent
// IMAP client (tests/tools/imap_snapshot.py): every folder (nested, roles,
// non-ASCII names) arrives with each message byte-identical, with its flags,
// keywords and INTERNALDATE; the source is left exactly as it was (\Seen is
// never set by reading); re-runs add nothing, bring new mail, flags added and
// removed on the source (while the target's own stay), and a folder
// renumbered on the source (new UIDVALIDITY) brings no duplicate; kill -9 and connections cut
// mid-FETCH end with every message exactly once.
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "crash_support.hpp"
#include "support/dovecot_maildir.hpp"
#include "support/dovecot_server.hpp"
#include "support/fault_proxy.hpp"
#include "support/imap_snapshot.hpp"
#include "support/mail_text.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

using namespace mailferry::testing;

namespace {

using Snapshot = std::map<std::string, std::vector<ServerMessage>>;

std::string corpus(const std::string& relative) {
  return std::string(MAILFERRY_CORPUS_DIR) + "/" + relative;
}

const std::string kIntlFolder = "Überweisungen 2024 – 請求書";

// Folder -> "UID SHA-256 flags" of each message: equal when nothing changed.
std::map<std::string, std::vector<std::string>> unchanged_form(const Snapshot& snapshot) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& [name, messages] : snapshot)
    for (const auto& m : messages) {
      std::string line = std::to_string(m.uid) + " " + m.sha256;
      for (const auto& f : m.flags)
        if (f != "\\Recent") line += " " + f;
      out[name].push_back(std::move(line));
    }
  return out;
}

void same_mail(const Snapshot& target, const Snapshot& source) {
  const auto expected = mail_contents(source), found = mail_contents(target);
  CHECK_MESSAGE(found == expected, crash::difference(expected, found));
}

std::size_t total(const Snapshot& snapshot) {
  std::size_t n = 0;
  for (const auto& [name, messages] : snapshot) n += messages.size();
  return n;
}

// mailferry VERB from the IMAP account `from_user` of `server` into `to_user`,
// with `extra`.
std::vector<std::string> account_args(const DovecotServer& server, const std::string& verb,
                                      const std::string& from_user, const std::string& to_user,
                                      std::vector<std::string> extra) {
  extra.insert(extra.begin(), {"--from-password-file", server.password_file()});
  auto args = server.sync_args(server.url("imaps", from_user), to_user, extra);
  args.front() = verb;
  return args;
}

// `mailferry sync` from the IMAP account `from_user` into `to_user`, with
// the state and a report in `dir`; the report, with the output beside it.
nlohmann::json sync(const DovecotServer& server, const TempDir& dir, const std::string& from_user,
                    const std::string& to_user, const std::string& run, int exit_code,
                    const std::string& from_url = {}) {
  const std::string report = dir.file(run + ".json");
  auto result = run_mailferry(
      server.sync_args(from_url.empty() ? server.url("imaps", from_user) : from_url, to_user,
                       {"--from-password-file", server.password_file(), "--state",
                        dir.file(to_user + ".db"), "--report", report}));
  INFO(run << ": " << result.describe());
  CHECK(result.exit_code == exit_code);
  auto json = nlohmann::json::parse(read_file(report));
  json["output"] = result.out + result.err;
  return json;
}

int counter(const nlohmann::json& report, const char* name) {
  return report["totals"][name].get<int>();
}

// Real messages in three folders, with the flags and dates of an mbox import
// (one unread, one answered and flagged), keywords on Sent, and a non-ASCII
// folder of mail stored by the server (no flags at all).
void fill_source(const DovecotServer& server, const TempDir& dir, const std::string& user) {
  const std::vector<MboxInput> input = {
      {"INBOX", "Mon Mar  4 10:00:00 2019", "RO", "AF", read_file(corpus("eml/bad-charset.eml"))},
      {"INBOX", "Tue Apr  2 11:00:00 2019", "", "", read_file(corpus("eml/shift-jis.eml"))},
      {"INBOX", "Wed Apr  3 11:00:00 2019", "RO", "",
       read_file(corpus("eml/invalid_subject_characters.eml"))},
      {"Sent", "Wed May  1 12:00:00 2019", "RO", "A", read_file(corpus("eml/utf8_headers.eml"))},
      {"Archive/2019", "Thu Jun  6 13:00:00 2019", "RO", "",
       read_file(corpus("eml/ks_c_5601-1987.eml"))},
  };
  import_into_account(server, user, dir.path(), input);
  server.doveadm({"flags", "add", "-u", user, "$Forwarded Work", "mailbox", "Sent", "all"});
  server.create_mailboxes(user, {kIntlFolder});
  for (const char* file : {"eml/openbmc-2e8e12cde9bf.eml", "eml/openbmc-6c29286b131b.eml"})
    server.save_message(user, kIntlFolder, to_crlf(read_file(corpus(file))));
}

}  // namespace

TEST_CASE(
    "imap source: an account arrives byte-identical with flags, keywords and dates and the "
    "source unchanged, re-runs bring new mail and flag changes, and a renumbered folder no "
    "duplicate") {
  DovecotServer server;
  TempDir dir;
  fill_source(server, dir, "src");
  const Snapshot before = imap_snapshot(server, "src");
  REQUIRE(total(before) == 7);
  REQUIRE(before.count("Archive/2019") == 1);
  REQUIRE(before.count(kIntlFolder) == 1);
  // Unread mail on the source, which reading must not mark read.
  const auto unread =
      std::count_if(before.at("INBOX").begin(), before.at("INBOX").end(),
                    [](const ServerMessage& m) { return !m.flags.count("\\Seen"); });
  REQUIRE(unread == 1);

  auto first = sync(server, dir, "src", "dst", "first", 0);
  CHECK(counter(first, "appended") == 7);
  CHECK(unchanged_form(imap_snapshot(server, "src")) == unchanged_form(before));
  same_mail(imap_snapshot(server, "dst"), before);
  // Roles travel: the source's Sent is the report's sent folder.
  bool sent_role = false;
  for (const auto& folder : first["jobs"][0]["folders"])
    if (folder["source"] == "Sent") sent_role = folder["role"] == "sent";
  CHECK(sent_role);

  auto second = sync(server, dir, "src", "dst", "second", 0);
  CHECK(counter(second, "appended") == 0);
  CHECK(counter(second, "present") == 7);
  auto checked = run_mailferry(account_args(server, "check", "src", "dst", {"--quiet"}));
  CHECK_MESSAGE(checked.exit_code == 0, checked.describe());

  // New mail on the source: exactly it arrives.
  server.save_message("src", "INBOX", to_crlf(read_file(corpus("eml/nodemailer.eml"))));
  auto third = sync(server, dir, "src", "dst", "new mail", 0);
  CHECK(counter(third, "appended") == 1);
  Snapshot now = imap_snapshot(server, "src");
  same_mail(imap_snapshot(server, "dst"), now);

  // A flag set on the source since: it follows.
  server.doveadm({"flags", "add", "-u", "src", "\\Flagged", "mailbox", "Sent", "all"});
  auto fourth = sync(server, dir, "src", "dst", "flag", 0);
  CHECK(counter(fourth, "appended") == 0);
  CHECK(counter(fourth, "flags_updated") == 1);
  now = imap_snapshot(server, "src");
  same_mail(imap_snapshot(server, "dst"), now);

  // A flag removed on the source since is removed on the target (a
  // three-way merge: the last run's scan is the base); a keyword set on the
  // target alone (the backup copy was read) stays.
  server.doveadm({"flags", "remove", "-u", "src", "\\Flagged", "mailbox", "Sent", "all"});
  server.doveadm({"flags", "add", "-u", "dst", "ReadOnBackup", "mailbox", "INBOX", "all"});
  auto removed = sync(server, dir, "src", "dst", "flag removed", 0);
  CHECK(counter(removed, "appended") == 0);
  CHECK(counter(removed, "flags_updated") == 1);
  Snapshot backup = imap_snapshot(server, "dst");
  for (auto& m : backup.at("INBOX")) CHECK(m.flags.erase("ReadOnBackup") == 1);
  same_mail(backup, imap_snapshot(server, "src"));

  // The dry run (with --verbose, one line a message) says what it would
  // append and which flags it would change, and changes nothing; the real
  // run after it does just that.
  server.save_message("src", "Archive/2019", to_crlf(read_file(corpus("eml/msg-1-1.eml"))));
  server.doveadm({"flags", "remove", "-u", "src", "\\Answered", "mailbox", "INBOX", "all"});
  const Snapshot before_dry_run = imap_snapshot(server, "dst");
  auto dry_run = run_mailferry(account_args(
      server, "sync", "src", "dst",
      {"--state", dir.file("dst.db"), "--report", dir.file("dry.json"), "--dry-run", "--verbose"}));
  INFO(dry_run.describe());
  CHECK(dry_run.exit_code == 0);
  const auto dry = nlohmann::json::parse(read_file(dir.file("dry.json")));
  CHECK(dry["dry_run"] == true);
  CHECK(counter(dry, "appended") == 1);
  CHECK(counter(dry, "flags_updated") == 1);
  CHECK(dry_run.out.find("removing \\Answered") != std::string::npos);
  CHECK(unchanged_form(imap_snapshot(server, "dst")) == unchanged_form(before_dry_run));
  auto after_dry_run = sync(server, dir, "src", "dst", "after the dry run", 0);
  CHECK(counter(after_dry_run, "appended") == 1);
  CHECK(counter(after_dry_run, "flags_updated") == 1);
  backup = imap_snapshot(server, "dst");
  for (auto& m : backup.at("INBOX")) m.flags.erase("ReadOnBackup");
  same_mail(backup, imap_snapshot(server, "src"));

  // The folder made again on the source with the same mail: a new
  // UIDVALIDITY, new UIDs, and still nothing twice on the target.
  server.doveadm({"mailbox", "delete", "-u", "src", kIntlFolder});
  server.create_mailboxes("src", {kIntlFolder});
  for (const char* file : {"eml/openbmc-2e8e12cde9bf.eml", "eml/openbmc-6c29286b131b.eml"})
    server.save_message("src", kIntlFolder, to_crlf(read_file(corpus(file))));
  auto fifth = sync(server, dir, "src", "dst", "renumbered", 0);
  CHECK(counter(fifth, "appended") == 0);
  const Snapshot target = imap_snapshot(server, "dst");
  CHECK(target.at(kIntlFolder).size() == 2);
  CHECK(crash::duplicates(crash::shape_of(target)) == "");
}

TEST_CASE(
    "imap source: kill -9 at random moments and connections cut mid-FETCH end with every "
    "message exactly once") {
  DovecotServer server;
  TempDir dir;
  // 300 real list messages in a folder of the source account.
  const std::string excerpt = crash::mbox_excerpt(
      corpus("mbox/linux-samsung-soc-2020-2000msgs.mboxrd"), 300, dir, "lists.mboxrd");
  auto filled =
      run_mailferry(server.sync_args("mbox:" + excerpt, "bulk", {"--to-folder", "Lists"}));
  REQUIRE_MESSAGE(filled.exit_code == 0, filled.describe());
  const Snapshot source = imap_snapshot(server, "bulk");
  const auto source_lists = crash::shas(source.at("Lists"));
  REQUIRE(source_lists.size() >= 295);

  SUBCASE("kill -9") {
    const auto args = account_args(server, "sync", "bulk", "killed", {"--quiet"});
    std::mt19937 random(20261207);
    int killed_mid_run = 0;
    for (int round = 0; round < 3; ++round)
      if (WIFSIGNALED(crash::run_and_kill(args, std::chrono::milliseconds(150 + random() % 400))))
        ++killed_mid_run;
    CHECK(killed_mid_run > 0);
    auto last = run_mailferry(args);
    REQUIRE_MESSAGE(last.exit_code == 0, last.describe());
    const Snapshot after = imap_snapshot(server, "killed");
    CHECK(crash::shas(after.at("Lists")) == source_lists);
    CHECK(crash::duplicates(crash::shape_of(after)) == "");
  }

  SUBCASE("the source connection cut mid-FETCH") {
    FaultPlan plan;
    plan.cut_min_bytes = 100 * 1024;
    plan.cut_max_bytes = 900 * 1024;
    plan.max_cuts = 4;
    plan.seed = 7;
    FaultProxy proxy(server.imaps_port(), plan);
    const std::string from = "imaps://bulk@127.0.0.1:" + std::to_string(proxy.port());
    // Resumed over new connections; a run that gives up is completed by the next.
    auto first = sync(server, dir, "bulk", "cut", "cut", 0, from);
    CHECK(proxy.cuts() > 0);
    auto again = sync(server, dir, "bulk", "cut", "after cuts", 0, from);
    CHECK(counter(again, "appended") == 0);
    const Snapshot after = imap_snapshot(server, "cut");
    CHECK(crash::shas(after.at("Lists")) == source_lists);
    CHECK(crash::duplicates(crash::shape_of(after)) == "");
  }
}
