// Batches: many jobs of one job file, run with bounded parallelism, and split
// into shards across machines.
//
// Sharding: a job belongs to shard shard_of(name, M) in 0..M-1, computed from
// the job's NAME only (the first 8 bytes of SHA-256(name), big-endian, modulo
// M), so it is stable when the file is reordered or jobs are added, and any
// other tool can compute it. `--shard K/M` keeps the jobs of shard K.
//
// Parallel runs: with --parallel N > 1, N worker processes (this program
// again, with the same command line and a hidden option) run the jobs, each
// one job at a time: the parent hands a worker its next job when it reports
// the last one done. A worker loads the batch once, however many jobs it
// runs, so a list of thousands of accounts is neither parsed nor started
// (process, libraries) a thousand times. Workers send their events as JSON
// lines (json_log.hpp) over a pipe; the parent shows them as its own output
// and collects each job's report. A worker that crashes or is killed fails
// the job it was running only, and a new worker takes the remaining jobs;
// workers die with the parent (PR_SET_PDEATHSIG), so a killed batch leaves
// nothing running. Processes, not threads: jobs that run at the same time
// have their own address spaces, and libraries that are not thread-safe
// (libpst) stay safe.
#pragma once

#include <cstdint>
#include <cstdio>
#include <iosfwd>
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

// How to start a worker: `argv_prefix` (program and the command line as
// given), then the worker option with `scratch_dir` is appended.
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

// The worker side: the hidden option "--batch-worker DIR". A worker loads
// the batch as its parent did, then takes jobs from stdin, one JSON line each
// ({"index": I, "name": N}); for each it writes its events, its report to
// DIR/job-I.json, and then the line {"event": "worker_job_done", "index": I}.
// It ends at the end of stdin.
inline constexpr const char* kWorkerJobOption = "--batch-worker";

// The worker's loop over the requests read from `requests`; `done` is where
// the done lines go (the parent's pipe). Never throws for a failing job.
void serve_jobs(const std::vector<job::Job>& jobs, sync::Mode mode, const std::string& dir,
                RunEvents& events, std::istream& requests, std::FILE* done);

// Turns one JSON event line of a worker into calls on `events` for `job`.
// job_start, job_end and error events are left out (the parent makes its own
// from the worker's report); log events get the job's name in front. Returns
// false when the line is not an event (the caller shows it as it is).
bool replay_event(std::string_view line, std::size_t job, const std::string& job_name,
                  RunEvents& events);

// A JobReport again from its JSON form (sync::to_json). Throws on bad input.
sync::JobReport job_report_from_json(const nlohmann::json& json);

}  // namespace mailferry::cli
