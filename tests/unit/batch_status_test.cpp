#include "mailferry/cli/batch_status.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "mailferry/job/job_file.hpp"
#include "support/json_schema.hpp"

using namespace mailferry;
using nlohmann::json;

namespace {

const std::string kSchema =
    std::string(MAILFERRY_SOURCE_DIR) + "/schema/mailferry-status.schema.json";

std::vector<job::Job> batch(std::initializer_list<const char*> names) {
  json jobs = json::array();
  for (const char* n : names)
    jobs.push_back({{"name", n}, {"from", "mbox:/m"}, {"to", std::string("imaps://") + n + "@h"}});
  return job::parse_job_text(json{{"jobs", jobs}}.dump(), "batch.json");
}

sync::JobReport entry(const std::string& name, int exit_code, int finished_second,
                      std::uint64_t appended = 0) {
  sync::JobReport r;
  r.name = name;
  r.exit_code = exit_code;
  r.started = core::WallClock::time_point{} + std::chrono::hours(24 * 365 * 50) +
              std::chrono::seconds(finished_second - 2);
  r.finished = r.started + std::chrono::seconds(2);
  r.totals.appended = appended;
  r.totals.bytes_appended = appended * 100;
  return r;
}

sync::JobReport failed(const std::string& name, int second, const std::string& message) {
  auto r = entry(name, core::kExitConnection, second);
  r.errors.push_back({core::ErrorScope::Message, "INBOX", "one message was refused"});
  r.errors.push_back({core::ErrorScope::Account, "job '" + name + "'", message});
  return r;
}

}  // namespace

TEST_CASE("batch status: the latest entry of a mailbox wins, failures grouped by reason") {
  const auto jobs = batch({"alice", "bob", "carol", "dave", "erin", "frank"});
  std::vector<cli::ReportFile> reports(3);
  reports[0].path = "shard-0.json";
  reports[0].jobs = {failed("alice", 10, "the worker process was killed"), entry("bob", 0, 11, 4),
                     failed("carol", 12, "login refused")};
  // A retried shard: alice is done now; dave's run was skipped (locked).
  reports[1].path = "shard-0-retry.json";
  reports[1].jobs = {entry("alice", 0, 20, 3), entry("dave", core::kExitLocked, 21),
                     failed("erin", 22, "login refused"), entry("zed", 0, 23)};
  reports[1].jobs[1].locked = true;
  // The first report again (given twice), and a dry run that proves nothing.
  reports[2] = reports[0];
  reports[2].path = "copy/shard-0.json";
  reports[2].jobs.push_back(entry("frank", 0, 30, 9));
  reports[2].jobs.back().dry_run = true;

  const auto s = cli::batch_status("batch.json", jobs, reports);
  CHECK(s.mailboxes.size() == 6);
  CHECK(s.complete == 2);     // alice (retried), bob
  CHECK(s.failed == 2);       // carol, erin
  CHECK(s.locked == 1);       // dave
  CHECK(s.not_started == 1);  // frank: only a dry run
  CHECK_FALSE(s.all_complete());
  CHECK(s.unknown_entries == 1);
  CHECK(s.messages_moved == 7);  // alice 3 + bob 4, bob's copy not counted twice
  CHECK(s.bytes_moved == 700);
  REQUIRE(s.reasons.size() == 1);
  CHECK(s.reasons[0].reason == "login refused");
  CHECK(s.reasons[0].mailboxes == std::vector<std::string>{"carol", "erin"});
  CHECK(s.mailboxes[0].runs == 2);
  CHECK(s.mailboxes[0].report == "shard-0-retry.json");
  CHECK(s.mailboxes[0].seconds == doctest::Approx(4.0));

  const auto text = cli::status_text(s);
  CHECK(text.find("6 mailboxes in batch.json, 3 reports") == 0);
  CHECK(text.find("  complete                   2\n") != std::string::npos);
  CHECK(text.find("  2  login refused: carol, erin\n") != std::string::npos);
  CHECK(text.find("running elsewhere (skipped: another process held the job's lock): dave") !=
        std::string::npos);
  CHECK(text.find("not started (in no report): frank") != std::string::npos);
  CHECK(text.find("every mailbox is complete") == std::string::npos);

  const json j = cli::to_json(s);
  CHECK(testing::JsonSchema::from_file(kSchema).validate(j) == "");
  CHECK(j["jobs"][3]["state"] == "locked");
  CHECK(j["jobs"][2]["reason"] == "login refused");
  CHECK(j["all_complete"] == false);
}

TEST_CASE("batch status: every mailbox complete, long lists cut in the text only") {
  std::vector<std::string> names;
  json jobs = json::array();
  for (int i = 0; i < 30; ++i)
    jobs.push_back({{"name", "u" + std::to_string(i)},
                    {"from", "mbox:/m"},
                    {"to", "imaps://u" + std::to_string(i) + "@h"}});
  const auto list = job::parse_job_text(json{{"jobs", jobs}}.dump(), "batch.json");
  std::vector<cli::ReportFile> reports(1);
  reports[0].path = "r.json";
  for (int i = 0; i < 30; ++i) reports[0].jobs.push_back(failed("u" + std::to_string(i), 5, "x"));
  auto s = cli::batch_status("batch.json", list, reports);
  CHECK(cli::status_text(s).find(
            "  30  x: u0, u1, u2, u3, u4, u5, u6, u7, u8, u9, and 20 more\n") != std::string::npos);
  CHECK(cli::to_json(s)["failure_reasons"][0]["mailboxes"].size() == 30);

  for (int i = 0; i < 30; ++i) reports[0].jobs[i] = entry("u" + std::to_string(i), 0, 6);
  s = cli::batch_status("batch.json", list, reports);
  CHECK(s.all_complete());
  CHECK(cli::status_text(s).find("every mailbox is complete") != std::string::npos);
}
