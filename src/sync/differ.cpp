#include "mailferry/sync/differ.hpp"

#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace mailferry::sync {

core::Flags wanted_flags(const source::SourceMessage& message, const DiffPolicy& policy) {
  return wanted_flags(message.flags, message.requests_read_receipt, policy);
}

core::Flags wanted_flags(core::Flags own, bool requests_read_receipt, const DiffPolicy& policy) {
  core::Flags flags = own;
  if (requests_read_receipt && flags.has(core::Flag::Seen)) flags.add(core::Flag::MdnSent);
  if (policy.drafts_folder) flags.add(core::Flag::Draft);
  return policy.keywords_allowed ? flags : flags.without_keywords();
}

namespace {

struct KeyAndSize {
  std::string_view key;
  std::uint64_t size;
  bool operator==(const KeyAndSize&) const = default;
};

struct KeyAndSizeHash {
  std::size_t operator()(const KeyAndSize& k) const {
    return std::hash<std::string_view>{}(k.key) ^ (std::hash<std::uint64_t>{}(k.size) << 1);
  }
};

}  // namespace

FolderPlan diff_folder(const MessageList& messages, const TargetIndex& target,
                       const DiffPolicy& policy) {
  // First pass: which keys stand for more than one distinct message here.
  // Views of the keys in `messages`, not copies: a folder of 100,000
  // messages would otherwise hold every key twice while it is compared.
  std::unordered_map<std::string_view, std::uint64_t> first_size;
  std::unordered_set<std::string_view> ambiguous;
  first_size.reserve(messages.size());
  for (std::size_t i = 0; i < messages.size(); ++i) {
    auto [it, inserted] = first_size.emplace(messages.key(i), messages.message_size(i));
    if (!inserted && it->second != messages.message_size(i)) ambiguous.insert(messages.key(i));
  }

  FolderPlan plan;
  std::unordered_set<KeyAndSize, KeyAndSizeHash> seen;
  seen.reserve(messages.size());
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const std::string_view key = messages.key(i);
    const std::uint64_t size = messages.message_size(i);
    if (!seen.insert({key, size}).second) {
      plan.duplicates.push_back(i);
      continue;
    }
    const core::Flags wanted =
        wanted_flags(messages.flags(i), messages.requests_read_receipt(i), policy);
    const CachedMessage* existing =
        ambiguous.count(key) ? target.copy_with_size(key, size) : target.first_copy(key);
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
    if (!missing.empty() && existing->uid != 0)
      plan.flag_updates.push_back({i, existing->uid, missing});
  }
  return plan;
}

FolderPlan diff_folder(const std::vector<source::SourceMessage>& messages,
                       const TargetIndex& target, const DiffPolicy& policy) {
  MessageList packed;
  for (const auto& m : messages) packed.push_back(m);
  return diff_folder(packed, target, policy);
}

}  // namespace mailferry::sync
