// The report in the forms people and programs read: the JSON of --report
// FILE and of the event log, and the one-line verdict.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "mailferry/sync/report.hpp"

namespace mailferry::cli {

// The counters in the order of the struct, as the report (--report FILE) and
// the JSON event log (cli/json_log.hpp) write them.
nlohmann::ordered_json counters_to_json(const sync::Counters& counters);
nlohmann::json to_json(const sync::JobReport& job);
nlohmann::json to_json(const sync::RunReport& run);
// Writes the report atomically (temp file + rename) to
// report_file_for(path, the run's start). Throws core::UsageError.
void write_report(const sync::RunReport& run, const std::string& path);
// Where --report PATH goes for a run that began at `started`: PATH with
// {date} and {time} replaced by the start's UTC date ("2026-12-06") and time
// ("234012Z"), so nightly runs keep a history; a PATH that is a directory (or
// ends in '/') gets mailferry-{date}T{time}.json inside it.
std::string report_file_for(const std::string& path, core::WallClock::time_point started);

// One line a person can act on: "all 4,812 messages of 12 folders are on the
// server (4,100 already there, 712 added, 3 flags updated)" or what failed.
std::string verdict(const sync::JobReport& job);

}  // namespace mailferry::cli
