#include "mailferry/sync/prefetch.hpp"

#include <algorithm>

#include "mailferry/core/error.hpp"

namespace mailferry::sync {

BodyPrefetcher::BodyPrefetcher(std::vector<std::uint64_t> sizes, Open open, std::size_t depth,
                               std::uint64_t max_bytes)
    : sizes_(std::move(sizes)),
      open_(std::move(open)),
      depth_(std::max<std::size_t>(1, depth)),
      max_bytes_(max_bytes),
      slots_(sizes_.size()) {}

BodyPrefetcher::BodyPrefetcher(std::vector<std::uint64_t> sizes, Open open, OpenMany open_many,
                               std::size_t depth, std::uint64_t max_bytes)
    : BodyPrefetcher(std::move(sizes), std::move(open), depth, max_bytes) {
  open_many_ = std::move(open_many);
}

BodyPrefetcher::~BodyPrefetcher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::vector<std::size_t> BodyPrefetcher::next_batch(std::size_t first) {
  std::vector<std::size_t> batch{first};
  if (!open_many_) return batch;
  std::uint64_t bytes = ready_bytes_ + sizes_[first];
  for (std::size_t j = first + 1; j < slots_.size() && ready_ + batch.size() < depth_; ++j) {
    if (slots_[j].state != State::Waiting || bytes + sizes_[j] > max_bytes_) break;
    bytes += sizes_[j];
    batch.push_back(j);
  }
  return batch;
}

void BodyPrefetcher::run() {
  // Batches start when at most half the depth is waiting, so that each is
  // worth its round trip; one at a time, as soon as there is room.
  const std::size_t start_below = open_many_ ? depth_ / 2 + 1 : depth_;
  for (std::size_t i = 0; i < slots_.size();) {
    std::vector<std::size_t> batch;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] {
        return stopping_ || slots_[i].state != State::Waiting || ready_ == 0 ||
               (ready_ < start_below && ready_bytes_ + sizes_[i] <= max_bytes_);
      });
      if (stopping_) return;
      if (slots_[i].state != State::Waiting) {  // taken already
        ++i;
        continue;
      }
      if (i < passed_) {  // the upload went past it: not wanted now
        slots_[i].state = State::Taken;
        ++i;
        continue;
      }
      batch = next_batch(i);
      for (auto j : batch) slots_[j].state = State::Opening;
    }
    i = batch.back() + 1;
    // Each body is ready for the upload as soon as it is opened, not when
    // the whole batch is.
    std::vector<bool> delivered(batch.size(), false);
    auto deliver = [&](std::size_t k, source::Source::Opened opened) {
      std::unique_ptr<core::BodyReader> dropped;  // let go outside the lock
      {
        std::lock_guard lock(mutex_);
        if (k >= batch.size() || delivered[k]) return;
        delivered[k] = true;
        Slot& slot = slots_[batch[k]];
        if (batch[k] < passed_ && slot.state == State::Opening) {
          slot.state = State::Taken;  // passed while it was being opened
          dropped = std::move(opened.reader);
        } else {
          slot.reader = std::move(opened.reader);
          slot.error = opened.error;
          slot.state = State::Ready;
          ++ready_;
          ready_bytes_ += sizes_[batch[k]];
        }
      }
      changed_.notify_all();
    };
    std::lock_guard open_lock(open_mutex_);
    std::exception_ptr error;
    try {
      if (open_many_) {
        open_many_(batch, deliver);
      } else {
        deliver(0, {open_(batch[0]), nullptr});
      }
    } catch (...) {
      error = std::current_exception();
    }
    for (std::size_t k = 0; k < batch.size(); ++k) {
      if (!error && !delivered[k])
        error = std::make_exception_ptr(core::SourceError(
            "the source gave no body and no error for a message it was asked to open"));
      if (!delivered[k]) deliver(k, {nullptr, error});
    }
  }
}

std::unique_ptr<core::BodyReader> BodyPrefetcher::open_now(std::size_t index) {
  std::lock_guard open_lock(open_mutex_);
  return open_(index);
}

std::unique_ptr<core::BodyReader> BodyPrefetcher::take(std::size_t index) {
  if (index >= slots_.size()) return open_now(index);
  std::unique_lock lock(mutex_);
  // The thread starts with the first body wanted: a target that sends
  // nothing (the dry run) has no body opened at all.
  if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
  // Bodies opened ahead and passed by (their messages were not sent: refused
  // before sending) are let go, so that they hold no memory and no place.
  // Each index is passed once, so this is linear over the whole upload.
  std::vector<std::unique_ptr<core::BodyReader>> passed;
  for (std::size_t j = passed_; j < index; ++j) {
    Slot& s = slots_[j];
    if (s.state != State::Ready) continue;
    passed.push_back(std::move(s.reader));
    s.error = nullptr;
    s.state = State::Taken;
    --ready_;
    ready_bytes_ -= sizes_[j];
  }
  passed_ = std::max(passed_, index);
  Slot& slot = slots_[index];
  if (slot.state == State::Waiting || slot.state == State::Taken) {
    slot.state = State::Taken;  // the prefetch thread passes it by
    lock.unlock();
    changed_.notify_all();
    passed.clear();
    return open_now(index);
  }
  changed_.wait(lock, [&] { return slot.state == State::Ready || slot.state == State::Taken; });
  if (slot.state == State::Taken) {  // let go while being opened (a retry behind the upload)
    lock.unlock();
    passed.clear();
    return open_now(index);
  }
  slot.state = State::Taken;
  --ready_;
  ready_bytes_ -= sizes_[index];
  ++taken_ahead_;
  auto reader = std::move(slot.reader);
  auto error = slot.error;
  slot.error = nullptr;
  lock.unlock();
  changed_.notify_all();
  if (error) std::rethrow_exception(error);
  return reader;
}

std::size_t BodyPrefetcher::taken_ahead() const {
  std::lock_guard lock(mutex_);
  return taken_ahead_;
}

}  // namespace mailferry::sync
