#include "mailferry/sync/executor.hpp"

#include <algorithm>
#include <ctime>
#include <functional>
#include <map>
#include <thread>

#include "mailferry/core/log.hpp"
#include "mailferry/sync/differ.hpp"
#include "mailferry/sync/folder_mapping.hpp"
#include "mailferry/sync/prefetch.hpp"

namespace mailferry::sync {
namespace {

// Upload intents per journal commit, and messages per Target::append call:
// a large folder goes in pieces, so it is never described twice in memory.
constexpr std::size_t kIntentsPerCommit = 4096;
constexpr std::size_t kItemsPerAppend = 4096;

// Collects one source folder's scan: the references, and the messages that
// could not be read (each one is a failed message of the report).
class CollectingSink : public source::ScanSink {
 public:
  explicit CollectingSink(JobReport& report) : report_(report) {}
  void message(source::SourceMessage message) override { messages.push_back(message); }
  void error(core::ErrorRecord error) override {
    if (error.scope == core::ErrorScope::Message) ++failed;
    report_.add_error(std::move(error), core::kExitSource);
  }
  MessageList messages;
  std::uint64_t failed = 0;

 private:
  JobReport& report_;
};

std::string describe_message(const source::Source& source, const source::SourceFolder& folder,
                             const MessageSummary& m) {
  std::string where = source.describe() + ": folder " + folder.display_name() + ": message " +
                      std::to_string(m.ordinal);
  if (!m.message_id.empty()) where += " " + std::string(m.message_id);
  return where;
}

// A message as observers see it: views into `messages`, no copy.
MessageSummary summary(const MessageList& messages, std::size_t i) {
  return {messages.ordinal(i), messages.message_id(i), messages.message_size(i)};
}

using TargetGroup = Executor::TargetGroup;

std::vector<TargetGroup> group_by_target(const std::vector<FolderAssignment>& assignments) {
  std::vector<TargetGroup> groups;
  std::map<std::string, size_t> position;
  for (const auto& a : assignments) {
    auto [it, inserted] = position.emplace(a.target, groups.size());
    if (inserted) groups.push_back({a.target, a.role, a.exists, {}});
    groups[it->second].sources.push_back(a.source);
  }
  return groups;
}

}  // namespace

Executor::Executor(source::Source& source, target::Target& target, ExecutorOptions options,
                   Observer* observer)
    : source_(source),
      target_(target),
      options_(std::move(options)),
      observer_(observer != nullptr ? *observer : default_observer_) {}

JobReport Executor::run() {
  JobReport report;
  report.from = source_.describe();
  report.to = target_.describe();
  report.dry_run = options_.dry_run;
  report.check = options_.mode == Mode::Check;

  try {
    // The folder plan, checked and its missing folders created before the
    // first message goes (a plan with problems stops the job here).
    const MappingOptions mapping{options_.single_folder_source, options_.to_folder,
                                 options_.only_role, options_.folder_rules};
    FolderLayout layout;
    with_reconnects(
        "listing folders", report,
        [&] {
          layout =
              prepare_folders(source_.folders(), target_, mapping, options_.mode == Mode::Sync);
        },
        [] { return std::size_t{0}; });
    for (auto& note : layout.notes) report.notes.push_back(std::move(note));
    const auto groups = group_by_target(layout.assignments);
    if (options_.only_role && groups.empty())
      report.notes.push_back("the source has no folder with the role '" +
                             std::string(core::role_name(*options_.only_role)) + "'");
    const bool writes = options_.mode == Mode::Sync && !options_.dry_run;
    const std::size_t workers =
        writes && options_.open_target
            ? std::min<std::size_t>(groups.size(), std::max(1, options_.connections))
            : 1;
    if (workers > 1) {
      run_parallel(groups, report, workers);
    } else {
      for (const auto& group : groups) {
        GroupOutcome outcome = run_one_group(group);
        merge(report, outcome);
        if (outcome.stopped) break;
      }
    }
  } catch (const core::Error& e) {
    report.add_error({e.scope(), report.from + " -> " + report.to, e.what()}, e.exit_code());
  }
  report.sum_folders();
  return report;
}

Executor::GroupOutcome Executor::run_one_group(const TargetGroup& group) {
  GroupOutcome out;
  out.part.from = source_.describe();
  out.part.to = target_.describe();
  // Keys appended into this folder by earlier attempts: a retry finds them
  // on the server, and they must still count as appended, not as present.
  GroupMemory memory;
  try {
    with_reconnects(
        group.target, out.part,
        [&] {
          out.folders.clear();
          run_group(group, out.part, memory, out.folders);
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

void Executor::merge(JobReport& report, GroupOutcome& outcome) {
  for (auto& f : outcome.folders) report.folders.push_back(std::move(f));
  for (auto& e : outcome.part.errors) report.errors.push_back(std::move(e));
  for (auto& n : outcome.part.notes) report.notes.push_back(std::move(n));
  report.reconnects += outcome.part.reconnects;
  report.exit_code = std::max(report.exit_code, outcome.part.exit_code);
  if (outcome.stopped) report.add_error(std::move(*outcome.stopped), outcome.stop_code);
}

void Executor::with_reconnects(const std::string& what, JobReport& report,
                               const std::function<void()>& step,
                               const std::function<std::size_t()>& progress) {
  int failures = 0;  // in a row, without progress in between
  for (;;) {
    const std::size_t errors_before = report.errors.size();
    const int exit_code_before = report.exit_code;
    const std::size_t progress_before = progress();
    try {
      step();
      return;
    } catch (const core::ConnectionError& e) {
      if (progress() > progress_before) failures = 0;
      if (!e.retryable() || ++failures > options_.reconnect_attempts) throw;
      // What the failed attempt reported, the next one reports again.
      report.errors.resize(errors_before);
      report.exit_code = exit_code_before;
      auto delay = options_.reconnect_delay * (1 << std::min(failures - 1, 10));
      delay = std::min(delay, options_.reconnect_delay_cap);
      const std::string note = what + ": " + e.what() + "; resuming in " +
                               std::to_string(delay.count()) + " ms (failure " +
                               std::to_string(failures) + " of at most " +
                               std::to_string(options_.reconnect_attempts) + " in a row)";
      core::log_warn(note);
      report.notes.push_back(note);
      ++report.reconnects;
      std::this_thread::sleep_for(delay);
    }
  }
}

void Executor::index_folder(const std::string& folder, FolderIndex& state) {
  const bool read_only = options_.mode != Mode::Sync || options_.dry_run;
  state.index = TargetIndex{};
  std::vector<CachedMessage> listed;
  auto collect = [&](target::TargetMessage m) {
    listed.push_back({m.uid, std::move(m.key), m.flags, m.size});
  };
  std::optional<CachedFolder> cached;
  if (cache() != nullptr) {
    auto lock = shared_lock();
    cached = cache()->load(folder);
  }
  if (cached) {
    std::vector<std::pair<std::uint32_t, core::Flags>> changed;
    auto result = target_.index_folder_since(
        folder, read_only, cached->snapshot, collect,
        [&](std::uint32_t uid, core::Flags flags) { changed.emplace_back(uid, flags); });
    state.snapshot = result.snapshot;
    state.change = result.change;
    if (result.change != target::IndexChange::Full) {
      // The kept index, its flags brought up to date, then what was added.
      std::vector<CachedMessage> added = std::move(listed);
      listed = std::move(cached->messages);
      auto by_uid = [](const CachedMessage& m, std::uint32_t uid) { return m.uid < uid; };
      for (const auto& [uid, flags] : changed) {
        auto it = std::lower_bound(listed.begin(), listed.end(), uid, by_uid);
        if (it != listed.end() && it->uid == uid) it->flags = flags;
      }
      for (auto& m : added) listed.push_back(std::move(m));
    }
  } else {
    state.snapshot = target_.index_folder(folder, read_only, collect);
    state.change = target::IndexChange::Full;
  }
  auto by_uid = [](const auto& a, const auto& b) { return a.uid < b.uid; };
  if (!std::is_sorted(listed.begin(), listed.end(), by_uid))
    std::sort(listed.begin(), listed.end(), by_uid);
  state.index = TargetIndex(std::move(listed));
}

void Executor::keep_index(const std::string& folder, FolderIndex& state) {
  TargetCache* kept = cache();
  if (kept == nullptr) return;
  auto forget = [&] {
    auto lock = shared_lock();
    kept->forget(folder);
  };
  if (state.change == target::IndexChange::Unchanged && !state.appended &&
      state.flag_updates.empty())
    return;                          // what is kept is still exact
  if (state.appended_without_uid) {  // the server did not say where they went (no UIDPLUS)
    forget();
    return;
  }
  CachedFolder next;
  next.messages = state.index.release();  // what was listed, and what was appended
  auto by_uid = [](const auto& a, const auto& b) { return a.uid < b.uid; };
  std::sort(next.messages.begin(), next.messages.end(), by_uid);
  for (const auto& u : state.flag_updates) {
    auto it =
        std::lower_bound(next.messages.begin(), next.messages.end(), u.uid,
                         [](const CachedMessage& m, std::uint32_t uid) { return m.uid < uid; });
    if (it != next.messages.end() && it->uid == u.uid) it->flags.add(u.add);
  }
  std::vector<std::uint32_t> uids;
  uids.reserve(next.messages.size());
  for (const auto& m : next.messages) uids.push_back(m.uid);
  if (std::adjacent_find(uids.begin(), uids.end()) != uids.end()) {
    forget();
    return;
  }
  std::optional<target::FolderSnapshot> snapshot;
  try {
    snapshot = target_.snapshot_if_exactly(folder, uids);
  } catch (const core::ServerError& e) {
    core::log_info(folder + ": the folder's index is not kept for the next run: " + e.what());
  }
  if (!snapshot) {
    forget();
    return;
  }
  next.snapshot = *snapshot;
  auto lock = shared_lock();
  kept->save(folder, next);
}

namespace {

// One message's identity for "appended in this run" (key and size, as the
// differ tells them apart), as 64 bits: a folder of 100,000 messages keeps
// 100,000 of these, and a collision could only move one message from the
// "present" count to the "appended" one.
std::uint64_t appended_id(std::string_view key, std::uint64_t size) {
  std::uint64_t h = std::hash<std::string_view>{}(key);
  h ^= size + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  return h;
}
std::uint64_t appended_id(const MessageList& messages, std::size_t i) {
  return appended_id(messages.key(i), messages.message_size(i));
}

}  // namespace

void Executor::run_group(const TargetGroup& group, JobReport& report, GroupMemory& memory,
                         std::vector<FolderReport>& folders) {
  const bool writes = options_.mode == Mode::Sync;
  FolderIndex state;
  const TargetIndex& index = state.index;
  bool created = false;
  bool indexable = group.exists;
  if (!group.exists && writes) {  // prepare_folders() created it
    created = true;
    indexable = !options_.dry_run;  // a dry run's folder does not exist to index
  }
  auto index_target = [&] { index_folder(group.target, state); };
  if (indexable)
    index_target();
  else
    state.snapshot.keywords_allowed = true;  // a new folder on a server with keywords

  if (options_.journal != nullptr && writes && !options_.dry_run && indexable) {
    // Uploads an earlier run (or attempt) started and never saw end: the
    // server may still be executing them. Resolve them before planning.
    const auto pending = [&] {
      auto lock = shared_lock();
      return options_.journal->pending(group.target);
    }();
    // An upload reached the server when a message with its key and its size
    // is there: a key shared by two different messages (one Message-ID on
    // two versions of a mail) must not make one of them count for the other.
    auto copy_of = [&](const JournalEntry& e) { return index.copy_with_size(e.key.value, e.size); };
    auto found = [&] {
      std::size_t n = 0;
      for (const auto& e : pending) n += copy_of(e) != nullptr;
      return n;
    };
    if (!pending.empty()) {
      if (found() < pending.size()) {
        wait_until_settled(group.target);
        index_target();
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
        const std::uint64_t id = appended_id(e.key.value, e.size);
        if (memory.begun.contains(id)) memory.appended.insert(id);
      }
      report.notes.push_back(group.target + ": " + std::to_string(pending.size()) +
                             " interrupted uploads were resolved (" +
                             std::to_string(reached.size()) + " had reached the server)");
      // The journal keeps what was found (with its UID); the rest is
      // forgotten, and the plan below uploads it again.
      auto lock = shared_lock();
      options_.journal->resolve(group.target, reached);
    }
  }
  const DiffPolicy policy{state.snapshot.keywords_allowed, true};

  for (const auto& folder : group.sources) {
    FolderReport fr;
    fr.source = folder.display_name();
    fr.target = group.target;
    fr.role = folder.role;
    fr.created = created;
    created = false;  // count the creation once per target folder
    DiffPolicy folder_policy = policy;
    folder_policy.drafts_folder = folder.role == core::Role::Drafts;
    try {
      sync_folder(folder, fr, state, folder_policy, report, memory);
    } catch (const core::Error& e) {
      if (e.scope() == core::ErrorScope::Account || e.scope() == core::ErrorScope::Fatal) {
        folders.push_back(fr);
        throw;
      }
      report.add_error({e.scope(), source_.describe() + ": folder " + fr.source, e.what()},
                       e.exit_code());
    }
    folders.push_back(fr);
    observer_.folder_finished(fr);
  }
  if (indexable) keep_index(group.target, state);
}

void Executor::wait_until_settled(const std::string& folder) {
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + options_.settle_limit;
  auto last = target_.status(folder);
  auto quiet_since = clock::now();
  while (clock::now() < deadline && clock::now() - quiet_since < options_.settle_quiet) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    auto now = target_.status(folder);
    if (now.uidnext != last.uidnext || now.messages != last.messages) {
      last = now;
      quiet_since = clock::now();
    }
  }
}

void Executor::sync_folder(const source::SourceFolder& folder, FolderReport& fr, FolderIndex& state,
                           const DiffPolicy& policy, JobReport& report, GroupMemory& memory) {
  TargetIndex& index = state.index;
  CollectingSink sink(report);
  source_.scan(folder, sink);
  const auto& messages = sink.messages;
  const FolderPlan plan = diff_folder(messages, index, policy);

  Counters& c = fr.counters;
  c.duplicates_in_source = plan.duplicates.size();
  c.source = messages.size() - plan.duplicates.size() + sink.failed;
  c.failed = sink.failed;
  for (const auto& p : plan.present) {
    if (memory.appended.contains(appended_id(messages, p.source_index))) {
      // by an earlier attempt of this run
      ++c.appended;
      c.bytes_appended += messages.message_size(p.source_index);
    } else {
      ++c.present;
    }
  }
  observer_.folder_started(fr, c.source);
  for (const auto& p : plan.present)
    observer_.message(Sigil::Present, fr, summary(messages, p.source_index), "");
  for (auto d : plan.duplicates) observer_.message(Sigil::Duplicate, fr, summary(messages, d), "");

  if (options_.mode == Mode::Check) {
    c.missing = plan.appends.size();
    for (const auto& a : plan.appends)
      observer_.message(Sigil::Missing, fr, summary(messages, a.source_index), "");
    for (const auto& u : plan.flag_updates)
      observer_.message(Sigil::Differs, fr, summary(messages, u.source_index),
                        "lacks " + u.add.to_imap());
    return;
  }

  // Confirmed copies (what is on the server now), for delete-after-copy only.
  const bool removing =
      options_.delete_after_copy && !options_.dry_run && source_.supports_removal();
  std::vector<std::size_t> confirmed;
  if (removing)
    for (const auto& p : plan.present) confirmed.push_back(p.source_index);

  // Bodies are opened a few messages ahead of the upload (a POP3 RETR or a
  // PST rebuild then overlaps with sending the message before); not in a dry
  // run, which sends nothing.
  std::optional<BodyPrefetcher> prefetch;
  if (!options_.dry_run && !plan.appends.empty()) {
    std::vector<std::uint64_t> sizes;
    sizes.reserve(plan.appends.size());
    for (const auto& a : plan.appends) sizes.push_back(messages.message_size(a.source_index));
    prefetch.emplace(std::move(sizes), [&](std::size_t k) {
      auto lock = shared_lock();  // the source may write to the state store (POP3 sizes)
      return source_.open(folder, messages[plan.appends[k].source_index]);
    });
  }
  // The items for appends [first, first + count): made a piece at a time, so
  // that a large folder's upload is not described twice in memory.
  auto make_items = [&](std::size_t first, std::size_t count) {
    std::vector<target::AppendItem> items;
    items.reserve(count);
    for (std::size_t k = first; k < first + count; ++k) {
      const auto& a = plan.appends[k];
      target::AppendItem item;
      item.size = messages.message_size(a.source_index);
      item.flags = a.flags;
      item.internal_date = messages.internal_date(a.source_index);
      // item.where stays empty: a refusal gets it below, where it is needed,
      // instead of every message carrying its description.
      if (prefetch)
        item.open_body = [&prefetch, k] { return prefetch->take(k); };
      else
        item.open_body = [this, &folder, m = messages[a.source_index]] {
          return source_.open(folder, m);
        };
      items.push_back(std::move(item));
    }
    return items;
  };
  if (!plan.appends.empty()) {
    // Intents go to the journal before the first byte is sent; ends are
    // written in batches (a lost end costs only a settle wait next time).
    std::vector<JournalEntry> ended;
    auto flush_ended = [&] {
      if (options_.journal != nullptr && !options_.dry_run) {
        auto lock = shared_lock();
        options_.journal->end(fr.target, ended);
      }
      ended.clear();
    };
    if (options_.journal != nullptr && !options_.dry_run) {
      // In pieces, so that a large folder's intents are never all in memory twice.
      std::vector<JournalEntry> entries;
      entries.reserve(std::min<std::size_t>(plan.appends.size(), kIntentsPerCommit));
      for (std::size_t k = 0; k < plan.appends.size(); ++k) {
        const std::size_t i = plan.appends[k].source_index;
        entries.push_back(
            {core::MessageKey{std::string(messages.key(i))}, messages.message_size(i)});
        memory.begun.insert(appended_id(messages, i));
        if (entries.size() == kIntentsPerCommit || k + 1 == plan.appends.size()) {
          auto lock = shared_lock();
          options_.journal->begin(fr.target, entries);
          entries.clear();
        }
      }
    }
    index.reserve(index.size() + plan.appends.size());
    std::uint64_t bytes = 0;
    for (const auto& a : plan.appends) bytes += messages.message_size(a.source_index);
    observer_.transfer_started(fr, plan.appends.size(), bytes);
    std::size_t first = 0;
    auto done = [&](std::size_t local, const target::AppendOutcome& outcome) {
      const auto& planned = plan.appends[first + local];
      const std::size_t i = planned.source_index;
      const MessageSummary m = summary(messages, i);
      core::MessageKey key{std::string(messages.key(i))};
      ended.push_back({key, m.size});
      if (ended.size() >= 256) flush_ended();
      if (outcome.ok) {
        ++c.appended;
        c.bytes_appended += m.size;
        state.appended = true;
        if (outcome.uid == 0) state.appended_without_uid = true;
        index.add({outcome.uid, std::move(key), planned.flags, m.size});
        memory.appended.insert(appended_id(messages, i));
        if (removing) confirmed.push_back(i);
        observer_.message(Sigil::Missing, fr, m, "");
      } else {
        ++c.failed;
        core::ErrorRecord error = outcome.error;
        if (error.where.empty()) error.where = describe_message(source_, folder, m);
        observer_.message(Sigil::Error, fr, m, error.message);
        report.add_error(std::move(error), core::kExitPartial);
      }
    };
    for (; first < plan.appends.size(); first += kItemsPerAppend) {
      const auto count = std::min(kItemsPerAppend, plan.appends.size() - first);
      target_.append(fr.target, make_items(first, count), done);
    }
    flush_ended();
  }
  // The prefetch thread may still be opening a body of a refused message:
  // it must be done before the source is used for anything else (a POP3
  // source has one connection).
  prefetch.reset();

  if (!plan.flag_updates.empty()) {
    std::vector<target::FlagUpdate> updates;
    for (const auto& u : plan.flag_updates) {
      updates.push_back({u.uid, u.add});
      observer_.message(Sigil::Differs, fr, summary(messages, u.source_index),
                        "adding " + u.add.to_imap());
    }
    target_.add_flags(fr.target, updates);
    c.flags_updated = updates.size();
    state.flag_updates.insert(state.flag_updates.end(), updates.begin(), updates.end());
  }

  if (removing) {
    const std::time_t cutoff =
        std::time(nullptr) - static_cast<std::time_t>(options_.keep_days) * 86400;
    std::vector<source::SourceMessage> removable;
    for (auto k : confirmed) {
      source::SourceMessage m = messages[k];
      if (options_.keep_days == 0 || m.internal_date.utc < cutoff)
        removable.push_back(std::move(m));
    }
    if (!removable.empty()) {
      auto removal = source_.remove(folder, removable);
      c.deleted_from_source = removal.removed;
      for (auto& error : removal.failed) report.add_error(std::move(error), core::kExitPartial);
    }
  }
}

}  // namespace mailferry::sync
