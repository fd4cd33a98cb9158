// The token buckets behind --max-bytes-per-second and
// --max-messages-per-second, on a made-up clock: no test sleeps.
#include "mailferry/core/throttle.hpp"

#include <doctest/doctest.h>

#include <memory>

#include "mailferry/target/throttled_target.hpp"

using namespace mailferry;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// A clock that moves only when the code under test sleeps (or the test says so).
struct FakeTime {
  Clock::time_point now{std::chrono::hours(1)};
  std::chrono::nanoseconds slept{0};
  core::Throttle::Clock clock() {
    return [this] { return now; };
  }
  core::Throttle::Sleep sleep() {
    return [this](std::chrono::nanoseconds d) {
      slept += d;
      now += d;
    };
  }
};

double seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

TEST_CASE("throttle: a bucket gives its burst at once, then its rate") {
  FakeTime t;
  core::TokenBucket bucket(100.0, 100.0, t.clock());
  CHECK(bucket.take(100) == 0ns);   // the burst
  CHECK(bucket.take(50) == 500ms);  // in debt by 50 at 100/s
  t.now += 500ms;
  CHECK(bucket.take(100) == 1s);  // back at zero, then 100 more
  t.now += 10s;                   // a long idle time fills only up to the burst
  CHECK(bucket.take(100) == 0ns);
  CHECK(bucket.take(1) == 10ms);
}

TEST_CASE(
    "throttle: bytes per second holds over a long upload, messages larger than a second pass") {
  FakeTime t;
  core::Throttle throttle({1000, 0}, t.clock(), t.sleep());
  const auto start = t.now;
  // 100 reads of 4,000 bytes: 400,000 bytes at 1,000/s take 400 s less the
  // first second's burst.
  for (int i = 0; i < 100; ++i) throttle.before_bytes(4000);
  CHECK(seconds(t.now - start) == doctest::Approx(399.0));
  CHECK(throttle.waited() == t.slept);
  throttle.before_message();  // no message limit: never waits
  CHECK(seconds(t.now - start) == doctest::Approx(399.0));
}

TEST_CASE("throttle: messages per second are spaced evenly, fractions allowed") {
  FakeTime t;
  core::Throttle throttle({0, 0.5}, t.clock(), t.sleep());  // one message every 2 s
  const auto start = t.now;
  for (int i = 0; i < 10; ++i) throttle.before_message();
  CHECK(seconds(t.now - start) == doctest::Approx(18.0));  // the first goes at once
  throttle.before_bytes(1 << 30);                          // no byte limit: never waits
  CHECK(seconds(t.now - start) == doctest::Approx(18.0));
}

TEST_CASE("throttle: both limits at once, the slower one decides") {
  FakeTime t;
  core::Throttle throttle({10000, 10}, t.clock(), t.sleep());
  const auto start = t.now;
  for (int i = 0; i < 20; ++i) {
    throttle.before_message();
    throttle.before_bytes(5000);  // 20 x 5,000 bytes at 10,000/s: about 9 s after the burst
  }
  CHECK(seconds(t.now - start) == doctest::Approx(9.0).epsilon(0.05));
}

namespace {

class Bytes : public core::BodyReader {
 public:
  explicit Bytes(std::size_t n) : left_(n) {}
  std::size_t read(char* buffer, std::size_t capacity) override {
    std::size_t n = std::min(capacity, left_);
    std::fill(buffer, buffer + n, 'x');
    left_ -= n;
    return n;
  }

 private:
  std::size_t left_;
};

// Reads every body it is given, as an IMAP target sends literals, and notes the time.
class RecordingTarget : public target::Target {
 public:
  explicit RecordingTarget(FakeTime& t) : t_(t) {}
  std::string describe() const override { return "recording"; }
  target::TargetFeatures features() const override { return {}; }
  std::vector<target::TargetFolder> list_folders() override { return {}; }
  void create_folder(const std::string&, core::Role) override {}
  target::FolderSnapshot index_folder(const std::string&, bool,
                                      const std::function<void(target::TargetMessage)>&) override {
    return {};
  }
  void append(const std::string&, const std::vector<target::AppendItem>& items,
              const std::function<void(std::size_t, const target::AppendOutcome&)>& done) override {
    for (std::size_t i = 0; i < items.size(); ++i) {
      auto body = items[i].open_body();
      char buffer[1000];
      while (body->read(buffer, sizeof buffer) > 0) {
      }
      finished.push_back(t_.now);
      target::AppendOutcome ok;
      ok.ok = true;
      done(i, ok);
    }
  }
  void update_flags(const std::string&, const std::vector<target::FlagUpdate>&) override {}
  std::vector<Clock::time_point> finished;

 private:
  FakeTime& t_;
};

}  // namespace

TEST_CASE("throttle: ThrottledTarget paces the bodies the inner target reads") {
  FakeTime t;
  auto inner = std::make_unique<RecordingTarget>(t);
  auto* recording = inner.get();
  target::ThrottledTarget throttled(
      std::move(inner),
      std::make_shared<core::Throttle>(core::ThrottleLimits{3000, 1}, t.clock(), t.sleep()));
  std::vector<target::AppendItem> items(4);
  for (auto& item : items) {
    item.size = 6000;
    item.open_body = [] { return std::make_unique<Bytes>(6000); };
  }
  const auto start = t.now;
  int answered = 0;
  throttled.append("INBOX", items,
                   [&](std::size_t, const target::AppendOutcome& o) { answered += o.ok; });
  CHECK(answered == 4);
  REQUIRE(recording->finished.size() == 4);
  // 24,000 bytes at 3,000/s (less the first second's burst): the last body ends at 7 s.
  CHECK(seconds(recording->finished.back() - start) == doctest::Approx(7.0));
  CHECK(seconds(recording->finished[0] - start) == doctest::Approx(1.0));
  CHECK(throttled.describe() == "recording");
}
