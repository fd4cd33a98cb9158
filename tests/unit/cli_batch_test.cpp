// Batches: shards are a documented function of the job name alone (so other
// tools can compute them and reordering the file changes nothing), every job
// is in exactly one shard, and a worker's report and events survive the trip
// through JSON to the parent.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "mailferry/cli/batch.hpp"
#include "mailferry/cli/report_output.hpp"
#include "mailferry/core/error.hpp"

using namespace mailferry;
using namespace mailferry::cli;

namespace {

std::vector<job::Job> jobs_named(const std::vector<std::string>& names) {
  std::vector<job::Job> jobs;
  for (const auto& n : names) {
    job::Job j;
    j.name = n;
    jobs.push_back(j);
  }
  return jobs;
}

std::vector<std::string> names(const std::vector<job::Job>& jobs) {
  std::vector<std::string> out;
  for (const auto& j : jobs) out.push_back(j.name);
  return out;
}

// Records what a worker's events turn into.
class Recorder : public RunEvents {
 public:
  void job_started(std::size_t, const JobInfo&) override { calls.push_back("job_started"); }
  void folder_started(std::size_t job, const sync::FolderReport& f,
                      std::uint64_t messages) override {
    calls.push_back("folder_started " + std::to_string(job) + " " + f.target + " " +
                    std::to_string(messages) + " present " + std::to_string(f.counters.present));
  }
  void transfer_started(std::size_t, const sync::FolderReport& f, std::uint64_t m,
                        std::uint64_t b) override {
    calls.push_back("transfer_started " + f.target + " " + std::to_string(m) + " " +
                    std::to_string(b));
  }
  void message(std::size_t, const MessageEvent& m) override {
    calls.push_back(std::string("message ") + static_cast<char>(m.sigil) + " " + m.target_folder +
                    " " + std::to_string(m.ordinal) + " " + m.message_id + " " +
                    std::to_string(m.size) + " " + m.date.to_imap() + " " + m.from + " / " +
                    m.subject);
  }
  void folder_finished(std::size_t, const sync::FolderReport& f) override {
    calls.push_back("folder_finished " + f.target + " appended " +
                    std::to_string(f.counters.appended));
  }
  void job_finished(std::size_t, const sync::JobReport&) override {
    calls.push_back("job_finished");
  }
  void log(core::LogLevel level, std::string_view text) override {
    calls.push_back("log " + std::to_string(static_cast<int>(level)) + " " + std::string(text));
  }
  std::vector<std::string> calls;
};

}  // namespace

TEST_CASE("cli batch: --shard K/M is parsed strictly") {
  CHECK(parse_shard("0/1").count == 1);
  CHECK(parse_shard("3/4").index == 3);
  CHECK(parse_shard("3/4").count == 4);
  for (const char* bad : {"4/4", "1/0", "-1/3", "1", "/3", "1/", "a/b", "1/3x", " 1/3"}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_shard(bad), core::UsageError);
  }
}

TEST_CASE("cli batch: a job's shard is SHA-256 of its name, first 8 bytes big-endian, modulo M") {
  // Values computed independently (Python's hashlib), as the man page tells users to.
  CHECK(shard_of("alice", 3) == 2);
  CHECK(shard_of("dave", 3) == 1);
  CHECK(shard_of("erin", 3) == 0);
  CHECK(shard_of("alice", 10) == 7);
  CHECK(shard_of("user-0042", 4) == 0);
  CHECK(shard_of("anything", 1) == 0);
}

TEST_CASE("cli batch: shards partition the jobs, stable under reordering, roughly even") {
  std::vector<std::string> all;
  for (int i = 0; i < 1000; ++i) all.push_back("user-" + std::to_string(i));
  auto reversed = all;
  std::reverse(reversed.begin(), reversed.end());
  std::map<std::string, int> seen;
  for (unsigned k = 0; k < 7; ++k) {
    auto shard = names(select_shard(jobs_named(all), {k, 7}));
    auto shard_reversed = names(select_shard(jobs_named(reversed), {k, 7}));
    std::sort(shard_reversed.begin(), shard_reversed.end(), [&](const auto& a, const auto& b) {
      return std::find(all.begin(), all.end(), a) < std::find(all.begin(), all.end(), b);
    });
    CHECK(shard == shard_reversed);  // same jobs, whatever the file's order
    CHECK(shard.size() > 1000 / 7 / 2);
    CHECK(shard.size() < 1000 / 7 * 2);
    for (const auto& n : shard) ++seen[n];
  }
  CHECK(seen.size() == all.size());
  for (const auto& [name, count] : seen) CHECK(count == 1);
  CHECK(names(select_shard(jobs_named({"b", "a"}), {0, 1})) == std::vector<std::string>{"b", "a"});
}

TEST_CASE("cli batch: a worker's report comes back as the same JobReport") {
  sync::JobReport job;
  job.name = "alice";
  job.from = "mbox:/srv/alice";
  job.to = "imaps://alice@h:993";
  sync::FolderReport inbox;
  inbox.source = "Inbox";
  inbox.target = "INBOX";
  inbox.role = core::Role::Inbox;
  inbox.created = true;
  inbox.counters.source = 10;
  inbox.counters.present = 6;
  inbox.counters.appended = 3;
  inbox.counters.failed = 1;
  inbox.counters.duplicates_in_source = 2;
  inbox.counters.bytes_appended = 4096;
  job.folders = {inbox};
  job.add_error({core::ErrorScope::Message, "mbox:/srv/alice message 4", "NO [TOOBIG]"}, 1);
  job.notes = {"a note"};
  job.sum_folders();
  sync::RunReport run;
  run.jobs = {job};

  auto back = job_report_from_json(cli::to_json(run)["jobs"][0]);
  CHECK(back.name == "alice");
  CHECK(back.to == job.to);
  CHECK(back.exit_code == 1);
  REQUIRE(back.folders.size() == 1);
  CHECK(back.folders[0].role == core::Role::Inbox);
  CHECK(back.folders[0].created);
  CHECK(back.folders[0].counters.source == 10);
  CHECK(back.folders[0].counters.duplicates_in_source == 2);
  CHECK(back.totals.bytes_appended == 4096);
  REQUIRE(back.errors.size() == 1);
  CHECK(back.errors[0].scope == core::ErrorScope::Message);
  CHECK(back.errors[0].where == "mbox:/srv/alice message 4");
  CHECK(back.notes == job.notes);
  CHECK(cli::verdict(back) == cli::verdict(job));
}

TEST_CASE("cli batch: worker events are replayed, their own job start, end and errors are not") {
  Recorder r;
  const std::string lines[] = {
      R"({"time":"t","event":"job_start","job":"bob","from":"x","to":"y","mode":"sync","dry_run":false})",
      R"({"time":"t","event":"folder_start","job":"bob","source":"Inbox","target":"INBOX","messages":4,"present":1,"unreadable":0})",
      R"({"time":"t","event":"transfer_start","job":"bob","source":"Inbox","target":"INBOX","messages":3,"bytes":300})",
      R"({"time":"t","event":"message","job":"bob","source":"Inbox","target":"INBOX","sigil":"+","status":"appended","ordinal":2,"message_id":"<a@b>","size":100,"date":"05-Mar-2024 16:00:00 +0100","from":"Alice","subject":"Grüße"})",
      R"({"time":"t","event":"folder_end","job":"bob","source":"Inbox","target":"INBOX","role":"inbox","created":false,"counters":{"appended":3}})",
      R"({"time":"t","event":"error","job":"bob","scope":"message","where":"w","message":"m"})",
      R"({"time":"t","event":"log","level":"warning","message":"slow"})",
      R"({"time":"t","event":"job_end","job":"bob","exit_code":0})"};
  for (const auto& line : lines) CHECK(replay_event(line, 5, "bob", r));
  CHECK(r.calls == std::vector<std::string>{"folder_started 5 INBOX 4 present 1",
                                            "transfer_started INBOX 3 300",
                                            "message + INBOX 2 <a@b> 100 05-Mar-2024 16:00:00 "
                                            "+0100 Alice / Grüße",
                                            "folder_finished INBOX appended 3", "log 2 bob: slow"});
  CHECK_FALSE(replay_event("==12345==ERROR: AddressSanitizer", 0, "bob", r));
  CHECK_FALSE(replay_event("[1, 2]", 0, "bob", r));
  CHECK_FALSE(replay_event(R"({"event": 3})", 0, "bob", r));
}
