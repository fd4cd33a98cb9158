// BodyPrefetcher: bodies opened ahead in order and handed out once; bodies
// taken out of order, again, or passed by are opened on the spot; failures
// reach the one who takes the body; never more than the allowed bodies ahead.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "mailferry/core/error.hpp"
#include "mailferry/sync/prefetch.hpp"

using namespace mailferry;
using sync::BodyPrefetcher;

namespace {

class Body final : public core::BodyReader {
 public:
  Body(std::size_t index, std::atomic<int>& alive) : index_(index), alive_(alive) { ++alive_; }
  ~Body() override { --alive_; }
  std::size_t read(char* buffer, std::size_t capacity) override {
    if (done_ || capacity == 0) return 0;
    buffer[0] = static_cast<char>('0' + index_ % 10);
    done_ = true;
    return 1;
  }
  std::size_t index() const { return index_; }

 private:
  std::size_t index_;
  std::atomic<int>& alive_;
  bool done_ = false;
};

struct Opener {
  std::atomic<int> alive{0};
  std::atomic<int> concurrent{0};
  std::atomic<int> max_concurrent{0};
  std::mutex mutex;
  std::vector<std::size_t> opened;  // in the order open() ran
  std::set<std::size_t> failing;

  std::unique_ptr<core::BodyReader> open(std::size_t i) {
    const int now = ++concurrent;
    max_concurrent = std::max(max_concurrent.load(), now);
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    {
      std::lock_guard lock(mutex);
      opened.push_back(i);
    }
    --concurrent;
    if (failing.count(i))
      throw core::SourceError("cannot read message " + std::to_string(i),
                              core::ErrorScope::Message);
    return std::make_unique<Body>(i, alive);
  }
};

std::size_t index_of(const std::unique_ptr<core::BodyReader>& reader) {
  return dynamic_cast<const Body&>(*reader).index();
}

}  // namespace

TEST_CASE("perf prefetch: bodies are opened ahead, in order, and each handed out once") {
  Opener opener;
  std::size_t ahead = 0;
  {
    BodyPrefetcher prefetch(
        std::vector<std::uint64_t>(50, 100), [&](std::size_t i) { return opener.open(i); }, 4);
    for (std::size_t i = 0; i < 50; ++i) {
      auto body = prefetch.take(i);
      CHECK(index_of(body) == i);
      std::this_thread::sleep_for(std::chrono::microseconds(300));  // "sending" it
      CHECK(opener.alive.load() <= 1 + 4 + 1);  // this one, the ones ahead, one being opened
    }
    ahead = prefetch.taken_ahead();
  }
  CHECK(opener.opened.size() == 50);  // nothing opened twice
  CHECK(std::is_sorted(opener.opened.begin(), opener.opened.end()));
  CHECK(ahead > 0);                          // some were ready before they were wanted
  CHECK(opener.max_concurrent.load() == 1);  // open() never runs twice at once
  CHECK(opener.alive.load() == 0);
}

TEST_CASE("perf prefetch: a body taken again, or out of order, is opened on the spot") {
  Opener opener;
  BodyPrefetcher prefetch(
      std::vector<std::uint64_t>(10, 100), [&](std::size_t i) { return opener.open(i); }, 2);
  CHECK(index_of(prefetch.take(0)) == 0);
  CHECK(index_of(prefetch.take(5)) == 5);  // 1..4 passed by: never handed out
  CHECK(index_of(prefetch.take(0)) == 0);  // a batch sent again
  CHECK(index_of(prefetch.take(3)) == 3);
  for (std::size_t i = 6; i < 10; ++i) CHECK(index_of(prefetch.take(i)) == i);
  CHECK(opener.max_concurrent.load() == 1);
}

TEST_CASE("perf prefetch: a body that cannot be opened fails when it is taken, the rest go on") {
  Opener opener;
  opener.failing = {3};
  BodyPrefetcher prefetch(std::vector<std::uint64_t>(6, 100),
                          [&](std::size_t i) { return opener.open(i); });
  for (std::size_t i = 0; i < 6; ++i) {
    if (i == 3)
      CHECK_THROWS_AS(prefetch.take(i), core::SourceError);
    else
      CHECK(index_of(prefetch.take(i)) == i);
  }
}

TEST_CASE("perf prefetch: large bodies are not opened ahead beyond the byte limit") {
  Opener opener;
  {
    // 3 MB each, 8 MB ahead at most: two ahead (the first one always).
    BodyPrefetcher prefetch(
        std::vector<std::uint64_t>(10, 3u << 20), [&](std::size_t i) { return opener.open(i); }, 8,
        8u << 20);
    auto first = prefetch.take(0);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(opener.alive.load() <= 1 + 2);
  }
  CHECK(opener.alive.load() == 0);  // what was opened ahead and never taken is let go
}

TEST_CASE("perf prefetch: nothing is opened before the first body is wanted") {
  // A target that sends nothing (the dry run) must cost the source nothing.
  Opener opener;
  {
    BodyPrefetcher prefetch(std::vector<std::uint64_t>(5, 100),
                            [&](std::size_t i) { return opener.open(i); });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(opener.opened.empty());
  }
  CHECK(opener.opened.empty());
}

TEST_CASE(
    "perf prefetch: a source that opens in batches gets several bodies per call, in order, "
    "within the depth and the byte limit, and a failing one fails alone") {
  Opener opener;
  opener.failing = {17};
  std::vector<std::vector<std::size_t>> batches;
  std::size_t singles = 0;
  {
    BodyPrefetcher prefetch(
        std::vector<std::uint64_t>(100, 1000),
        [&](std::size_t i) {
          ++singles;
          return opener.open(i);
        },
        [&](const std::vector<std::size_t>& batch, const source::Source::EachOpened& each) {
          batches.push_back(batch);
          for (std::size_t k = 0; k < batch.size(); ++k) {
            source::Source::Opened opened;
            try {
              opened.reader = opener.open(batch[k]);
            } catch (...) {
              opened.error = std::current_exception();
            }
            each(k, std::move(opened));
          }
        },
        16, 10'000);
    for (std::size_t i = 0; i < 100; ++i) {
      if (i == 17) {
        CHECK_THROWS_AS(prefetch.take(i), core::SourceError);
        continue;
      }
      auto body = prefetch.take(i);
      CHECK(index_of(body) == i);
      std::this_thread::sleep_for(std::chrono::microseconds(300));  // "sending" it
      // The ones ahead by count and by bytes (10 of 1,000 bytes), and this one.
      CHECK(opener.alive.load() <= 1 + 16);
    }
  }
  // The first is taken before the thread gets to it; a busy machine may let
  // the upload catch up with the thread now and then.
  CHECK(singles < 10);
  REQUIRE(!batches.empty());
  std::size_t next = batches.front().front();
  CHECK(next <= singles);
  std::size_t largest = 0;
  for (const auto& batch : batches) {
    CHECK(batch.front() >= next);  // in order, each once
    next = batch.front();
    for (auto i : batch) CHECK(i == next++);
    largest = std::max(largest, batch.size());
    CHECK(batch.size() <= 10);  // the byte limit: 10 bodies of 1,000 bytes
  }
  CHECK(next == 100);
  CHECK(largest > 1);
  CHECK(batches.size() < 50);  // far fewer calls than bodies
}
