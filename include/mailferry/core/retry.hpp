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
//
// A loop that has work between the decision and the wait (log the failure,
// drop what the failed attempt reported) uses the two halves of again():
//
//   core::Retry retry(policy);
//   for (;;) {
//     try { step(); return; } catch (const core::ConnectionError& e) {
//       if (!retry.allows(e, progress_since_last_failure)) throw;
//       log(what + "; resuming in " + std::to_string(retry.last_delay().count()) +
//           " ms (" + retry.tally() + ")");
//       retry.wait();
//     }
//   }
#pragma once

#include <chrono>
#include <exception>
#include <functional>
#include <string>
#include <utility>

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

// One loop's failures in a row, counted against a policy (a copy of it, so a
// Retry may outlive the policy it was made from).
class Retry {
 public:
  explicit Retry(RetryPolicy policy) : policy_(std::move(policy)) {}

  // After `error`: false when it must go up (it cannot heal, or the policy's
  // attempts are used up); otherwise true once the backoff has been waited
  // out. `progressed`: something got through since the last failure.
  bool again(const std::exception& error, bool progressed = false);

  // again() without the wait: counts the failure and sets last_delay(), or
  // says false (and counts nothing) when `error` must go up. wait() follows.
  bool allows(const std::exception& error, bool progressed = false);
  // The same for a failure that is no exception and heals with time by its
  // nature (a server's "throttled, back off" answer): only the count decides.
  bool allows_another(bool progressed = false);
  // Waits last_delay(), or `length` (a wait the server suggested), through
  // the policy's sleep.
  void wait() const { wait(last_delay_); }
  void wait(std::chrono::milliseconds length) const;

  // How many failures in a row so far, and the wait that came after the last.
  int failures() const { return failures_; }
  std::chrono::milliseconds last_delay() const { return last_delay_; }
  const RetryPolicy& policy() const { return policy_; }
  // "failure 2 of at most 5 in a row", for log lines and report notes.
  std::string tally() const;

 private:
  RetryPolicy policy_;
  int failures_ = 0;
  std::chrono::milliseconds last_delay_{0};
};

}  // namespace mailferry::core
