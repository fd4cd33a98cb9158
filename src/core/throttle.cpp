#include "mailferry/core/throttle.hpp"

#include <algorithm>
#include <thread>

namespace mailferry::core {

TokenBucket::TokenBucket(double rate, double burst, Clock clock)
    : rate_(rate), burst_(burst), tokens_(burst), clock_(std::move(clock)), last_(clock_()) {}

std::chrono::nanoseconds TokenBucket::take(double amount) {
  const auto now = clock_();
  const double elapsed = std::chrono::duration<double>(now - last_).count();
  last_ = now;
  tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
  tokens_ -= amount;
  if (tokens_ >= 0) return std::chrono::nanoseconds(0);
  // In debt: the taker waits until the bucket has refilled to zero.
  return std::chrono::nanoseconds(static_cast<std::int64_t>(-tokens_ / rate_ * 1e9));
}

Throttle::Throttle(ThrottleLimits limits, Clock clock, Sleep sleep)
    : limits_(limits), sleep_(std::move(sleep)) {
  if (!clock) clock = [] { return std::chrono::steady_clock::now(); };
  if (!sleep_) sleep_ = [](std::chrono::nanoseconds d) { std::this_thread::sleep_for(d); };
  // Bytes may gather for one second of idling; messages are spaced evenly
  // (a burst of one), which is what rate limits on servers count.
  if (limits.bytes_per_second > 0) {
    const double rate = static_cast<double>(limits.bytes_per_second);
    bytes_.emplace(rate, rate, clock);
  }
  if (limits.messages_per_second > 0) messages_.emplace(limits.messages_per_second, 1.0, clock);
}

void Throttle::wait(std::chrono::nanoseconds d) {
  if (d <= std::chrono::nanoseconds(0)) return;
  {
    std::lock_guard lock(mutex_);
    waited_ += d;
  }
  sleep_(d);
}

void Throttle::before_message() {
  if (!messages_) return;
  std::chrono::nanoseconds d;
  {
    std::lock_guard lock(mutex_);
    d = messages_->take(1.0);
  }
  wait(d);
}

void Throttle::before_bytes(std::uint64_t bytes) {
  if (!bytes_ || bytes == 0) return;
  std::chrono::nanoseconds d;
  {
    std::lock_guard lock(mutex_);
    d = bytes_->take(static_cast<double>(bytes));
  }
  wait(d);
}

std::chrono::nanoseconds Throttle::waited() const {
  std::lock_guard lock(mutex_);
  return waited_;
}

}  // namespace mailferry::core
