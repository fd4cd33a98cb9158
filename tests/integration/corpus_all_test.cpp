// Every file of the shared corpus through the real binary into a real Dovecot:
// mbox files as mbox:FILE, the eml directory as eml:DIR, PST files as pst:FILE.
// Whatever a file holds, the run ends with
//   0 - everything is on the server,
//   1 - finished, and every failure is in the JSON report naming the file and
//       the message, or
//   4 - the file cannot be read at all, and stderr says which file,
// never with a crash (a signal) or a hang (the timeout); a second run of the
// same file appends nothing and ends the same way.
//
// One Dovecot per source kind (ctest gives each test case its own time limit),
// one user per file.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/dovecot_server.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace mailferry::testing;

namespace {

const fs::path kCorpus = MAILFERRY_CORPUS_DIR;
// Far above what the largest file needs; a hang ends here instead of in ctest.
constexpr std::chrono::seconds kRunLimit{150};

struct Outcome {
  CommandResult result;
  nlohmann::json report;  // null when the run wrote none
};

std::vector<fs::path> files_in(const std::string& sub) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kCorpus / sub))
    if (entry.is_regular_file()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

Outcome run_sync(const DovecotServer& server, const std::string& user, const std::string& from,
                 const std::string& report_path) {
  fs::remove(report_path);
  Outcome o;
  o.result = run_mailferry(
      {"sync", "--from", from, "--to", server.url("imaps", user), "--ca-file", server.ca_file(),
       "--to-password-file", server.password_file(), "--report", report_path, "--quiet"},
      {}, kRunLimit);
  if (fs::exists(report_path)) o.report = nlohmann::json::parse(read_file(report_path));
  return o;
}

// The contract of one run; `file` is what every failure must name.
void check_outcome(const Outcome& o, const fs::path& file, const std::string& message_word) {
  const CommandResult& r = o.result;
  INFO(r.describe());
  REQUIRE_FALSE(r.timed_out);
  REQUIRE(r.exit_code < 128);  // not killed by a signal
  REQUIRE((r.exit_code == 0 || r.exit_code == 1 || r.exit_code == 4));
  if (r.exit_code == 4) {
    CHECK(r.err.find(file.filename().string()) != std::string::npos);
    return;
  }
  REQUIRE(o.report.is_object());
  const auto& totals = o.report["totals"];
  CHECK(totals["source"].get<int>() ==
        totals["present"].get<int>() + totals["appended"].get<int>() + totals["failed"].get<int>());
  const auto& errors = o.report["jobs"][0]["errors"];
  if (r.exit_code == 0) {
    CHECK(errors.empty());
    CHECK(totals["failed"].get<int>() == 0);
    return;
  }
  REQUIRE_FALSE(errors.empty());
  for (const auto& e : errors) {
    const std::string where = e["where"].get<std::string>();
    const std::string text = e["message"].get<std::string>();
    INFO("error: " << where << ": " << text);
    CHECK(where.find(file.filename().string()) != std::string::npos);
    CHECK((where + " " + text).find(message_word) != std::string::npos);
    CHECK_FALSE(text.empty());
  }
}

// Runs `from` twice for a fresh user: both runs keep the contract, the
// second appends nothing and fails the same way.
Outcome run_twice(const DovecotServer& server, const TempDir& dir, const std::string& user,
                  const std::string& from, const fs::path& file, const std::string& message_word) {
  INFO("source " << from);
  const Outcome first = run_sync(server, user, from, dir.file(user + "-1.json"));
  check_outcome(first, file, message_word);
  const Outcome second = run_sync(server, user, from, dir.file(user + "-2.json"));
  check_outcome(second, file, message_word);
  CHECK(second.result.exit_code == first.result.exit_code);
  if (first.result.exit_code == 4) return first;
  const auto& t1 = first.report["totals"];
  const auto& t2 = second.report["totals"];
  CHECK(t2["appended"].get<int>() == 0);
  CHECK(t2["present"].get<int>() == t1["present"].get<int>() + t1["appended"].get<int>());
  CHECK(t2["failed"].get<int>() == t1["failed"].get<int>());
  return first;
}

}  // namespace

TEST_CASE("corpus: every mbox file runs through the tool, twice") {
  DovecotServer server;
  TempDir dir("corpus-mbox");
  int index = 0;
  for (const auto& file : files_in("mbox")) {
    run_twice(server, dir, "mbox" + std::to_string(++index), "mbox:" + file.string(), file,
              "message");
  }
  CHECK(index >= 18);
}

TEST_CASE("corpus: the eml directory runs through the tool, twice") {
  DovecotServer server;
  TempDir dir("corpus-eml");
  const fs::path eml = kCorpus / "eml";
  const fs::path bad = eml / "malformedHeader-noheader.msg";
  const Outcome first = run_twice(server, dir, "eml", "eml:" + eml.string(), bad, "not a message");
  // The one file without a header block fails, naming itself; the rest land.
  REQUIRE(first.result.exit_code == 1);
  const auto& errors = first.report["jobs"][0]["errors"];
  REQUIRE(errors.size() == 1);
  CHECK(errors[0]["where"].get<std::string>() == bad.string());
  const auto& totals = first.report["totals"];
  // Two pairs of files share a Message-ID: each pair is one message to the diff.
  CHECK(totals["source"].get<int>() + totals["duplicates_in_source"].get<int>() ==
        static_cast<int>(files_in("eml").size()));
  CHECK(totals["failed"].get<int>() == 1);
  CHECK(server.message_count("eml", "INBOX") == totals["appended"].get<int>());
  // Single files work too, each on its own.
  int index = 0;
  for (const auto& file : files_in("eml"))
    run_twice(server, dir, "eml" + std::to_string(++index), "eml:" + file.string(), file,
              "message");
}

TEST_CASE("corpus: every PST file runs through the tool, twice") {
  DovecotServer server;
  TempDir dir("corpus-pst");
  int index = 0;
  for (const auto& file : files_in("pst")) {
    run_twice(server, dir, "pst" + std::to_string(++index), "pst:" + file.string(), file,
              "message");
  }
  CHECK(index >= 19);
}
