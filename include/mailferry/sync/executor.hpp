// Applies the diff: for each target folder, index it, plan each source folder
// against it, append what is missing (pipelined by the target), add missing
// flags, and report. The same code serves `sync`, `sync --dry-run` (with a
// DryRunTarget) and `check` (which plans but never writes).
//
// Errors keep their scope: a message error is counted and the run goes on; a
// folder error skips that folder; an account error (connection lost, quota,
// source unreadable) stops the job. All of them land in the JobReport.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailferry/core/folder_rules.hpp"
#include "mailferry/core/role.hpp"
#include "mailferry/source/source.hpp"
#include "mailferry/sync/differ.hpp"
#include "mailferry/sync/id_set.hpp"
#include "mailferry/sync/journal.hpp"
#include "mailferry/sync/report.hpp"
#include "mailferry/sync/target_cache.hpp"
#include "mailferry/target/target.hpp"

namespace mailferry::sync {

enum class Mode { Sync, Check };

// Per-message sigils as rclone check prints them.
enum class Sigil : char {
  Present = '=',
  Missing = '+',  // on the source only (sync: being appended)
  Differs = '*',  // present with other flags
  Error = '!',
  Duplicate = 'd',  // repeated in the source, not uploaded
};

// What an observer learns of a message: enough to name it in a line. Views
// into the executor's folder list, valid during the call only.
struct MessageSummary {
  std::uint64_t ordinal = 0;    // 1-based position in its source folder
  std::string_view message_id;  // as found in the header; may be empty
  std::uint64_t size = 0;
};

// Hooks for progress and per-message output; the default does nothing.
class Observer {
 public:
  virtual ~Observer() = default;
  virtual void folder_started(const FolderReport& /*folder*/, std::uint64_t /*messages*/) {}
  // Before a folder's uploads: how many messages and bytes will be sent (for
  // progress displays; `message` then reports each one as it is answered).
  virtual void transfer_started(const FolderReport& /*folder*/, std::uint64_t /*messages*/,
                                std::uint64_t /*bytes*/) {}
  virtual void message(Sigil /*sigil*/, const FolderReport& /*folder*/,
                       const MessageSummary& /*message*/, const std::string& /*detail*/) {}
  virtual void folder_finished(const FolderReport& /*folder*/) {}
};

// Connections per job for independent target folders; see parallel_groups.cpp
// for why this many.
inline constexpr int kDefaultConnections = 4;

struct ExecutorOptions {
  Mode mode = Mode::Sync;
  bool dry_run = false;               // the target is a DryRunTarget: counts say "would"
  bool single_folder_source = false;  // an mbox file or a POP3 mailbox
  std::string to_folder = "INBOX";
  std::optional<core::Role> only_role;
  core::FolderRules folder_rules;  // the job's map/include/exclude/prefix/merge
  bool delete_after_copy = false;  // needs Source::supports_removal()
  int keep_days = 0;
  // Upload journal (not owned; nullptr: none). With it, uploads interrupted
  // in an earlier run are resolved against the server before anything is sent.
  Journal* journal = nullptr;
  // Target folder indexes kept between runs (not owned; nullptr: none). Used
  // by writing runs only, and only as far as the server confirms them.
  TargetCache* target_cache = nullptr;
  // How long a folder must show no new message to count as settled.
  std::chrono::milliseconds settle_quiet{1500};
  std::chrono::milliseconds settle_limit{60000};
  // A lost connection is resumed: reconnect after a delay that doubles each
  // time up to the cap, re-index the folder and go on; at most this many
  // failures in a row without a message getting through.
  int reconnect_attempts = 5;
  std::chrono::milliseconds reconnect_delay{1000};
  std::chrono::milliseconds reconnect_delay_cap{30000};
  // Target folders uploaded at the same time by writing runs, each over a
  // connection of its own: the first uses the executor's target, the others
  // come from `open_target` (none: one folder after another). A connection
  // that cannot be opened leaves its share to the others. Folders are
  // reported in the same order either way.
  int connections = kDefaultConnections;
  std::function<std::unique_ptr<target::Target>()> open_target;
};

// ExecutorOptions::connections with the hidden benchmark knob
// MAILFERRY_CONNECTIONS applied (a whole number from 1 to 16).
int connections_from_environment(int fallback);

class Executor {
 public:
  Executor(source::Source& source, target::Target& target, ExecutorOptions options,
           Observer* observer = nullptr);

  // Runs the whole job; never throws for errors with a scope (they are in the
  // report), only for bugs.
  JobReport run();

 public:
  // Target folders in the order their first source folder appears, each with
  // every source folder that maps to it (several may: e.g. "Sent" and
  // "Sent Items" both go to the server's Sent).
  struct TargetGroup {
    std::string target;
    core::Role role = core::Role::None;
    bool exists = false;
    std::vector<source::SourceFolder> sources;
  };

 private:
  // One target folder's run: what it reported, and the error that stopped
  // the job there, if any. Merged into the job's report in folder order.
  struct GroupOutcome {
    JobReport part;
    std::vector<FolderReport> folders;
    std::optional<core::ErrorRecord> stopped;
    int stop_code = 0;
  };
  GroupOutcome run_one_group(const TargetGroup& group);
  static void merge(JobReport& report, GroupOutcome& outcome);
  // Runs the groups over up to `workers` connections (parallel_groups.cpp).
  void run_parallel(const std::vector<TargetGroup>& groups, JobReport& report, std::size_t workers);
  // Held around what threads share: the source (which the body prefetch
  // thread opens from) and the state store behind the journal and the caches;
  // parallel workers share their parent's, with the observer too.
  std::unique_lock<std::recursive_mutex> shared_lock() const { return std::unique_lock(*shared_); }
  std::recursive_mutex own_shared_;
  std::recursive_mutex* shared_ = &own_shared_;

  // What one target folder's attempts remember across reconnects: uploads
  // begun and uploads confirmed in this run (by key and size).
  struct GroupMemory {
    IdSet begun;  // appended_id() of key and size
    IdSet appended;
  };

  // Runs `step`; after a lost connection, waits (capped exponential backoff)
  // and runs it again. Failures in a row without `progress` growing are
  // limited to reconnect_attempts; then the ConnectionError goes up.
  void with_reconnects(const std::string& what, JobReport& report,
                       const std::function<void()>& step,
                       const std::function<std::size_t()>& progress);
  void run_group(const TargetGroup& group, JobReport& report, GroupMemory& memory,
                 std::vector<FolderReport>& folders);
  // Waits until `folder` shows no new messages for settle_quiet (at most settle_limit).
  void wait_until_settled(const std::string& folder);
  // One target folder's messages as this attempt knows them: as indexed,
  // and as changed by its uploads and flag updates (for the target cache).
  struct FolderIndex {
    TargetIndex index;  // as indexed (ascending UID), then this attempt's uploads
    target::FolderSnapshot snapshot;
    target::IndexChange change = target::IndexChange::Full;
    bool appended = false;
    bool appended_without_uid = false;
    std::vector<target::FlagUpdate> flag_updates;
  };
  // The target cache, when this run may use it (it writes).
  TargetCache* cache() const {
    return options_.mode == Mode::Sync && !options_.dry_run ? options_.target_cache : nullptr;
  }
  void index_folder(const std::string& folder, FolderIndex& state);
  void keep_index(const std::string& folder, FolderIndex& state);
  void sync_folder(const source::SourceFolder& folder, FolderReport& report_folder,
                   FolderIndex& state, const DiffPolicy& policy, JobReport& report,
                   GroupMemory& memory);

  source::Source& source_;
  target::Target& target_;
  ExecutorOptions options_;
  Observer default_observer_;
  Observer& observer_;
};

}  // namespace mailferry::sync
