// Which answers count as "throttled", the wait they suggest, and the waits
// the policy makes of them (imap/throttle_hint.hpp).
#include "mailferry/imap/throttle_hint.hpp"

#include <doctest/doctest.h>

#include <string>

#include "mailferry/imap/parser.hpp"

using namespace mailferry;
using namespace std::chrono_literals;

namespace {

imap::Response parse(const std::string& line) {
  imap::ResponseParser parser;
  std::string_view input = line;
  REQUIRE(parser.feed(input) == imap::ResponseParser::Result::Response);
  return parser.take_response();
}

std::optional<imap::ThrottleHint> hint(const std::string& line) {
  return imap::throttle_hint(parse(line));
}

}  // namespace

TEST_CASE("throttle hint: Microsoft 365's NO and BAD with a suggested back-off in milliseconds") {
  auto no = hint("a12 NO Request is throttled. Suggested Backoff Time: 92415 milliseconds\r\n");
  REQUIRE(no);
  REQUIRE(no->suggested);
  CHECK(*no->suggested == 92415ms);
  CHECK(no->words == "NO Request is throttled. Suggested Backoff Time: 92415 milliseconds");

  auto bad = hint("m7 BAD Request is throttled. Suggested Backoff Time: 299961 milliseconds\r\n");
  REQUIRE(bad);
  CHECK(bad->suggested == std::chrono::milliseconds(299961));
  CHECK(bad->words.rfind("BAD Request is throttled", 0) == 0);

  // The same words in an untagged BYE (the session ends with them).
  auto bye = hint("* BYE Request is throttled. Suggested Backoff Time: 50 milliseconds\r\n");
  REQUIRE(bye);
  CHECK(bye->suggested == 50ms);
}

TEST_CASE("throttle hint: units, spelling and a bare number") {
  CHECK(hint("a1 NO suggested backoff time: 7 seconds\r\n")->suggested == 7000ms);
  CHECK(hint("a1 NO Suggested Backoff Time 2 min\r\n")->suggested == 120000ms);
  CHECK(hint("a1 NO Suggested Backoff Time: 1500\r\n")->suggested == 1500ms);
  CHECK(hint("a1 NO Suggested Backoff Time: 40ms\r\n")->suggested == 40ms);
  CHECK(hint("a1 NO Suggested Backoff Time: 0 milliseconds\r\n")->suggested == 0ms);
}

TEST_CASE("throttle hint: throttled without a number") {
  auto code = hint("a3 NO [THROTTLED] Slow down\r\n");
  REQUIRE(code);
  CHECK_FALSE(code->suggested);
  CHECK(code->words == "NO [THROTTLED] Slow down");

  auto trailing = hint("a3 NO Too many commands [THROTTLED]\r\n");
  REQUIRE(trailing);
  CHECK_FALSE(trailing->suggested);

  auto gmail = hint("a1 NO [ALERT] Too many simultaneous connections. (Failure)\r\n");
  REQUIRE(gmail);
  CHECK_FALSE(gmail->suggested);
  CHECK(gmail->words == "NO [ALERT] Too many simultaneous connections. (Failure)");

  auto label_only = hint("a1 NO Request is throttled. Suggested Backoff Time: soon\r\n");
  REQUIRE(label_only);
  CHECK_FALSE(label_only->suggested);
}

TEST_CASE("throttle hint: absurd numbers are read as a day and capped by the policy") {
  auto huge = hint(
      "a1 NO Request is throttled. Suggested Backoff Time: 99999999999999999999999999 "
      "milliseconds\r\n");
  REQUIRE(huge);
  REQUIRE(huge->suggested);
  CHECK(*huge->suggested == std::chrono::hours(24));
  auto minutes = hint("a1 NO Suggested Backoff Time: 9999999999 minutes\r\n");
  CHECK(*minutes->suggested == std::chrono::hours(24));

  imap::ThrottlePolicy policy;
  CHECK(policy.wait_for(*huge, 1) == std::chrono::minutes(15));
  CHECK(policy.wait_for(*hint("a1 NO Suggested Backoff Time: 92415 milliseconds\r\n"), 3) ==
        92415ms);
}

TEST_CASE("throttle hint: not throttled") {
  CHECK_FALSE(hint("a1 OK Success [THROTTLED]\r\n"));  // Gmail: done, only slowly
  CHECK_FALSE(hint("a1 OK [THROTTLED] done\r\n"));
  CHECK_FALSE(hint("a1 NO [OVERQUOTA] Account exceeded command or bandwidth limits\r\n"));
  CHECK_FALSE(hint("a1 NO [UNAVAILABLE] Backend storage is unreachable\r\n"));
  CHECK_FALSE(hint("a1 NO [LIMIT] Mail size is larger than allowed\r\n"));
  CHECK_FALSE(hint("a1 NO Message refused\r\n"));
  CHECK_FALSE(hint("* 3 EXISTS\r\n"));
}

TEST_CASE("throttle hint: in a refused login's error text") {
  auto login = imap::throttle_hint_in_text(
      "login failed for user alice at imap.gmail.com:993: Login denied (the server said: "
      "A002 NO [ALERT] Too many simultaneous connections. (Failure))");
  REQUIRE(login);
  CHECK_FALSE(login->suggested);
  CHECK(login->words.find("Too many simultaneous connections") != std::string::npos);

  auto ms = imap::throttle_hint_in_text(
      "outlook.office365.com: CAPABILITY failed: BAD Request is throttled. Suggested Backoff "
      "Time: 1200 milliseconds");
  REQUIRE(ms);
  CHECK(ms->suggested == 1200ms);

  CHECK_FALSE(imap::throttle_hint_in_text(
      "login failed for user alice at example.org:993: Login denied (the server said: A002 NO "
      "[AUTHENTICATIONFAILED] Invalid credentials)"));
  CHECK_FALSE(imap::throttle_hint_in_text(""));
}

TEST_CASE("throttle policy: without a suggestion 30 s, doubled per repeat, capped at 15 min") {
  imap::ThrottlePolicy policy;
  imap::ThrottleHint none;
  CHECK(policy.wait_for(none, 1) == 30s);
  CHECK(policy.wait_for(none, 2) == 60s);
  CHECK(policy.wait_for(none, 3) == 120s);
  CHECK(policy.wait_for(none, 5) == 480s);
  CHECK(policy.wait_for(none, 6) == 900s);
  CHECK(policy.wait_for(none, 1000) == 900s);
  CHECK(policy.max_waits == 6);

  std::chrono::milliseconds slept{0};
  policy.sleep = [&](std::chrono::milliseconds d) { slept += d; };
  policy.wait(1234ms);
  CHECK(slept == 1234ms);
}

TEST_CASE("throttle policy: waits are written for people") {
  CHECK(imap::describe_wait(50ms) == "50 ms");
  CHECK(imap::describe_wait(30s) == "30 s");
  CHECK(imap::describe_wait(92415ms) == "92.4 s");
  CHECK(imap::describe_wait(std::chrono::minutes(15)) == "15 min");
  CHECK(imap::describe_wait(299961ms) == "5 min");
  CHECK(imap::describe_wait(150s) == "2 min 30 s");
}
