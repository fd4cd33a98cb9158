// A target folder's index for one run: from the index the last run kept,
// brought up to date by the server, where the target declares it can
// compare (TargetFeatures::incremental_index); else listed in full. Kept for
// the next run where the target can confirm it exactly (exact_snapshot).
#include <algorithm>

#include "folder_run.hpp"
#include "mailferry/core/log.hpp"

namespace mailferry::sync::detail {
namespace {

auto by_uid = [](const auto& a, const auto& b) { return a.uid < b.uid; };
auto uid_below = [](const CachedMessage& m, std::uint32_t uid) { return m.uid < uid; };

// The kept index with the flags that changed since, then what was added.
std::vector<CachedMessage> brought_up_to_date(
    std::vector<CachedMessage> kept, std::vector<CachedMessage> added,
    const std::vector<std::pair<std::uint32_t, core::Flags>>& changed) {
  for (const auto& [uid, flags] : changed) {
    auto it = std::lower_bound(kept.begin(), kept.end(), uid, uid_below);
    if (it != kept.end() && it->uid == uid) it->flags = flags;
  }
  for (auto& m : added) kept.push_back(std::move(m));
  return kept;
}

}  // namespace

std::uint64_t upload_id(std::string_view key, std::uint64_t size) {
  std::uint64_t h = std::hash<std::string_view>{}(key);
  h ^= size + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  return h;
}

void index_target_folder(const RunParts& parts, const std::string& folder, FolderIndex& state) {
  const bool read_only = parts.options.mode != Mode::Sync;
  state.index = TargetIndex{};
  std::vector<CachedMessage> listed;
  auto collect = [&](target::TargetMessage m) {
    listed.push_back({m.uid, std::move(m.key), m.flags, m.size});
  };
  std::optional<CachedFolder> cached;
  if (parts.state.caching() && parts.target.features().incremental_index)
    cached = parts.state.load(folder);
  if (cached) {
    std::vector<std::pair<std::uint32_t, core::Flags>> changed;
    auto result = parts.target.index_folder_since(
        folder, read_only, cached->snapshot, collect,
        [&](std::uint32_t uid, core::Flags flags) { changed.emplace_back(uid, flags); });
    state.snapshot = result.snapshot;
    state.change = result.change;
    if (result.change != target::IndexChange::Full)
      listed = brought_up_to_date(std::move(cached->messages), std::move(listed), changed);
  } else {
    state.snapshot = parts.target.index_folder(folder, read_only, collect);
    state.change = target::IndexChange::Full;
  }
  if (!std::is_sorted(listed.begin(), listed.end(), by_uid))
    std::sort(listed.begin(), listed.end(), by_uid);
  state.index = TargetIndex(std::move(listed));
}

void keep_target_index(const RunParts& parts, const std::string& folder, FolderIndex& state) {
  if (!parts.state.caching()) return;
  if (!parts.target.features().exact_snapshot) {
    parts.state.forget(folder);  // an index nobody can confirm is not kept
    return;
  }
  if (state.change == target::IndexChange::Unchanged && !state.appended &&
      state.flag_updates.empty())
    return;                          // what is kept is still exact
  if (state.appended_without_uid) {  // the server did not say where they went (no UIDPLUS)
    parts.state.forget(folder);
    return;
  }
  CachedFolder next;
  next.messages = state.index.release();  // what was listed, and what was appended
  std::sort(next.messages.begin(), next.messages.end(), by_uid);
  for (const auto& u : state.flag_updates) {
    auto it = std::lower_bound(next.messages.begin(), next.messages.end(), u.uid, uid_below);
    if (it != next.messages.end() && it->uid == u.uid) {
      it->flags.add(u.add);
      it->flags = it->flags.minus(u.remove);
    }
  }
  std::vector<std::uint32_t> uids;
  uids.reserve(next.messages.size());
  for (const auto& m : next.messages) uids.push_back(m.uid);
  if (std::adjacent_find(uids.begin(), uids.end()) != uids.end()) {
    parts.state.forget(folder);
    return;
  }
  std::optional<target::FolderSnapshot> snapshot;
  try {
    snapshot = parts.target.snapshot_if_exactly(folder, uids);
  } catch (const core::ServerError& e) {
    core::log_info(folder + ": the folder's index is not kept for the next run: " + e.what());
  }
  if (!snapshot) {
    parts.state.forget(folder);
    return;
  }
  next.snapshot = *snapshot;
  parts.state.save(folder, next);
}

}  // namespace mailferry::sync::detail
