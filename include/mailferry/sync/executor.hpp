// Applies the diff: for each target folder, index it, plan each source folder
// against it, append what is missing (pipelined by the target), add missing
// flags, remove from the source what is confirmed (when asked), and report.
// The same code serves `sync`, `sync --dry-run` (with a DryRunTarget and a
// DryRunSource, and neither journal nor cache: nothing is written) and
// `check` (which plans but never writes).
//
// The steps of one folder are in folder_sync.cpp, the run of one target
// folder (indexing, resolving interrupted uploads, reconnects) in
// target_folder_run.cpp, the parallel connections in parallel_groups.cpp.
//
// Errors keep their scope: a message error is counted and the run goes on; a
// folder error skips that folder; an account error (connection lost, quota,
// source unreadable) stops the job. All of them land in the JobReport.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "mailferry/core/retry.hpp"
#include "mailferry/source/source.hpp"
#include "mailferry/sync/folder_mapping.hpp"
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
  Removed = '-',    // deleted from the source (--delete-after-copy): now on the server only
};

// What an observer learns of a message: enough to name it in a line. Views
// into the executor's folder list, valid during the call only.
struct MessageSummary {
  std::uint64_t ordinal = 0;    // 1-based position in its source folder
  std::string_view message_id;  // as found in the header; may be empty
  std::uint64_t size = 0;
  // What a person finds the message by in a mail client: its date, sender
  // and subject (display forms; sender and subject may be empty).
  core::InternalDate date;
  std::string_view from;
  std::string_view subject;
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

// --delete-after-copy: which confirmed copies the source loses.
struct RemovalOptions {
  bool after_copy = false;  // needs Source::supports_removal()
  int keep_days = 0;        // keep messages younger than this many days (0: none)
};

struct ExecutorOptions {
  Mode mode = Mode::Sync;
  MappingOptions mapping;  // which source folder goes to which target folder
  RemovalOptions removal;
  // Upload journal (not owned; nullptr: none, as in a dry run). With it,
  // uploads interrupted in an earlier run are resolved against the server
  // before anything is sent.
  Journal* journal = nullptr;
  // Target folder indexes kept between runs (not owned; nullptr: none). Used
  // only as far as the server confirms them, and only where the target
  // declares the features (TargetFeatures).
  TargetCache* target_cache = nullptr;
  // How long a folder must show no new message to count as settled.
  std::chrono::milliseconds settle_quiet{1500};
  std::chrono::milliseconds settle_limit{60000};
  // A lost connection is resumed: reconnect after the policy's backoff,
  // re-index the folder and go on; at most `attempts` failures in a row
  // without a message getting through.
  core::RetryPolicy reconnects{};
  // Target folders uploaded at the same time by writing runs, each over a
  // connection of its own: the first uses the executor's target, the others
  // come from `open_target` (none: one folder after another, as in a dry
  // run). A connection that cannot be opened leaves its share to the
  // others. Folders are reported in the same order either way.
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

 private:
  source::Source& source_;
  target::Target& target_;
  ExecutorOptions options_;
  Observer default_observer_;
  Observer& observer_;
};

}  // namespace mailferry::sync
