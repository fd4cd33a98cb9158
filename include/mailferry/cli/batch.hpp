// Batches: many jobs of one job file, run with bounded parallelism, and split
// into shards across machines.
//
// Sharding: a job belongs to shard shard_of(name, M) in 0..M-1, computed from
// the job's NAME only (the first 8 bytes of SHA-256(name), big-endian, modulo
// M), so it is stable when the file is reordered or jobs are added, and any
// other tool can compute it. `--shard K/M` keeps the jobs of shard K.
//
// Parallel runs: with --parallel N > 1, each job runs in a worker process
// (this program again, told which job to run and where to write its report),
// at most N at a time. Workers send their events as JSON lines
// (json_log.hpp) over a pipe; the parent shows them as its own output and
// collects each worker's report. A worker that crashes or is killed fails its
// own job only; workers die with the parent (PR_SET_PDEATHSIG), so a killed
// batch leaves nothing running. Processes, not threads: every job gets its
// own address space, and libraries that are not thread-safe (libpst) stay
// safe.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "mailferry/cli/run_events.hpp"
#include "mailferry/job/job.hpp"
#include "mailferry/sync/report.hpp"

namespace mailferry::cli {

struct Shard {
  unsigned index = 0;  // K, 0-based
  unsigned count = 1;  // M
};

// Parses "K/M" (0 <= K < M). Throws core::UsageError.
Shard parse_shard(std::string_view text);
unsigned shard_of(std::string_view job_name, unsigned count);
// The jobs of `shard`, in file order.
std::vector<job::Job> select_shard(std::vector<job::Job> jobs, Shard shard);

// How to start the worker for one job: `argv_prefix` (program and the
// command line as given), then the worker options are appended.
struct WorkerCommand {
  std::vector<std::string> argv_prefix;
  std::string scratch_dir;  // where workers write their reports
};

// Runs `jobs` in worker processes, at most `parallel` at a time, reporting
// everything to `events` (job_started/job_finished under the jobs' indexes).
// Returns the reports in job order. Never throws for a failing job.
std::vector<sync::JobReport> run_in_workers(const std::vector<job::Job>& jobs, sync::Mode mode,
                                            const WorkerCommand& command, unsigned parallel,
                                            RunEvents& events);

// The worker side: the hidden options, and the report it leaves behind.
inline constexpr const char* kWorkerJobOption = "--batch-worker-job";
inline constexpr const char* kWorkerReportOption = "--batch-worker-report";

// Turns one JSON event line of a worker into calls on `events` for `job`.
// job_start, job_end and error events are left out (the parent makes its own
// from the worker's report); log events get the job's name in front. Returns
// false when the line is not an event (the caller shows it as it is).
bool replay_event(std::string_view line, std::size_t job, const std::string& job_name,
                  RunEvents& events);

// A JobReport again from its JSON form (sync::to_json). Throws on bad input.
sync::JobReport job_report_from_json(const nlohmann::json& json);

}  // namespace mailferry::cli
