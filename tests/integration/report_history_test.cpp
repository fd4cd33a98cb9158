// The report of a real run, the way a nightly cron job keeps them: --report
// naming a directory writes one file per run, named by its start, and each is
// an audit record valid against schema/mailferry-report.schema.json.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/dovecot_server.hpp"
#include "support/json_schema.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

using namespace mailferry::testing;
using nlohmann::json;
namespace fs = std::filesystem;

TEST_CASE("report history: each run into a report directory leaves its own valid record") {
  DovecotServer server;
  TempDir dir("report-history");
  const std::string reports = dir.file("reports");
  fs::create_directories(reports);
  const std::string mbox =
      "mbox:" + std::string(MAILFERRY_SOURCE_DIR) + "/examples/mbox/Inbox.mbox";
  for (int run = 0; run < 2; ++run) {
    auto result = run_mailferry(server.sync_args(mbox, "nightly", {"--report", reports}),
                                {{"XDG_STATE_HOME", dir.file("state")}});
    INFO(result.describe());
    REQUIRE(result.exit_code == 0);
    if (run == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // a new second
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(reports)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() == 2);
  const auto schema = JsonSchema::from_file(std::string(MAILFERRY_SOURCE_DIR) +
                                            "/schema/mailferry-report.schema.json");
  for (const auto& file : files) {
    INFO(file);
    CHECK(file.filename().string().rfind("mailferry-20", 0) == 0);
    const json report = json::parse(read_file(file));
    CHECK(schema.validate(report) == "");
    CHECK(report["mailferry_version"].get<std::string>().size() > 0);
    CHECK(report["duration_seconds"].get<double>() >= 0);
    CHECK(report["jobs"][0]["folders"][0].contains("finished"));
  }
  // The second night found everything there.
  CHECK(json::parse(read_file(files[1]))["totals"]["appended"] == 0);
  CHECK(json::parse(read_file(files[0]))["totals"]["appended"].get<int>() > 0);
}
