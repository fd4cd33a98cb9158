// Re-runs with the kept target index and source scan (sync/target_cache.hpp,
// source/scan_cache.hpp) against a real Dovecot: whatever changed on the
// server behind the cache's back (a message expunged, a flag removed, mail
// added by another client, the folder recreated) and whatever changed in the
// source, the next run does what a run without any state would do. An
// independent IMAP client checks the end state.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "mailferry/sync/state_store.hpp"
#include "support/dovecot_server.hpp"
#include "support/imap_snapshot.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace mailferry;
using namespace mailferry::testing;

namespace {

struct Run {
  int exit_code = -1;
  nlohmann::json totals;
  std::string describe;
};

Run sync_once(const DovecotServer& server, const TempDir& dir, const std::string& user,
              const std::string& mbox, const std::string& state,
              std::vector<std::string> extra = {}) {
  auto args = server.sync_args("mbox:" + mbox, user,
                               {"--state", state, "--report", dir.file("report.json"), "--quiet"});
  args.insert(args.end(), extra.begin(), extra.end());
  auto result = run_mailferry(args);
  Run run;
  run.exit_code = result.exit_code;
  run.describe = result.describe();
  if (fs::exists(dir.file("report.json")))
    run.totals = nlohmann::json::parse(read_file(dir.file("report.json")))["totals"];
  fs::remove(dir.file("report.json"));
  return run;
}

int number(const nlohmann::json& totals, const char* name) {
  return totals.contains(name) ? totals[name].get<int>() : -1;
}

// Every message in `folder` is there once (by content).
void check_no_duplicates(const std::vector<ServerMessage>& messages) {
  std::map<std::string, int> copies;
  for (const auto& m : messages) ++copies[m.sha256];
  for (const auto& [sha, n] : copies) {
    INFO("sha256 " << sha);
    CHECK(n == 1);
  }
}

}  // namespace

TEST_CASE(
    "rerun cache: whatever changed on the server behind the kept index, the re-run is right") {
  DovecotServer server;
  TempDir dir;
  const std::string mbox = dir.file("Inbox.mbox");
  fs::copy_file(std::string(MAILFERRY_CORPUS_DIR) + "/mbox/mbox.src", mbox);
  const std::string state = dir.file("state.db");
  const std::string user = "cached";

  auto first = sync_once(server, dir, user, mbox, state);
  INFO(first.describe);
  REQUIRE(first.exit_code == 0);
  const int total = number(first.totals, "appended");
  REQUIRE(total > 5);

  auto second = sync_once(server, dir, user, mbox, state);
  REQUIRE(second.exit_code == 0);
  CHECK(number(second.totals, "appended") == 0);
  CHECK(number(second.totals, "present") == total);
  {
    sync::StateStore store(state);  // the run kept both the index and the scan
    CHECK(store.entries("target-index").size() == 1);
    CHECK_FALSE(store.entries("source-scan").empty());
  }

  auto inbox = imap_snapshot(server, user)["INBOX"];
  REQUIRE(inbox.size() == static_cast<std::size_t>(total));

  SUBCASE("a message expunged on the server is uploaded again") {
    server.doveadm(
        {"expunge", "-u", user, "mailbox", "INBOX", "uid", std::to_string(inbox[2].uid)});
    auto run = sync_once(server, dir, user, mbox, state);
    INFO(run.describe);
    CHECK(run.exit_code == 0);
    CHECK(number(run.totals, "appended") == 1);
    CHECK(number(run.totals, "present") == total - 1);
  }
  SUBCASE("a flag removed on the server is added again (CONDSTORE tells)") {
    auto seen = std::find_if(inbox.begin(), inbox.end(),
                             [](const ServerMessage& m) { return m.flags.count("\\Seen") != 0; });
    REQUIRE(seen != inbox.end());
    server.doveadm({"flags", "remove", "-u", user, "\\Seen", "mailbox", "INBOX", "uid",
                    std::to_string(seen->uid)});
    auto run = sync_once(server, dir, user, mbox, state);
    CHECK(run.exit_code == 0);
    CHECK(number(run.totals, "appended") == 0);
    CHECK(number(run.totals, "flags_updated") == 1);
    auto after = imap_snapshot(server, user)["INBOX"];
    auto again = std::find_if(after.begin(), after.end(),
                              [&](const ServerMessage& m) { return m.uid == seen->uid; });
    REQUIRE(again != after.end());
    CHECK(again->flags.count("\\Seen") == 1);
  }
  SUBCASE("mail another client added is left alone, and the kept index learns it") {
    server.save_message(
        user, "INBOX", "Message-ID: <other-client@example.com>\r\nSubject: not ours\r\n\r\nhi\r\n");
    auto run = sync_once(server, dir, user, mbox, state);
    CHECK(run.exit_code == 0);
    CHECK(number(run.totals, "appended") == 0);
    CHECK(number(run.totals, "present") == total);
    auto quiet = sync_once(server, dir, user, mbox, state);
    CHECK(number(quiet.totals, "appended") == 0);
    CHECK(imap_snapshot(server, user)["INBOX"].size() == static_cast<std::size_t>(total) + 1);
  }
  SUBCASE("without the state file the run is slower, never wrong") {
    fs::remove(state);
    auto run = sync_once(server, dir, user, mbox, state);
    CHECK(run.exit_code == 0);
    CHECK(number(run.totals, "appended") == 0);
    CHECK(number(run.totals, "present") == total);
  }
  SUBCASE("a message appended to the mbox file is uploaded") {
    {
      std::ofstream out(mbox, std::ios::app | std::ios::binary);
      out << "\nFrom new@example.com Sat Feb  2 11:12:13 2019\nMessage-ID: <grown@example.com>\n"
             "Subject: new\n\nnew body\n";
    }
    auto run = sync_once(server, dir, user, mbox, state);
    CHECK(run.exit_code == 0);
    CHECK(number(run.totals, "appended") == 1);
    CHECK(number(run.totals, "present") == total);
  }
  auto final_state = imap_snapshot(server, user)["INBOX"];
  CHECK(final_state.size() >= static_cast<std::size_t>(total));
  check_no_duplicates(final_state);
}

TEST_CASE("rerun cache: a folder deleted and created again (new UIDVALIDITY) is filled again") {
  DovecotServer server;
  TempDir dir;
  const std::string mbox = std::string(MAILFERRY_CORPUS_DIR) + "/mbox/mbox.src";
  const std::string state = dir.file("state.db");
  const std::string user = "recreated";
  const std::vector<std::string> to_folder{"--to-folder", "Imported"};

  auto first = sync_once(server, dir, user, mbox, state, to_folder);
  INFO(first.describe);
  REQUIRE(first.exit_code == 0);
  const int total = number(first.totals, "appended");
  REQUIRE(total > 5);
  server.doveadm({"mailbox", "delete", "-u", user, "Imported"});
  server.create_mailboxes(user, {"Imported"});
  auto run = sync_once(server, dir, user, mbox, state, to_folder);
  INFO(run.describe);
  CHECK(run.exit_code == 0);
  CHECK(number(run.totals, "appended") == total);
  auto folder = imap_snapshot(server, user)["Imported"];
  CHECK(folder.size() == static_cast<std::size_t>(total));
  check_no_duplicates(folder);
}
