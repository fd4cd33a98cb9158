#include "mailferry/core/retry.hpp"

#include <doctest/doctest.h>

#include <vector>

#include "mailferry/core/error.hpp"
#include "mailferry/imap/throttle_hint.hpp"

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

// A connection lost on the way: what the policy is for.
const core::ConnectionError kLost("connection lost");

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
  core::Retry retry(r.policy(3));
  for (int i = 0; i < 3; ++i) CHECK(retry.again(kLost));
  CHECK_FALSE(retry.again(kLost));
  CHECK(r.waits ==
        std::vector<milliseconds>{milliseconds(100), milliseconds(200), milliseconds(350)});
}

TEST_CASE("retry policy: progress between failures starts the count again") {
  Recorded r;
  core::Retry retry(r.policy(1));
  CHECK(retry.again(kLost));
  CHECK(retry.again(kLost, true));
  CHECK(retry.failures() == 1);
  CHECK_FALSE(retry.again(kLost));
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

TEST_CASE("retry policy: allows() decides and counts, wait() waits, tally() says where it stands") {
  Recorded r;
  core::Retry retry(r.policy(2));  // a copy: the policy given may go away
  const core::ConnectionError lost("connection lost");
  REQUIRE(retry.allows(lost));
  CHECK(r.waits.empty());  // the loop logs, then waits
  CHECK(retry.last_delay() == milliseconds(100));
  CHECK(retry.tally() == "failure 1 of at most 2 in a row");
  retry.wait();
  CHECK(r.waits == std::vector<milliseconds>{milliseconds(100)});
  // What cannot heal is not counted either.
  CHECK_FALSE(retry.allows(core::ConnectionError("untrusted certificate", false)));
  CHECK(retry.failures() == 1);
  CHECK(retry.allows(lost));
  CHECK_FALSE(retry.allows(lost));
  CHECK(retry.allows(lost, true));  // progress since: counting starts again
  CHECK(retry.tally() == "failure 1 of at most 2 in a row");
}

TEST_CASE("retry policy: a throttled answer, no exception, counts against the same attempts") {
  Recorded r;
  core::Retry retry(r.policy(2));
  CHECK(retry.allows_another());
  CHECK(retry.allows_another());
  CHECK_FALSE(retry.allows_another());
  CHECK(retry.allows_another(true));
  retry.wait(milliseconds(7));  // the length the server suggested
  CHECK(r.waits == std::vector<milliseconds>{milliseconds(7)});
}

TEST_CASE("retry policy: the throttle's limits are the shared policy's") {
  imap::ThrottlePolicy throttle;
  throttle.first_wait = milliseconds(5);
  throttle.max_wait = milliseconds(12);
  throttle.max_waits = 3;
  const core::RetryPolicy policy = throttle.retry_policy();
  CHECK(policy.attempts == 3);
  CHECK(policy.delay_after(1) == milliseconds(5));
  CHECK(policy.delay_after(3) == milliseconds(12));
  const imap::ThrottleHint none;
  for (int repeat = 1; repeat <= 4; ++repeat)
    CHECK(throttle.wait_for(none, repeat) == policy.delay_after(repeat));
}
