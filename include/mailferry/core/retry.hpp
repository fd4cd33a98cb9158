// One retry policy for every loop that tries again: the executor's resumed
// folders, the IMAP target's login and commands, the POP3 source's session.
//
// A policy says how many failures in a row are allowed and how long to wait
// after each (doubling from `first_delay` up to `max_delay`); a Retry counts
// one loop's failures against it. Progress between two failures (a message
// got through) starts the count again, so a long run over a flaky line keeps
// going while a dead server stops it soon.
//
// What cannot heal is never tried again, whatever the policy: a refused
// login, an untrusted certificate, a port that speaks another protocol (a
// core::ConnectionError that is not retryable()), and every error that is
// not a connection's (a usage error, a refused command).
#pragma once

#include <chrono>
#include <exception>
#include <functional>
#include <optional>

namespace mailferry::core {

struct RetryPolicy {
  using Sleep = std::function<void(std::chrono::milliseconds)>;

  int attempts = 5;  // failures in a row without progress that are tried again
  std::chrono::milliseconds first_delay{1000};
  std::chrono::milliseconds max_delay{30000};
  Sleep sleep;  // empty: std::this_thread::sleep_for (tests pass one that returns)

  // The wait after the `failure`-th failure in a row (from 1).
  std::chrono::milliseconds delay_after(int failure) const;
  // Never: tries once, and the first failure goes up.
  static RetryPolicy never();
};

// Whether trying again can help with `error` (see the top of this file).
bool may_retry(const std::exception& error);

// One loop's failures in a row, counted against a policy.
class Retry {
 public:
  explicit Retry(const RetryPolicy& policy) : policy_(policy) {}

  // After `error`: nothing when it must go up (it cannot heal, or the
  // policy's attempts are used up); otherwise it counts as a failure and the
  // answer is the wait before the next try. `progressed`: something got
  // through since the last failure.
  std::optional<std::chrono::milliseconds> failed(const std::exception& error,
                                                  bool progressed = false);
  // Waits `delay` with the policy's sleep.
  void wait(std::chrono::milliseconds delay) const;
  // failed() and wait() in one: true once the wait is over, false when the
  // error must go up.
  bool again(const std::exception& error, bool progressed = false);
  // How many failures in a row so far, and the wait that came after the last.
  int failures() const { return failures_; }
  std::chrono::milliseconds last_delay() const { return last_delay_; }
  const RetryPolicy& policy() const { return policy_; }

 private:
  const RetryPolicy& policy_;
  int failures_ = 0;
  std::chrono::milliseconds last_delay_{0};
};

}  // namespace mailferry::core
