#include "mailferry/core/retry.hpp"

#include <algorithm>
#include <thread>

#include "mailferry/core/error.hpp"

namespace mailferry::core {

std::chrono::milliseconds RetryPolicy::delay_after(int failure) const {
  // Doubling from the first delay; the shift is capped so it cannot overflow.
  const auto doubled = first_delay * (1LL << std::clamp(failure - 1, 0, 20));
  return std::min<std::chrono::milliseconds>(doubled, max_delay);
}

RetryPolicy RetryPolicy::never() {
  RetryPolicy policy;
  policy.attempts = 0;
  return policy;
}

bool may_retry(const std::exception& error) {
  const auto* connection = dynamic_cast<const ConnectionError*>(&error);
  return connection != nullptr && connection->retryable();
}

bool Retry::again(const std::exception& error, bool progressed) {
  if (!allows(error, progressed)) return false;
  wait();
  return true;
}

bool Retry::allows(const std::exception& error, bool progressed) {
  if (progressed) failures_ = 0;
  return may_retry(error) && allows_another();
}

bool Retry::allows_another(bool progressed) {
  if (progressed) failures_ = 0;
  if (failures_ >= policy_.attempts) return false;
  ++failures_;
  last_delay_ = policy_.delay_after(failures_);
  return true;
}

void Retry::wait(std::chrono::milliseconds length) const {
  if (policy_.sleep)
    policy_.sleep(length);
  else
    std::this_thread::sleep_for(length);
}

std::string Retry::tally() const {
  return "failure " + std::to_string(failures_) + " of at most " +
         std::to_string(policy_.attempts) + " in a row";
}

}  // namespace mailferry::core
