#include "mailferry/cli/report_output.hpp"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <system_error>

#include "mailferry/core/atomic_file.hpp"
#include "mailferry/core/utc_time.hpp"

namespace mailferry::cli {
namespace {

using nlohmann::json;
using namespace sync;

// 4812 -> "4,812": verdicts are read by people.
std::string grouped(std::uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string plural(std::uint64_t n, const char* one, const char* many) {
  return grouped(n) + " " + (n == 1 ? one : many);
}

// "started", "finished" and "duration_seconds" of what began (an epoch start: never began).
void add_times(json& out, core::WallClock::time_point started,
               core::WallClock::time_point finished) {
  if (started == core::WallClock::time_point{}) return;
  out["started"] = core::rfc3339_utc(started);
  if (finished < started) return;
  out["finished"] = core::rfc3339_utc(finished);
  out["duration_seconds"] = core::seconds_between(started, finished);
}

// The run's span: from the first job's start to the last one's end.
std::pair<core::WallClock::time_point, core::WallClock::time_point> run_span(const RunReport& run) {
  core::WallClock::time_point started{}, finished{};
  for (const auto& job : run.jobs) {
    if (job.started == core::WallClock::time_point{}) continue;
    if (started == core::WallClock::time_point{} || job.started < started) started = job.started;
    finished = std::max(finished, job.finished);
  }
  return {started, finished};
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "";
  return name;
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at))
    text.replace(at, from.size(), to), at += to.size();
}

// "all 1 message of 1 folder is", "all 2 messages of 3 folders are"; a source
// without messages says so rather than "all 0 messages" (and has no counts
// worth a parenthesis).
std::string all_on_server(std::uint64_t messages, std::size_t folders) {
  if (messages == 0)
    return "the source holds no messages" +
           (folders == 0 ? std::string() : " (" + plural(folders, "folder", "folders") + ")");
  return "all " + plural(messages, "message", "messages") + " of " +
         plural(folders, "folder", "folders") + (messages == 1 ? " is" : " are") + " on the server";
}

}  // namespace

nlohmann::ordered_json counters_to_json(const Counters& c) {
  return nlohmann::ordered_json{{"source", c.source},
                                {"present", c.present},
                                {"appended", c.appended},
                                {"flags_updated", c.flags_updated},
                                {"failed", c.failed},
                                {"duplicates_in_source", c.duplicates_in_source},
                                {"missing", c.missing},
                                {"deleted_from_source", c.deleted_from_source},
                                {"bytes_appended", c.bytes_appended}};
}

json to_json(const JobReport& job) {
  json folders = json::array();
  for (const auto& f : job.folders) {
    json entry = counters_to_json(f.counters);
    entry["source"] = f.source;
    entry["target"] = f.target;
    entry["role"] = std::string(core::role_name(f.role));
    entry["created"] = f.created;
    add_times(entry, f.started, f.finished);
    folders.push_back(std::move(entry));
  }
  json errors = json::array();
  for (const auto& e : job.errors)
    errors.push_back(
        {{"scope", core::scope_name(e.scope)}, {"where", e.where}, {"message", e.message}});
  json out{{"name", job.name},
           {"from", job.from},
           {"to", job.to},
           {"dry_run", job.dry_run},
           {"check", job.check},
           {"exit_code", job.exit_code},
           {"locked", job.locked},
           {"verdict", verdict(job)},
           {"totals", counters_to_json(job.totals)},
           {"folders", folders},
           {"errors", errors},
           {"notes", job.notes},
           {"reconnects", job.reconnects}};
  add_times(out, job.started, job.finished);
  return out;
}

json to_json(const RunReport& run) {
  // An audit record: which program on which host, when and for how long;
  // every folder and error is in its job, once.
  json jobs = json::array();
  for (const auto& job : run.jobs) jobs.push_back(to_json(job));
  json out{{"mailferry_version", MAILFERRY_VERSION},
           {"host", host_name()},
           {"dry_run", run.dry_run},
           {"exit_code", run.exit_code()},
           {"totals", counters_to_json(run.totals())},
           {"jobs", jobs}};
  const auto [started, finished] = run_span(run);
  add_times(out, started, finished);
  return out;
}

std::string report_file_for(const std::string& path, core::WallClock::time_point started) {
  const std::string stamp = core::rfc3339_utc(started);  // 2026-12-06T23:40:12.345Z
  const std::string date = stamp.substr(0, 10);
  const std::string time = stamp.substr(11, 2) + stamp.substr(14, 2) + stamp.substr(17, 2) + "Z";
  std::string file = path;
  replace_all(file, "{date}", date);
  replace_all(file, "{time}", time);
  std::error_code ignored;
  if (!file.empty() && (file.back() == '/' || std::filesystem::is_directory(file, ignored)))
    file = (std::filesystem::path(file) / ("mailferry-" + date + "T" + time + ".json")).string();
  return file;
}

void write_report(const RunReport& run, const std::string& path) {
  // Whole or not at all: a cron job reading the report never sees half of it,
  // and a failed write leaves the previous report in place.
  auto started = run_span(run).first;
  if (started == core::WallClock::time_point{}) started = core::WallClock::now();
  const std::string file_path = report_file_for(path, started);
  try {
    core::AtomicFile file(file_path);
    file.write(to_json(run).dump(2) + "\n");
    file.commit();
  } catch (const std::system_error& e) {
    throw core::UsageError(file_path + ": cannot write the report: " + e.code().message());
  }
}

std::string verdict(const JobReport& job) {
  if (job.locked)
    return "skipped: another mailferry process is running this job; nothing was done (run "
           "again when it has finished)";
  const Counters& t = job.totals;
  const auto folders = plural(job.folders.size(), "folder", "folders");
  if (job.check) {
    if (t.missing == 0 && t.failed == 0 &&
        (job.exit_code == 0 || (t.source == 0 && job.errors.empty())))
      return all_on_server(t.source, job.folders.size());
    std::string what;
    if (t.missing > 0)
      what = plural(t.missing, "message is", "messages are") + " missing on the server";
    if (t.failed > 0)
      what += (what.empty() ? "" : ", ") + plural(t.failed, "message", "messages") +
              " could not be read";
    const std::string present =
        " (" + grouped(t.present) + " of " + grouped(t.source) + " present)";
    if (what.empty() && !job.errors.empty())
      return "stopped: " + job.errors.back().message + present;
    return what + present;
  }
  std::string detail = grouped(t.present) + " already there, " + grouped(t.appended) +
                       (job.dry_run ? " to add" : " added") + ", " +
                       plural(t.flags_updated, job.dry_run ? "flag update" : "flag updated",
                              job.dry_run ? "flag updates" : "flags updated");
  if (t.duplicates_in_source > 0)
    detail += ", " + plural(t.duplicates_in_source, "duplicate", "duplicates") + " in the source";
  if (t.deleted_from_source > 0)
    detail += ", " + grouped(t.deleted_from_source) +
              (job.dry_run ? " to delete from the source" : " deleted from the source");
  // An account-wide error (a full quota, a refused login) stopped the job:
  // that is the news, with what was done before it and what was never tried.
  const core::ErrorRecord* stop = nullptr;
  for (const auto& e : job.errors)
    if (e.scope == core::ErrorScope::Account || e.scope == core::ErrorScope::Fatal) stop = &e;
  if (stop != nullptr) {
    const std::uint64_t done = t.present + t.appended + t.failed;
    if (t.failed > 0) detail += ", " + grouped(t.failed) + " failed";
    if (t.source > done) detail += ", " + grouped(t.source - done) + " not tried";
    return "stopped: " + stop->message + " (" + detail + ")";
  }
  // Folders the server would not open (their messages are in no count).
  std::uint64_t folder_errors = 0;
  const core::ErrorRecord* first_folder_error = nullptr;
  for (const auto& e : job.errors)
    if (e.scope == core::ErrorScope::Folder) {
      if (++folder_errors == 1) first_folder_error = &e;
    }
  std::string failed_folders;
  if (folder_errors > 0)
    failed_folders = "; " + plural(folder_errors, "folder", "folders") +
                     " failed, the first: " + first_folder_error->where + ": " +
                     first_folder_error->message;
  if (t.failed > 0)
    return plural(t.failed, "message", "messages") + " failed of " + grouped(t.source) + " (" +
           detail + ")" + failed_folders;
  if (folder_errors > 0)
    return plural(folder_errors, "folder", "folders") + " failed: " + first_folder_error->where +
           ": " + first_folder_error->message + " (" + detail + ")";
  if (job.exit_code != 0 && !job.errors.empty())
    return "stopped: " + job.errors.back().message + " (" + detail + ")";
  if (t.source == 0) return all_on_server(0, job.folders.size());
  if (job.dry_run)
    return "dry run: " + plural(t.source, "message", "messages") + " of " + folders + " (" +
           detail + ")";
  return all_on_server(t.source, job.folders.size()) + " (" + detail + ")";
}

}  // namespace mailferry::cli
