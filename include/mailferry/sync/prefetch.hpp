// Opens message bodies ahead of the upload, in a thread of its own, so that
// a source whose open() does the slow part (POP3: RETR into a spool; PST:
// rebuilding the message) works while the target still sends the message
// before, instead of the target's connection waiting for it.
//
// Nothing is opened before the first take(). Bodies are opened in order, at most `depth` of them
// and `max_bytes` (by their announced sizes) ahead of the one being sent; the first one ahead is
// always allowed, whatever its size. A source that opens in batches (IMAP) gets several bodies
// asked for at once, so that the upload does not wait a round trip per message. take(i) hands out
// body i: the one opened ahead, or, when it was not (taken before, as when a refused batch is sent
// again, or not reached yet), one opened there and then. An exception from
// open() reaches the caller of take() for that body.
//
// Thread-safety: `open` runs in the prefetch thread or in take()'s caller,
// never in both at once. Readers it returned must not use the source (true
// of mbox, eml, POP3 and PST readers), since they are read while the next
// body is being opened. The destructor stops the thread and discards what
// was opened ahead and never taken.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "mailferry/source/source.hpp"

namespace mailferry::sync {

class BodyPrefetcher {
 public:
  using Open = std::function<std::unique_ptr<core::BodyReader>(std::size_t index)>;
  // Opens several bodies at once (Source::open_batch), handing each to
  // `each` with its position in `indices` as soon as it is ready.
  using OpenMany = std::function<void(const std::vector<std::size_t>& indices,
                                      const source::Source::EachOpened& each)>;

  // `sizes`: the announced size of each body, in order.
  BodyPrefetcher(std::vector<std::uint64_t> sizes, Open open, std::size_t depth = 8,
                 std::uint64_t max_bytes = 8u << 20);
  // Opening ahead in batches with `open_many`: once at most half of `depth`
  // bodies are waiting, the next ones up to `depth` (and `max_bytes`) are
  // opened together. take() of a body not opened ahead still uses `open`.
  BodyPrefetcher(std::vector<std::uint64_t> sizes, Open open, OpenMany open_many, std::size_t depth,
                 std::uint64_t max_bytes = 8u << 20);
  ~BodyPrefetcher();
  BodyPrefetcher(const BodyPrefetcher&) = delete;
  BodyPrefetcher& operator=(const BodyPrefetcher&) = delete;

  std::unique_ptr<core::BodyReader> take(std::size_t index);

  // How many bodies were handed out from the ones opened ahead (for tests).
  std::size_t taken_ahead() const;

 private:
  enum class State { Waiting, Opening, Ready, Taken };
  struct Slot {
    State state = State::Waiting;
    std::unique_ptr<core::BodyReader> reader;
    std::exception_ptr error;
  };
  void run();
  // The bodies to open next, from `first` (Waiting, not passed): mutex_ held.
  std::vector<std::size_t> next_batch(std::size_t first);
  std::unique_ptr<core::BodyReader> open_now(std::size_t index);

  std::vector<std::uint64_t> sizes_;
  Open open_;
  OpenMany open_many_;  // empty: one body at a time
  std::size_t depth_;
  std::uint64_t max_bytes_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::mutex open_mutex_;  // open_ never runs twice at once
  std::vector<Slot> slots_;
  std::size_t ready_ = 0;  // bodies opened ahead and not yet taken
  std::uint64_t ready_bytes_ = 0;
  std::size_t taken_ahead_ = 0;
  std::size_t passed_ = 0;  // the highest index taken: those below are behind the upload
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace mailferry::sync
