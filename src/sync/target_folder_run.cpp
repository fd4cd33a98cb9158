// run_target_folder: one target folder with every source folder that maps to
// it. Each attempt indexes the folder, resolves the uploads an earlier run
// (or attempt) left unfinished, syncs the source folders one by one and
// keeps the index for the next run; a lost connection starts the attempt
// again (with_reconnects), and what the attempts remember keeps the counts
// right across them.
#include <chrono>
#include <thread>

#include "folder_run.hpp"
#include "mailferry/core/plural.hpp"

namespace mailferry::sync::detail {
namespace {

// Waits until `folder` shows no new messages for settle_quiet (at most settle_limit).
void wait_until_settled(const RunParts& parts, const std::string& folder) {
  using clock = std::chrono::steady_clock;
  const auto& options = parts.options;
  const auto deadline = clock::now() + options.settle_limit;
  auto last = parts.target.status(folder);
  auto quiet_since = clock::now();
  while (clock::now() < deadline && clock::now() - quiet_since < options.settle_quiet) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    auto now = parts.target.status(folder);
    if (now.uidnext != last.uidnext || now.messages != last.messages) {
      last = now;
      quiet_since = clock::now();
    }
  }
}

// Uploads an earlier run (or attempt) started and never saw end: the server
// may still be executing them. Resolved against the server before planning.
void resolve_interrupted(const RunParts& parts, const std::string& folder, FolderIndex& state,
                         UploadMemory& memory, JobReport& report) {
  const auto pending = parts.state.pending(folder);
  if (pending.empty()) return;
  // An upload reached the server when a message with its key and its size
  // is there: a key shared by two different messages (one Message-ID on
  // two versions of a mail) must not make one of them count for the other.
  auto copy_of = [&](const JournalEntry& e) {
    return state.index.copy_with_size(e.key.value, e.size);
  };
  std::size_t found = 0;
  for (const auto& e : pending) found += copy_of(e) != nullptr;
  if (found < pending.size()) {
    wait_until_settled(parts, folder);
    index_target_folder(parts, folder, state);
  }
  // Uploads this run began in an attempt that lost its connection: those
  // that reached the server were appended by this run.
  std::vector<JournalEntry> reached;
  for (const auto& e : pending) {
    const auto* copy = copy_of(e);
    if (copy == nullptr) continue;
    JournalEntry result = e;
    result.uidvalidity = state.snapshot.uidvalidity;
    result.uid = copy->uid;
    reached.push_back(std::move(result));
    const std::uint64_t id = upload_id(e.key.value, e.size);
    if (memory.begun.contains(id)) memory.appended.insert(id);
  }
  report.notes.push_back(
      folder + ": " +
      core::counted(pending.size(), "interrupted upload was", "interrupted uploads were") +
      " resolved (" + std::to_string(reached.size()) + " had reached the server)");
  // The journal keeps what was found (with its UID); the rest is forgotten,
  // and the plan uploads it again.
  parts.state.resolve(folder, reached);
}

// One attempt at the whole target folder.
void attempt(const RunParts& parts, const TargetGroup& group, JobReport& report,
             UploadMemory& memory, std::vector<FolderReport>& folders) {
  const bool writes = parts.options.mode == Mode::Sync;
  // A folder the plan created exists on the server (or, in a dry run, in
  // the DryRunTarget's memory) and is indexed like any other.
  const bool created = !group.exists && writes;
  const bool indexable = group.exists || created;
  FolderIndex state;
  if (indexable)
    index_target_folder(parts, group.target, state);
  else
    state.snapshot.keywords_allowed = true;  // a check of a folder not made yet
  if (indexable && parts.state.journaling())
    resolve_interrupted(parts, group.target, state, memory, report);

  bool first = true;
  for (const auto& folder : group.sources) {
    FolderReport fr;
    fr.source = folder.display_name();
    fr.target = group.target;
    fr.role = folder.role;
    fr.created = created && first;  // the creation counts once per target folder
    fr.started = core::WallClock::now();
    first = false;
    DiffPolicy policy{state.snapshot.keywords_allowed, true};
    policy.drafts_folder = folder.role == core::Role::Drafts;
    try {
      sync_source_folder(parts, folder, fr, state, policy, report, memory);
    } catch (const core::Error& e) {
      if (e.scope() == core::ErrorScope::Account || e.scope() == core::ErrorScope::Fatal) {
        fr.finished = core::WallClock::now();
        folders.push_back(fr);
        throw;
      }
      report.add_error({e.scope(), parts.source.describe() + ": folder " + fr.source, e.what()},
                       e.exit_code());
    }
    fr.finished = core::WallClock::now();
    folders.push_back(fr);
    parts.observer.folder_finished(fr);
  }
  if (indexable) keep_target_index(parts, group.target, state);
}

}  // namespace

GroupOutcome run_target_folder(const RunParts& parts, const TargetGroup& group) {
  GroupOutcome out;
  out.part.from = parts.source.describe();
  out.part.to = parts.target.describe();
  // Keys appended into this folder by earlier attempts: a retry finds them
  // on the server, and they must still count as appended, not as present.
  UploadMemory memory;
  try {
    with_reconnects(
        parts.options.reconnects, group.target, out.part,
        [&] {
          out.folders.clear();
          attempt(parts, group, out.part, memory, out.folders);
        },
        [&] { return memory.appended.size(); });
  } catch (const core::Error& e) {
    // A folder the server will not open (SELECT refused, say) costs that
    // folder; the job goes on with the others. Anything wider stops it.
    if (e.scope() == core::ErrorScope::Folder || e.scope() == core::ErrorScope::Message) {
      out.part.add_error(
          {core::ErrorScope::Folder, out.part.to + ": folder " + group.target, e.what()},
          e.exit_code());
      return out;
    }
    out.stopped = core::ErrorRecord{e.scope(), out.part.from + " -> " + out.part.to, e.what()};
    out.stop_code = e.exit_code();
  }
  return out;
}

}  // namespace mailferry::sync::detail
