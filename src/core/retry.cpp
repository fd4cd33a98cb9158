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

std::optional<std::chrono::milliseconds> Retry::failed(const std::exception& error,
                                                       bool progressed) {
  if (progressed) failures_ = 0;
  if (!may_retry(error) || failures_ >= policy_.attempts) return std::nullopt;
  ++failures_;
  last_delay_ = policy_.delay_after(failures_);
  return last_delay_;
}

void Retry::wait(std::chrono::milliseconds delay) const {
  if (policy_.sleep)
    policy_.sleep(delay);
  else
    std::this_thread::sleep_for(delay);
}

bool Retry::again(const std::exception& error, bool progressed) {
  const auto delay = failed(error, progressed);
  if (delay) wait(*delay);
  return delay.has_value();
}

}  // namespace mailferry::core
