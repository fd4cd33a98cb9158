#include "mailferry/sync/target_index.hpp"

#include <algorithm>
#include <functional>

namespace mailferry::sync {
namespace {

std::uint64_t key_hash(std::string_view key) { return std::hash<std::string_view>{}(key); }

}  // namespace

TargetIndex::TargetIndex(std::vector<CachedMessage> messages) : messages_(std::move(messages)) {}

void TargetIndex::add(CachedMessage message) { messages_.push_back(std::move(message)); }

std::pair<TargetIndex::SlotIterator, TargetIndex::SlotIterator> TargetIndex::candidates(
    std::string_view key) const {
  if (slots_.size() < messages_.size()) {
    // Index what was added since the last lookup: sort the new slots, then
    // merge them in (linear), so that a run of adds costs one sort.
    const std::size_t old_size = slots_.size();
    slots_.reserve(messages_.size());
    for (std::size_t i = old_size; i < messages_.size(); ++i)
      slots_.emplace_back(key_hash(messages_[i].key.value), static_cast<std::uint32_t>(i));
    const auto middle = slots_.begin() + static_cast<std::ptrdiff_t>(old_size);
    std::sort(middle, slots_.end());
    std::inplace_merge(slots_.begin(), middle, slots_.end());
  }
  // Equal hashes stay in position order: copies come in the order added.
  const std::uint64_t h = key_hash(key);
  const auto first = std::lower_bound(slots_.cbegin(), slots_.cend(), Slot{h, 0});
  const auto last = std::upper_bound(first, slots_.cend(), Slot{h, UINT32_MAX});
  return {first, last};
}

const CachedMessage* TargetIndex::first_copy(std::string_view key) const {
  const CachedMessage* found = nullptr;
  for_each_copy(key, [&](const CachedMessage& m) {
    found = &m;
    return false;
  });
  return found;
}

const CachedMessage* TargetIndex::copy_with_size(std::string_view key, std::uint64_t size) const {
  const CachedMessage* found = nullptr;
  for_each_copy(key, [&](const CachedMessage& m) {
    if (m.size != size) return true;
    found = &m;
    return false;
  });
  return found;
}

std::vector<CachedMessage> TargetIndex::release() {
  slots_.clear();
  slots_.shrink_to_fit();
  std::vector<CachedMessage> out = std::move(messages_);
  messages_.clear();
  return out;
}

}  // namespace mailferry::sync
