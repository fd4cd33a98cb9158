// A set of 64-bit ids in a sorted array: 8 bytes an id, where an
// unordered_set spends about 40. Inserts are appended and sorted in (with
// duplicates dropped) on the next query, so a run of inserts costs one sort.
// Not thread-safe, queries included.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace mailferry::sync {

class IdSet {
 public:
  void insert(std::uint64_t id) { ids_.push_back(id); }
  bool contains(std::uint64_t id) const {
    settle();
    return std::binary_search(ids_.begin(), ids_.end(), id);
  }
  std::size_t size() const {
    settle();
    return ids_.size();
  }

 private:
  void settle() const {
    if (sorted_ == ids_.size()) return;
    const auto middle = ids_.begin() + static_cast<std::ptrdiff_t>(sorted_);
    std::sort(middle, ids_.end());
    std::inplace_merge(ids_.begin(), middle, ids_.end());
    ids_.erase(std::unique(ids_.begin(), ids_.end()), ids_.end());
    sorted_ = ids_.size();
  }
  mutable std::vector<std::uint64_t> ids_;
  mutable std::size_t sorted_ = 0;  // ids_[0, sorted_) are sorted and distinct
};

}  // namespace mailferry::sync
