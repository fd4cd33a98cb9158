// What a run did, per folder and per job (cli/report_output.hpp writes it).
//
// Counting rule (for sync): source = present + appended + failed, where
// `source` counts distinct messages of the source (the same message twice in
// one folder counts once, its extra copies in duplicates_in_source). In a dry
// run, `appended` counts what would be appended. `check` fills `missing`
// instead of `appended`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mailferry/core/error.hpp"
#include "mailferry/core/role.hpp"
#include "mailferry/core/utc_time.hpp"

namespace mailferry::sync {

struct Counters {
  std::uint64_t source = 0;
  std::uint64_t present = 0;
  std::uint64_t appended = 0;
  std::uint64_t flags_updated = 0;
  std::uint64_t failed = 0;
  std::uint64_t duplicates_in_source = 0;
  std::uint64_t missing = 0;
  std::uint64_t deleted_from_source = 0;
  std::uint64_t bytes_appended = 0;

  void add(const Counters& other);
};

struct FolderReport {
  std::string source;  // source folder, display form ("Archives/2019")
  std::string target;  // target folder, UTF-8 ("INBOX", "Sent")
  core::Role role = core::Role::None;
  bool created = false;  // the run created the target folder (or would, in a dry run)
  Counters counters;
  // When the folder's work began and ended (the epoch: never began).
  core::WallClock::time_point started{}, finished{};
};

struct JobReport {
  std::string name;
  std::string from;  // secret-free endpoint URLs
  std::string to;
  bool dry_run = false;
  bool check = false;
  Counters totals;
  std::vector<FolderReport> folders;
  std::vector<core::ErrorRecord> errors;
  std::vector<std::string> notes;  // facts worth knowing that are not errors
  int reconnects = 0;              // connections lost and resumed
  int exit_code = core::kExitComplete;
  // Skipped without any work: another process holds the job's lock
  // (sync/job_lock.hpp); exit_code is then core::kExitLocked.
  bool locked = false;
  // When the job began and ended, its start included opening source and
  // target (the epoch: never began).
  core::WallClock::time_point started{}, finished{};

  // Adds an error and raises exit_code where the error demands it.
  void add_error(core::ErrorRecord error, int exit_code_if_fatal);
  // Recomputes totals from folders.
  void sum_folders();
};

struct RunReport {
  bool dry_run = false;
  std::vector<JobReport> jobs;

  Counters totals() const;
  // The most severe of the jobs' codes; a job skipped as locked (5) counts
  // only when no job failed (1-4): a failure is the news.
  int exit_code() const;
};

}  // namespace mailferry::sync
