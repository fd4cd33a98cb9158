// End to end: the mailferry binary migrates real mbox files into a real
// Dovecot, and an independent IMAP client (Python's imaplib) checks the result
// against what the source holds: every message once, byte for byte, with its
// flags and INTERNALDATE; a second run appends nothing; check agrees; a dry run
// changes nothing.
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "crash_support.hpp"
#include "mailferry/source/mbox_source.hpp"
#include "mailferry/sync/differ.hpp"
#include "support/dovecot_server.hpp"
#include "support/imap_snapshot.hpp"
#include "support/run_command.hpp"
#include "support/scan_collect.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace mailferry;
using namespace mailferry::testing;

namespace {

// What the server must hold for one source message.
struct Expected {
  std::set<std::string> flags;
  std::int64_t epoch = 0;
  std::uint64_t size = 0;
};

// sha256 -> expectation, for the distinct messages of one mbox file (the
// first of several copies with one key and size is the one uploaded).
std::map<std::string, Expected> expected_messages(const std::string& path,
                                                  std::size_t* scan_errors) {
  source::MboxSource source(path);
  auto folders = source.folders();
  REQUIRE(folders.size() == 1);
  CollectingSink sink;
  source.scan(folders[0], sink);
  if (scan_errors) *scan_errors = sink.errors.size();
  std::map<std::string, Expected> out;
  std::set<std::pair<core::MessageKey, std::uint64_t>> seen;  // same key and size: one message
  sync::DiffPolicy dovecot;                                   // Dovecot keeps keywords
  dovecot.keywords_allowed = true;
  for (const auto& m : sink.messages) {
    if (!seen.insert({m.key, m.size}).second) continue;
    auto reader = source.open(folders[0], m);
    std::string bytes = read_body(*reader, 65536);
    REQUIRE(bytes.size() == m.size);
    Expected e;
    e.flags = flag_names(sync::wanted_flags(m, dovecot));
    e.epoch = m.internal_date.utc;
    e.size = m.size;
    out[sha256_hex(bytes)] = e;
  }
  return out;
}

CommandResult sync_file(const DovecotServer& server, const std::string& user,
                        const std::string& from, std::vector<std::string> extra = {}) {
  return run_mailferry(server.sync_args("mbox:" + from, user, extra));
}

nlohmann::json read_report(const std::string& path) {
  return nlohmann::json::parse(read_file(path));
}

// Every expected message is in `messages` exactly once, with its flags and date.
void check_folder_matches(const std::vector<ServerMessage>& messages,
                          const std::map<std::string, Expected>& expected,
                          const std::string& label) {
  INFO(label);
  std::map<std::string, int> copies;
  for (const auto& m : messages) ++copies[m.sha256];
  CHECK(messages.size() == expected.size());
  for (const auto& [sha, e] : expected) {
    INFO("message with sha256 " << sha);
    CHECK(copies[sha] == 1);
  }
  for (const auto& m : messages) {
    auto it = expected.find(m.sha256);
    if (it == expected.end()) {
      FAIL_CHECK("the server holds a message that is not in the source: uid " << m.uid);
      continue;
    }
    std::set<std::string> flags = m.flags;
    flags.erase("\\Recent");
    CHECK(flags == it->second.flags);
    CHECK(m.epoch == it->second.epoch);
    CHECK(m.size == it->second.size);
  }
}

std::vector<fs::path> corpus_mbox_files() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(std::string(MAILFERRY_CORPUS_DIR) + "/mbox"))
    if (entry.is_regular_file()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("mbox sync: every corpus mbox file lands once, byte for byte, with flags and dates") {
  DovecotServer server;
  TempDir dir;
  int index = 0;
  for (const auto& file : corpus_mbox_files()) {
    const std::string user = "corpus" + std::to_string(++index);
    INFO("file " << file.string());
    std::size_t scan_errors = 0;
    const auto expected = expected_messages(file.string(), &scan_errors);

    const std::string report_path = dir.file(user + ".json");
    auto result = sync_file(server, user, file.string(), {"--report", report_path});
    INFO(result.describe());
    CHECK(result.exit_code == (scan_errors > 0 ? 1 : 0));
    auto report = read_report(report_path);
    const auto& t = report["totals"];
    CHECK(t["source"].get<int>() ==
          t["present"].get<int>() + t["appended"].get<int>() + t["failed"].get<int>());
    CHECK(t["appended"].get<std::size_t>() == expected.size());
    CHECK(t["failed"].get<std::size_t>() == scan_errors);

    auto snapshot = imap_snapshot(server, user);
    check_folder_matches(snapshot["INBOX"], expected, file.filename().string());
  }
}

TEST_CASE("mbox sync: a second run appends nothing, check agrees, a dry run changes nothing") {
  DovecotServer server;
  TempDir dir;
  const std::string file = std::string(MAILFERRY_CORPUS_DIR) + "/mbox/mbox.src";
  const std::string user = "rerun";

  // A dry run first: it must plan everything and change nothing.
  auto dry = sync_file(server, user, file, {"--dry-run", "--report", dir.file("dry.json")});
  INFO(dry.describe());
  REQUIRE(dry.exit_code == 0);
  auto dry_report = read_report(dir.file("dry.json"));
  CHECK(dry_report["dry_run"] == true);
  const auto planned = dry_report["totals"]["appended"].get<int>();
  CHECK(planned > 0);
  CHECK(server.message_count(user, "INBOX") == 0);

  std::vector<std::string> check_args{"check", "--from", "mbox:" + file};
  for (auto& a : server.target_args(user)) check_args.push_back(a);
  auto missing = run_mailferry(check_args);
  CHECK(missing.exit_code == 1);
  CHECK(missing.out.find("+ INBOX message") != std::string::npos);

  auto first = sync_file(server, user, file, {"--report", dir.file("first.json")});
  REQUIRE(first.exit_code == 0);
  CHECK(read_report(dir.file("first.json"))["totals"]["appended"].get<int>() == planned);
  const auto before = imap_snapshot(server, user);

  auto second = sync_file(server, user, file, {"--report", dir.file("second.json")});
  REQUIRE(second.exit_code == 0);
  auto totals = read_report(dir.file("second.json"))["totals"];
  CHECK(totals["appended"].get<int>() == 0);
  CHECK(totals["present"].get<int>() == planned);
  CHECK(totals["flags_updated"].get<int>() == 0);

  auto complete = run_mailferry(check_args);
  INFO(complete.describe());
  CHECK(complete.exit_code == 0);
  CHECK(complete.out.find("are on the server") != std::string::npos);

  // A dry run whose state file cannot be opened (here a folder) still plans,
  // and says so.
  const std::string not_a_state = dir.file("not-a-state");
  std::filesystem::create_directory(not_a_state);
  auto unreadable =
      sync_file(server, user, file,
                {"--dry-run", "--state", not_a_state, "--report", dir.file("dry-no-state.json")});
  INFO(unreadable.describe());
  CHECK(unreadable.exit_code == 0);
  const auto unreadable_report = read_report(dir.file("dry-no-state.json"));
  CHECK(unreadable_report["totals"]["appended"].get<int>() == 0);
  CHECK(unreadable_report.dump().find("planned without the last run's state") != std::string::npos);

  // Nothing on the server changed: same UIDs, same bytes, same flags.
  const auto after = imap_snapshot(server, user);
  REQUIRE(after.at("INBOX").size() == before.at("INBOX").size());
  for (size_t i = 0; i < after.at("INBOX").size(); ++i) {
    CHECK(after.at("INBOX")[i].uid == before.at("INBOX")[i].uid);
    CHECK(after.at("INBOX")[i].sha256 == before.at("INBOX")[i].sha256);
    CHECK(after.at("INBOX")[i].flags == before.at("INBOX")[i].flags);
  }
}

TEST_CASE("mbox sync: a Thunderbird tree becomes a folder tree with role folders") {
  DovecotServer server;
  const std::string tree =
      std::string(MAILFERRY_SOURCE_DIR) + "/examples/thunderbird/Local Folders";
  auto result = sync_file(server, "tree", tree);
  INFO(result.describe());
  REQUIRE(result.exit_code == 0);
  auto snapshot = imap_snapshot(server, "tree");
  CHECK(snapshot.count("Archives/2019") == 1);
  CHECK(snapshot["Sent"].size() == 2);  // the server's own \Sent folder, not a new one
  REQUIRE(snapshot["Drafts"].size() == 1);
  CHECK(snapshot["Drafts"][0].flags.count("\\Draft") == 1);
  CHECK(snapshot["INBOX"].size() == 3);
  CHECK(snapshot.count("Sent Items") == 0);
}

TEST_CASE("mbox sync: entries of a tree that are not mail are named in the report's notes") {
  DovecotServer server;
  TempDir dir;
  const fs::path tree = fs::path(dir.path()) / "Local Folders";
  fs::copy(std::string(MAILFERRY_SOURCE_DIR) + "/examples/thunderbird/Local Folders", tree,
           fs::copy_options::recursive);
  dir.write_file("Local Folders/notes.txt", "Just some notes.\n");
  const std::string report_path = dir.file("report.json");
  auto result = sync_file(server, "noted", tree.string(), {"--report", report_path});
  INFO(result.describe());
  REQUIRE(result.exit_code == 0);
  const auto notes = read_report(report_path)["jobs"][0]["notes"];
  INFO(notes.dump());
  CHECK(std::any_of(notes.begin(), notes.end(), [](const nlohmann::json& n) {
    return n.get<std::string>().find("notes.txt") != std::string::npos;
  }));
}

TEST_CASE("mbox sync: killed at random moments, a re-run ends with every message exactly once") {
  DovecotServer server;
  const std::string file =
      std::string(MAILFERRY_CORPUS_DIR) + "/mbox/linux-samsung-soc-2020-2000msgs.mboxrd";
  const auto expected = expected_messages(file, nullptr);
  const std::string user = "killed";
  std::vector<std::string> args{"sync", "--from", "mbox:" + file, "--quiet"};
  for (auto& a : server.target_args(user)) args.push_back(a);

  std::mt19937 random(20261122);
  int killed_mid_run = 0;
  for (int round = 0; round < 4; ++round) {
    const int status = crash::run_and_kill(args, std::chrono::milliseconds(100 + random() % 600));
    if (WIFSIGNALED(status)) ++killed_mid_run;
  }
  CHECK(killed_mid_run > 0);  // at least one kill hit a running upload

  auto final_run = sync_file(server, user, file);
  INFO(final_run.describe());
  REQUIRE(final_run.exit_code == 0);
  auto snapshot = imap_snapshot(server, user);
  check_folder_matches(snapshot["INBOX"], expected, "after kills");
}

TEST_CASE("mbox sync: errors have the documented exit codes and never show the password") {
  DovecotServer server;
  TempDir dir;
  const std::string file = std::string(MAILFERRY_SOURCE_DIR) + "/examples/mbox/Inbox.mbox";

  auto missing_source = sync_file(server, "codes", dir.file("no-such.mbox"));
  CHECK(missing_source.exit_code == 4);
  CHECK(missing_source.err.find("no-such.mbox") != std::string::npos);

  auto in_url = run_mailferry({"sync", "--from", "mbox:" + file, "--to",
                               "imaps://codes:" + server.password() + "@127.0.0.1:1"});
  CHECK(in_url.exit_code == 2);
  CHECK(in_url.err.find("--to-password-file") != std::string::npos);

  const std::string wrong = dir.write_file("wrong", "not-the-password\n");
  auto bad_login =
      run_mailferry({"sync", "--from", "mbox:" + file, "--to", server.url("imaps", "codes"),
                     "--ca-file", server.ca_file(), "--to-password-file", wrong});
  CHECK(bad_login.exit_code == 3);

  auto unknown_ca =
      run_mailferry({"sync", "--from", "mbox:" + file, "--to", server.url("imaps", "codes"),
                     "--to-password-file", server.password_file()});
  CHECK(unknown_ca.exit_code == 3);
  CHECK(unknown_ca.err.find("--ca-file") != std::string::npos);

  auto verbose =
      run_mailferry({"sync", "-v", "--from", "mbox:" + file, "--to", server.url("imaps", "codes"),
                     "--ca-file", server.ca_file(), "--report", dir.file("r.json")},
                    {{"MAILFERRY_TO_PASSWORD", server.password()}});
  CHECK(verbose.exit_code == 0);
  for (const auto* text : {&missing_source.err, &in_url.err, &bad_login.err, &bad_login.out,
                           &unknown_ca.err, &verbose.out, &verbose.err}) {
    CHECK(text->find(server.password()) == std::string::npos);
  }
  CHECK(read_file(dir.file("r.json")).find(server.password()) == std::string::npos);
}
