#include "mailferry/sync/differ.hpp"

#include <unordered_set>

namespace mailferry::sync {

void TargetIndex::add(const core::MessageKey& key, Entry entry) { entries_.emplace(key, entry); }

const TargetIndex::Entry* TargetIndex::find(const core::MessageKey& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

core::Flags wanted_flags(const source::SourceMessage& message, const DiffPolicy& policy) {
  core::Flags flags = message.flags;
  if (message.requests_read_receipt && flags.has(core::Flag::Seen)) flags.add(core::Flag::MdnSent);
  if (policy.drafts_folder) flags.add(core::Flag::Draft);
  return policy.keywords_allowed ? flags : flags.without_keywords();
}

FolderPlan diff_folder(const std::vector<source::SourceMessage>& messages,
                       const TargetIndex& target, const DiffPolicy& policy) {
  FolderPlan plan;
  std::unordered_set<core::MessageKey> seen;
  seen.reserve(messages.size());
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const auto& message = messages[i];
    if (!seen.insert(message.key).second) {
      plan.duplicates.push_back(i);
      continue;
    }
    const core::Flags wanted = wanted_flags(message, policy);
    const TargetIndex::Entry* existing = target.find(message.key);
    if (existing == nullptr) {
      plan.appends.push_back({i, wanted});
      continue;
    }
    plan.present.push_back({i, existing->uid});
    if (!policy.merge_flags) continue;
    // \Deleted is never added to a message already on the server: a later
    // expunge there would destroy mail the user still has.
    core::Flags missing = wanted.minus(existing->flags);
    missing = core::Flags(missing.bits() & ~static_cast<std::uint8_t>(core::Flag::Deleted));
    if (!missing.empty() && existing->uid != 0) plan.flag_updates.push_back({i, existing->uid, missing});
  }
  return plan;
}

}  // namespace mailferry::sync
