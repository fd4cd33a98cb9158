#include "mailferry/sync/differ.hpp"

#include <algorithm>
#include <string_view>

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

// What the first pass learns of each source message.
enum Mark : std::uint8_t {
  kRepeat = 1,     // an earlier message has its key and size: a duplicate
  kAmbiguous = 2,  // its key is used by messages of more than one size here
};

// Marks the repeats and the messages whose key is ambiguous. The positions
// are sorted by (hash of the key, key, size, position), so that equal keys lie
// together: 16 bytes a message for the sort, then 1 for the marks, where hash
// sets of keys and of (key, size) cost about 100.
std::vector<std::uint8_t> mark_repeats(const MessageList& messages) {
  struct Slot {
    std::uint64_t hash;
    std::uint32_t position;
  };
  std::vector<Slot> slots(messages.size());
  for (std::size_t i = 0; i < messages.size(); ++i)
    slots[i] = {std::hash<std::string_view>{}(messages.key(i)), static_cast<std::uint32_t>(i)};
  std::sort(slots.begin(), slots.end(), [&](const Slot& a, const Slot& b) {
    if (a.hash != b.hash) return a.hash < b.hash;
    if (const int order = messages.key(a.position).compare(messages.key(b.position)); order != 0)
      return order < 0;
    const auto size_a = messages.message_size(a.position);
    const auto size_b = messages.message_size(b.position);
    if (size_a != size_b) return size_a < size_b;
    return a.position < b.position;
  });
  std::vector<std::uint8_t> marks(messages.size(), 0);
  for (std::size_t first = 0; first < slots.size();) {
    // [first, end): one key; sizes ascending, positions ascending within a size.
    const std::string_view key = messages.key(slots[first].position);
    std::size_t end = first + 1;
    while (end < slots.size() && slots[end].hash == slots[first].hash &&
           messages.key(slots[end].position) == key)
      ++end;
    const bool ambiguous = messages.message_size(slots[first].position) !=
                           messages.message_size(slots[end - 1].position);
    for (std::size_t k = first; k < end; ++k) {
      const std::uint32_t at = slots[k].position;
      if (ambiguous) marks[at] |= kAmbiguous;
      if (k > first && messages.message_size(slots[k - 1].position) == messages.message_size(at))
        marks[at] |= kRepeat;
    }
    first = end;
  }
  return marks;
}

}  // namespace

FolderPlan diff_folder(const MessageList& messages, const TargetIndex& target,
                       const DiffPolicy& policy) {
  const std::vector<std::uint8_t> marks = mark_repeats(messages);
  FolderPlan plan;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const std::string_view key = messages.key(i);
    const std::uint64_t size = messages.message_size(i);
    if (marks[i] & kRepeat) {
      plan.duplicates.push_back(i);
      continue;
    }
    const core::Flags wanted =
        wanted_flags(messages.flags(i), messages.requests_read_receipt(i), policy);
    const CachedMessage* existing =
        (marks[i] & kAmbiguous) ? target.copy_with_size(key, size) : target.first_copy(key);
    if (existing == nullptr) {
      plan.appends.push_back({i, wanted});
      continue;
    }
    plan.present.push_back({i, existing->uid});
    if (!policy.merge_flags) continue;
    // \Deleted is never added to a message already on the server: a later
    // expunge there would destroy mail the user still has.
    core::Flags missing = wanted.minus(existing->flags);
    missing = missing.without(core::Flag::Deleted);
    // Removed on the source since the last run, still on the server, and not
    // wanted for another reason: the one change a source makes that the
    // target follows by taking something away.
    const core::Flags removed = messages.flags_removed(i).minus(wanted);
    const core::Flags drop = removed.minus(removed.minus(existing->flags));
    if ((!missing.empty() || !drop.empty()) && existing->uid != 0)
      plan.flag_updates.push_back({i, existing->uid, missing, drop});
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
