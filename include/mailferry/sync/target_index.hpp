// One target folder's messages, found by key.
//
// Several messages with one key are possible on the server (put there by
// someone else, or different messages that share a Message-ID), so a key
// finds every copy. The messages are kept once, in the order they were added
// (a folder's index in UID order, then this run's uploads); the lookup is a
// sorted array of (hash of the key, position), 16 bytes a message, brought up
// to date on the first lookup after an add. A hash map from key copies cost
// about 180 bytes a message on top of the listed messages.
//
// Not thread-safe, lookups included (they may sort): one per folder attempt.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "mailferry/core/flags.hpp"
#include "mailferry/core/message_key.hpp"
#include "mailferry/sync/target_cache.hpp"

namespace mailferry::sync {

class TargetIndex {
 public:
  TargetIndex() = default;
  // The listed messages, kept in this order.
  explicit TargetIndex(std::vector<CachedMessage> messages);

  // A message listed or appended (UID 0: appended, the server did not say where).
  void add(CachedMessage message);
  void reserve(std::size_t messages) { messages_.reserve(messages); }

  // Calls `each(const CachedMessage&)` for every message with `key`, in the
  // order they were added, until it returns false.
  template <class Each>
  void for_each_copy(std::string_view key, Each&& each) const {
    for (auto [at, end] = candidates(key); at != end; ++at) {
      const CachedMessage& m = messages_[at->second];
      if (m.key.value == key && !each(m)) return;
    }
  }
  // The first message added with `key`, or nullptr.
  const CachedMessage* first_copy(std::string_view key) const;
  // The first message added with `key` and `size`, or nullptr.
  const CachedMessage* copy_with_size(std::string_view key, std::uint64_t size) const;

  std::size_t size() const { return messages_.size(); }
  // Every message, in the order added; the index is empty afterwards.
  std::vector<CachedMessage> release();

 private:
  using Slot = std::pair<std::uint64_t, std::uint32_t>;  // hash of the key, position
  using SlotIterator = std::vector<Slot>::const_iterator;
  std::pair<SlotIterator, SlotIterator> candidates(std::string_view key) const;

  std::vector<CachedMessage> messages_;
  mutable std::vector<Slot> slots_;  // sorted; covers messages_[0, slots_.size())
};

}  // namespace mailferry::sync
