#include "mailferry/sync/differ.hpp"

#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace mailferry::sync {

void TargetIndex::add(const core::MessageKey& key, Entry entry) { entries_[key].push_back(entry); }

const std::vector<TargetIndex::Entry>* TargetIndex::find(const core::MessageKey& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

core::Flags wanted_flags(const source::SourceMessage& message, const DiffPolicy& policy) {
  core::Flags flags = message.flags;
  if (message.requests_read_receipt && flags.has(core::Flag::Seen)) flags.add(core::Flag::MdnSent);
  if (policy.drafts_folder) flags.add(core::Flag::Draft);
  return policy.keywords_allowed ? flags : flags.without_keywords();
}

namespace {

struct KeyAndSize {
  const core::MessageKey* key;
  std::uint64_t size;
  bool operator==(const KeyAndSize& o) const { return *key == *o.key && size == o.size; }
};

struct KeyAndSizeHash {
  std::size_t operator()(const KeyAndSize& k) const {
    return std::hash<core::MessageKey>{}(*k.key) ^ (std::hash<std::uint64_t>{}(k.size) << 1);
  }
};

}  // namespace

FolderPlan diff_folder(const std::vector<source::SourceMessage>& messages,
                       const TargetIndex& target, const DiffPolicy& policy) {
  // First pass: which keys stand for more than one distinct message here.
  // Views of the keys in `messages`, not copies: a folder of 100,000
  // messages would otherwise hold every key twice while it is compared.
  std::unordered_map<std::string_view, std::uint64_t> first_size;
  std::unordered_set<std::string_view> ambiguous;
  first_size.reserve(messages.size());
  for (const auto& m : messages) {
    auto [it, inserted] = first_size.emplace(m.key.value, m.size);
    if (!inserted && it->second != m.size) ambiguous.insert(m.key.value);
  }

  FolderPlan plan;
  std::unordered_set<KeyAndSize, KeyAndSizeHash> seen;
  seen.reserve(messages.size());
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const auto& message = messages[i];
    if (!seen.insert({&message.key, message.size}).second) {
      plan.duplicates.push_back(i);
      continue;
    }
    const core::Flags wanted = wanted_flags(message, policy);
    const TargetIndex::Entry* existing = nullptr;
    if (const auto* copies = target.find(message.key)) {
      if (!ambiguous.count(message.key.value)) {
        existing = &copies->front();
      } else {
        for (const auto& copy : *copies)
          if (copy.size == message.size) existing = &copy;
      }
    }
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

}  // namespace mailferry::sync
