#include "mailferry/sync/prefetch.hpp"

#include <algorithm>

namespace mailferry::sync {

BodyPrefetcher::BodyPrefetcher(std::vector<std::uint64_t> sizes, Open open, std::size_t depth,
                               std::uint64_t max_bytes)
    : sizes_(std::move(sizes)),
      open_(std::move(open)),
      depth_(std::max<std::size_t>(1, depth)),
      max_bytes_(max_bytes),
      slots_(sizes_.size()) {}

BodyPrefetcher::~BodyPrefetcher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void BodyPrefetcher::run() {
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] {
        return stopping_ || slots_[i].state != State::Waiting || ready_ == 0 ||
               (ready_ < depth_ && ready_bytes_ + sizes_[i] <= max_bytes_);
      });
      if (stopping_) return;
      if (slots_[i].state != State::Waiting) continue;  // taken already
      if (i < passed_) {                                // the upload went past it: not wanted now
        slots_[i].state = State::Taken;
        continue;
      }
      slots_[i].state = State::Opening;
    }
    std::unique_ptr<core::BodyReader> reader;
    std::exception_ptr error;
    {
      std::lock_guard open_lock(open_mutex_);
      try {
        reader = open_(i);
      } catch (...) {
        error = std::current_exception();
      }
    }
    {
      std::lock_guard lock(mutex_);
      if (i < passed_ && slots_[i].state == State::Opening) {
        slots_[i].state = State::Taken;  // passed while it was being opened
      } else {
        slots_[i].reader = std::move(reader);
        slots_[i].error = error;
        slots_[i].state = State::Ready;
        ++ready_;
        ready_bytes_ += sizes_[i];
      }
    }
    reader.reset();  // outside the lock
    changed_.notify_all();
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
