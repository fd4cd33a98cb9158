// The executor's parts below Executor::run(), private to sync/.
//
// A run goes target folder by target folder (a TargetGroup: the target
// folder with every source folder that maps to it). Each is run by
// run_target_folder() (target_folder_run.cpp): index the target folder,
// resolve uploads an earlier run left unfinished, then sync each source
// folder in steps (folder_sync.cpp), and keep the index for the next run;
// after a lost connection, all of it again (reconnects.cpp).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "locked.hpp"
#include "mailferry/sync/differ.hpp"
#include "mailferry/sync/executor.hpp"
#include "mailferry/sync/id_set.hpp"
#include "mailferry/sync/target_index.hpp"

namespace mailferry::sync::detail {

// What one connection's folder runs use: the job's source, observer and
// state (shared by every connection, behind the Locked* wrappers) and a
// target connection of its own.
struct RunParts {
  source::Source& source;
  target::Target& target;
  const ExecutorOptions& options;
  Observer& observer;
  LockedState& state;
};

// A target folder and every source folder that maps to it (several may:
// "Sent" and "Sent Items" both go to the server's Sent).
struct TargetGroup {
  std::string target;
  core::Role role = core::Role::None;
  bool exists = false;
  std::vector<source::SourceFolder> sources;
};

// Target folders in the order their first source folder appears.
std::vector<TargetGroup> group_by_target(const std::vector<FolderAssignment>& assignments);
// Takes the groups whose target folder the server refused to create out of
// `groups`, each as a folder error in `report`.
void drop_refused(std::vector<TargetGroup>& groups, const FolderLayout& layout, JobReport& report);

// One target folder's run: what it reported, and the error that stopped
// the job there, if any. Merged into the job's report in folder order.
struct GroupOutcome {
  JobReport part;
  std::vector<FolderReport> folders;
  std::optional<core::ErrorRecord> stopped;
  int stop_code = 0;
};
GroupOutcome run_target_folder(const RunParts& parts, const TargetGroup& group);
void merge(JobReport& report, GroupOutcome& outcome);

// Runs the groups over up to `workers` connections (parallel_groups.cpp).
void run_parallel(const RunParts& parts, const std::vector<TargetGroup>& groups, JobReport& report,
                  std::size_t workers);

// Runs `step`; after a lost connection, waits as `policy` says and runs it
// again, and gives up as it says; `progress` (messages through so far)
// growing between two failures starts their count again. What a failed
// attempt reported is taken back, since the next attempt reports it again.
void with_reconnects(const core::RetryPolicy& policy, const std::string& what, JobReport& report,
                     const std::function<void()>& step,
                     const std::function<std::size_t()>& progress);

// What one target folder's attempts remember across reconnects: uploads
// begun and uploads confirmed in this run (by key and size).
struct UploadMemory {
  IdSet begun;
  IdSet appended;
};
// One message's identity for UploadMemory (key and size, as the differ
// tells them apart), as 64 bits: a folder of 100,000 messages keeps 100,000
// of these, and a collision could only move one message from the "present"
// count to the "appended" one.
std::uint64_t upload_id(std::string_view key, std::uint64_t size);

// One target folder's messages as this attempt knows them: as indexed, and
// as changed by its uploads and flag updates (for the target cache).
struct FolderIndex {
  TargetIndex index;  // as indexed (ascending UID), then this attempt's uploads
  target::FolderSnapshot snapshot;
  target::IndexChange change = target::IndexChange::Full;
  bool appended = false;
  bool appended_without_uid = false;
  std::vector<target::FlagUpdate> flag_updates;
};
// Indexes `folder` into `state`: from the index kept by the last run, brought
// up to date, where the cache has one and the target can compare; else in full.
void index_target_folder(const RunParts& parts, const std::string& folder, FolderIndex& state);
// Keeps `state` for the next run where the server confirms it exactly.
void keep_target_index(const RunParts& parts, const std::string& folder, FolderIndex& state);

// Syncs one source folder into its target folder (folder_sync.cpp).
void sync_source_folder(const RunParts& parts, const source::SourceFolder& folder,
                        FolderReport& report_folder, FolderIndex& state, const DiffPolicy& policy,
                        JobReport& report, UploadMemory& memory);

}  // namespace mailferry::sync::detail
