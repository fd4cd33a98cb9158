#include "mailferry/core/retry.hpp"

#include <doctest/doctest.h>

#include <vector>

#include "mailferry/core/error.hpp"

using namespace mailferry;
using std::chrono::milliseconds;

namespace {

struct Recorded {
  std::vector<milliseconds> waits;
  core::RetryPolicy policy(int attempts) {
    core::RetryPolicy p;
    p.attempts = attempts;
    p.first_delay = milliseconds(100);
    p.max_delay = milliseconds(350);
    p.sleep = [this](milliseconds d) { waits.push_back(d); };
    return p;
  }
};

}  // namespace

TEST_CASE("retry policy: the wait doubles from the first delay up to the cap") {
  Recorded r;
  const auto policy = r.policy(5);
  CHECK(policy.delay_after(1) == milliseconds(100));
  CHECK(policy.delay_after(2) == milliseconds(200));
  CHECK(policy.delay_after(3) == milliseconds(350));
  CHECK(policy.delay_after(60) == milliseconds(350));
}

TEST_CASE("retry policy: a lost connection is tried again as often as the policy allows") {
  Recorded r;
  const auto policy = r.policy(3);
  core::Retry retry(policy);
  const core::ConnectionError lost("connection lost");
  CHECK(retry.again(lost));
  CHECK(retry.again(lost));
  CHECK(retry.again(lost));
  CHECK_FALSE(retry.again(lost));
  CHECK(r.waits ==
        std::vector<milliseconds>{milliseconds(100), milliseconds(200), milliseconds(350)});
}

TEST_CASE("retry policy: progress between failures starts the count again") {
  Recorded r;
  const auto policy = r.policy(1);
  core::Retry retry(policy);
  const core::ConnectionError lost("connection lost");
  CHECK(retry.again(lost));
  CHECK(retry.again(lost, true));
  CHECK(retry.failures() == 1);
  CHECK_FALSE(retry.again(lost));
}

TEST_CASE("retry policy: what cannot heal is never tried again") {
  Recorded r;
  const auto policy = r.policy(5);
  core::Retry retry(policy);
  CHECK_FALSE(retry.again(core::ConnectionError("the server refused the credentials", false)));
  CHECK_FALSE(retry.again(core::ServerError(core::ErrorScope::Folder, "NO no such folder")));
  CHECK_FALSE(retry.again(core::UsageError("bad option")));
  CHECK(r.waits.empty());
  CHECK_FALSE(core::Retry(core::RetryPolicy::never()).again(core::ConnectionError("lost")));
}
