// Pacing uploads for servers that limit them (Gmail: about 500 MB a day per
// account over IMAP; Microsoft 365 throttles bursts): at most so many bytes
// and so many messages per second, as token buckets.
//
// A bucket fills at `rate` tokens per second up to `burst`; taking tokens may
// overdraw it, and the next taker waits until it is back at zero. So a
// message larger than a second's worth of bytes still passes, and the long-run
// rate holds exactly. Time and sleeping come in as functions, so tests run on
// a made-up clock without sleeping.
//
// Thread-safe: one throttle may pace several connections.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>

namespace mailferry::core {

class TokenBucket {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  // rate > 0 tokens per second; burst >= 0 tokens may gather while idle.
  TokenBucket(double rate, double burst, Clock clock);
  // Takes `amount` tokens now and returns how long the taker must wait
  // before going on (zero when the bucket had them).
  std::chrono::nanoseconds take(double amount);

 private:
  double rate_, burst_, tokens_;
  Clock clock_;
  std::chrono::steady_clock::time_point last_;
};

struct ThrottleLimits {
  std::uint64_t bytes_per_second = 0;  // 0: no limit
  double messages_per_second = 0;      // 0: no limit
  bool any() const { return bytes_per_second > 0 || messages_per_second > 0; }
};

class Throttle {
 public:
  using Clock = TokenBucket::Clock;
  using Sleep = std::function<void(std::chrono::nanoseconds)>;
  // Empty clock/sleep: the steady clock and std::this_thread::sleep_for.
  explicit Throttle(ThrottleLimits limits, Clock clock = {}, Sleep sleep = {});

  // Blocks until one more message may start.
  void before_message();
  // Blocks until `bytes` more may be sent (call with what was just read).
  void before_bytes(std::uint64_t bytes);
  const ThrottleLimits& limits() const { return limits_; }
  // Total time spent waiting so far (for reports and tests).
  std::chrono::nanoseconds waited() const;

 private:
  void wait(std::chrono::nanoseconds d);

  ThrottleLimits limits_;
  Sleep sleep_;
  mutable std::mutex mutex_;
  std::optional<TokenBucket> bytes_, messages_;
  std::chrono::nanoseconds waited_{0};
};

}  // namespace mailferry::core
