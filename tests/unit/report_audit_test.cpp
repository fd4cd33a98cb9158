// The report as an audit record: which version on which host, when and how
// long per run, job and folder, valid against schema/mailferry-report.schema.json,
// and --report PATH with {date}/{time} or a directory for a nightly history.
#include <doctest/doctest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "mailferry/cli/batch.hpp"
#include "mailferry/cli/report_output.hpp"
#include "mailferry/core/utc_time.hpp"
#include "support/json_schema.hpp"
#include "support/temp_dir.hpp"

using namespace mailferry;
using core::WallClock;
using nlohmann::json;

namespace {

const testing::JsonSchema& report_schema() {
  static const auto schema = testing::JsonSchema::from_file(std::string(MAILFERRY_SOURCE_DIR) +
                                                            "/schema/mailferry-report.schema.json");
  return schema;
}

WallClock::time_point at(const char* rfc3339) { return *core::parse_rfc3339_utc(rfc3339); }

sync::RunReport two_jobs() {
  sync::RunReport run;
  sync::JobReport early;
  early.name = "early";
  early.started = at("2026-12-06T02:00:00.250Z");
  early.finished = at("2026-12-06T02:00:04.000Z");
  sync::FolderReport inbox;
  inbox.source = "Inbox";
  inbox.target = "INBOX";
  inbox.role = core::Role::Inbox;
  inbox.counters.source = inbox.counters.appended = 2;
  inbox.started = at("2026-12-06T02:00:01.000Z");
  inbox.finished = at("2026-12-06T02:00:03.500Z");
  early.folders.push_back(inbox);
  early.add_error({core::ErrorScope::Message, "mbox:x message 2", "unreadable"}, 1);
  early.sum_folders();
  sync::JobReport late = early;
  late.name = "late";
  late.started = at("2026-12-06T02:00:03.000Z");
  late.finished = at("2026-12-06T02:00:09.750Z");
  run.jobs = {early, late};
  return run;
}

}  // namespace

TEST_CASE("report audit: times are RFC 3339 UTC with milliseconds, and read back") {
  const auto t = at("2026-12-06T23:40:12.345Z");
  CHECK(core::rfc3339_utc(t) == "2026-12-06T23:40:12.345Z");
  CHECK(core::parse_rfc3339_utc("2026-12-06T23:40:12Z") == t - std::chrono::milliseconds(345));
  CHECK_FALSE(core::parse_rfc3339_utc("2026-12-06 23:40:12Z"));
  CHECK_FALSE(core::parse_rfc3339_utc("2026-12-06T23:40:12+01:00"));
  CHECK(core::seconds_between(at("2026-12-06T02:00:00.250Z"), at("2026-12-06T02:00:04.000Z")) ==
        doctest::Approx(3.75));
}

TEST_CASE("report audit: version, host, and when and how long per run, job and folder") {
  const json j = cli::to_json(two_jobs());
  INFO(j.dump(2));
  CHECK(j["mailferry_version"] == MAILFERRY_VERSION);
  CHECK(j["host"].is_string());
  CHECK(j["started"] == "2026-12-06T02:00:00.250Z");   // the first job's start
  CHECK(j["finished"] == "2026-12-06T02:00:09.750Z");  // the last job's end
  CHECK(j["duration_seconds"].get<double>() == doctest::Approx(9.5));
  CHECK(j["jobs"][1]["started"] == "2026-12-06T02:00:03.000Z");
  CHECK(j["jobs"][1]["duration_seconds"].get<double>() == doctest::Approx(6.75));
  CHECK(j["jobs"][0]["folders"][0]["started"] == "2026-12-06T02:00:01.000Z");
  CHECK(j["jobs"][0]["folders"][0]["duration_seconds"].get<double>() == doctest::Approx(2.5));
  CHECK(report_schema().validate(j) == "");
}

TEST_CASE("report audit: the schema holds for every report, and refuses what is not one") {
  CHECK(report_schema().validate(cli::to_json(sync::RunReport{})) == "");
  sync::RunReport never_began;  // a job that stopped before it began carries no times
  never_began.jobs.emplace_back().name = "x";
  CHECK(report_schema().validate(cli::to_json(never_began)) == "");

  json j = cli::to_json(two_jobs());
  json extra = j;
  extra["folders"] = json::array();
  CHECK(report_schema().validate(extra) != "");
  json bad_time = j;
  bad_time["jobs"][0]["started"] = "yesterday";
  CHECK(report_schema().validate(bad_time) != "");
  json bad_scope = j;
  bad_scope["jobs"][0]["errors"][0]["scope"] = "everything";
  CHECK(report_schema().validate(bad_scope) != "");
}

TEST_CASE("report audit: a batch worker's times survive the way back to the batch") {
  const json written = cli::to_json(two_jobs());
  const sync::JobReport back = cli::job_report_from_json(written["jobs"][1]);
  CHECK(back.started == at("2026-12-06T02:00:03.000Z"));
  CHECK(back.finished == at("2026-12-06T02:00:09.750Z"));
  CHECK(back.folders.at(0).started == at("2026-12-06T02:00:01.000Z"));
}

TEST_CASE("report audit: --report with {date} and {time}, or a directory, keeps a history") {
  const auto t = at("2026-12-06T02:05:09.001Z");
  CHECK(cli::report_file_for("/var/log/mf/nightly-{date}.json", t) ==
        "/var/log/mf/nightly-2026-12-06.json");
  CHECK(cli::report_file_for("r-{date}-{time}.json", t) == "r-2026-12-06-020509Z.json");
  CHECK(cli::report_file_for("plain.json", t) == "plain.json");
  testing::TempDir dir("report-dir");
  CHECK(cli::report_file_for(dir.path().string(), t) ==
        (dir.path() / "mailferry-2026-12-06T020509Z.json").string());
  CHECK(cli::report_file_for("/no/such/dir/", t) ==
        "/no/such/dir/mailferry-2026-12-06T020509Z.json");

  cli::write_report(two_jobs(), dir.path().string());
  const auto written = dir.path() / "mailferry-2026-12-06T020000Z.json";
  REQUIRE(std::filesystem::exists(written));
  CHECK(report_schema().validate(json::parse(testing::read_file(written))) == "");
}
