// Where a batch stands, from the reports of all its shards: which mailboxes
// are complete, which failed and why, which no report mentions yet.
//
// A mailbox's state is that of its latest entry (by end time, then by the
// order the reports were given): a retried shard's report replaces the one
// of the run it retried. Dry runs are left out (they move nothing); a
// `check` counts (it says whether the mailbox is complete). Messages and
// bytes moved and the time spent add up over every run of a mailbox, an
// entry found twice (the same report given twice) counted once.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "mailferry/job/job.hpp"
#include "mailferry/sync/report.hpp"

namespace mailferry::cli {

// One report file: where it was read from and its jobs.
struct ReportFile {
  std::string path;
  std::vector<sync::JobReport> jobs;
};

enum class MailboxState { Complete, Failed, Locked, NotStarted };
const char* state_name(MailboxState state);  // "complete", "failed", "locked", "not_started"

struct MailboxStatus {
  std::string name;
  MailboxState state = MailboxState::NotStarted;
  int exit_code = 0;     // of the latest entry
  std::string reason;    // failed: what stopped it
  std::string report;    // the file of the latest entry
  std::string finished;  // RFC 3339, of the latest entry ("" unknown)
  std::uint64_t messages_moved = 0, bytes_moved = 0;
  double seconds = 0;  // over every run
  std::size_t runs = 0;
};

struct ReasonGroup {
  std::string reason;
  std::vector<std::string> mailboxes;
};

struct BatchStatus {
  std::string batch;                     // the job file or account list
  std::vector<std::string> reports;      // the report files read
  std::vector<MailboxStatus> mailboxes;  // in batch order
  std::size_t complete = 0, failed = 0, locked = 0, not_started = 0;
  std::uint64_t messages_moved = 0, bytes_moved = 0;
  std::vector<ReasonGroup> reasons;  // the failed ones, the biggest group first
  std::size_t unknown_entries = 0;   // report entries of jobs the batch does not hold
  bool all_complete() const { return complete == mailboxes.size(); }
};

BatchStatus batch_status(const std::string& batch, const std::vector<job::Job>& jobs,
                         const std::vector<ReportFile>& reports);

nlohmann::json to_json(const BatchStatus& status);
// The table people read; at most `listed` names per group (the JSON has all).
std::string status_text(const BatchStatus& status, std::size_t listed = 10);

}  // namespace mailferry::cli
