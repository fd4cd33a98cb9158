// ImapTarget's loops decide through the one retry policy (core/retry.hpp):
// a refused login is tried once, a connection that fails to open or is lost
// under a command that may simply go again is tried again as often as
// Tuning::reconnect allows, and then given up for good. And the folder a
// command needs is selected again, writable where it must be, after a
// reconnect. From a scripted IMAP peer.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "imap_fake_account.hpp"

using namespace mailferry;
using namespace std::chrono_literals;
using testing::imap_fake::Account;
using testing::imap_fake::FakeConnection;

namespace {

// A target on the scripted account whose connector can fail on cue, with a
// reconnect policy that records its waits instead of sleeping.
struct Scripted {
  Account account;
  std::vector<std::shared_ptr<testing::imap_fake::Server>> sessions;
  std::vector<std::chrono::milliseconds> waits;
  int connects = 0;
  // Called before each connection (from 1); may throw to fail it.
  std::function<void(int attempt)> before_connect;
  // Each new session's answers may be wrapped (from 1).
  std::function<void(int session, testing::imap_fake::Server&)> on_session;

  target::ImapTarget::Tuning tuning(int attempts) {
    target::ImapTarget::Tuning t;
    t.reconnect.attempts = attempts;
    t.reconnect.first_delay = 1ms;
    t.reconnect.max_delay = 3ms;
    t.reconnect.sleep = [this](std::chrono::milliseconds d) { waits.push_back(d); };
    return t;
  }

  std::unique_ptr<target::ImapTarget> open(int attempts) {
    net::ConnectOptions options;
    options.host = "fake";
    options.user = "u";
    return std::make_unique<target::ImapTarget>(
        options, tuning(attempts), [this](const net::ConnectOptions&) {
          ++connects;
          if (before_connect) before_connect(connects);
          auto server = account.connect();
          sessions.push_back(server);
          if (on_session) on_session(static_cast<int>(sessions.size()), *server);
          return std::make_unique<FakeConnection>(server);
        });
  }
};

// The commands one session saw, without their tags.
std::vector<std::string> verbs(const testing::imap_fake::Server& session) {
  std::vector<std::string> out;
  for (const auto& c : session.commands) {
    const auto space = c.find(' ');
    const auto next = c.find(' ', space + 1);
    std::string verb = c.substr(space + 1, next - space - 1);
    if (verb == "UID") verb += " " + c.substr(next + 1, c.find(' ', next + 1) - next - 1);
    out.push_back(verb);
  }
  return out;
}

}  // namespace

TEST_CASE("imap target retry (scripted): a refused login is tried exactly once") {
  Scripted s;
  s.before_connect = [](int) {
    throw core::ConnectionError("login failed for user u at fake:993: authentication failed",
                                false);
  };
  CHECK_THROWS_WITH_AS(s.open(5), doctest::Contains("authentication failed"),
                       core::ConnectionError);
  CHECK(s.connects == 1);
  CHECK(s.waits.empty());
}

TEST_CASE(
    "imap target retry (scripted): a connection that fails to open is tried again as the policy "
    "allows, then given up for good") {
  Scripted s;
  s.before_connect = [](int) { throw core::ConnectionError("connection reset by peer"); };
  try {
    s.open(3);
    FAIL("a server that never answers must not give a target");
  } catch (const core::ConnectionError& e) {
    CHECK(std::string(e.what()).find("connection reset by peer") != std::string::npos);
    CHECK(std::string(e.what()).find("3 more tries") != std::string::npos);
    // Given up: an outer loop (the executor's) must not start counting again.
    CHECK_FALSE(e.retryable());
  }
  CHECK(s.connects == 4);  // the first try and the policy's three
  CHECK(s.waits == std::vector<std::chrono::milliseconds>{1ms, 2ms, 3ms});
}

TEST_CASE("imap target retry (scripted): a connection that opens at the third try serves") {
  Scripted s;
  s.before_connect = [](int attempt) {
    if (attempt <= 2) throw core::ConnectionError("connection timed out");
  };
  auto target = s.open(3);
  CHECK(target->status("INBOX").uidvalidity != 0);
  CHECK(s.connects == 3);
  CHECK(s.waits == std::vector<std::chrono::milliseconds>{1ms, 2ms});
}

TEST_CASE(
    "imap target retry (scripted): a SELECT whose connection is lost goes again over a new "
    "connection, as the policy allows") {
  for (const int attempts : {0, 1}) {
    CAPTURE(attempts);
    Scripted s;
    s.account.inbox.emplace_back(s.account.next_uid++, testing::imap_fake::scripted_message(1));
    s.account.on_select = [](int n, const std::string&) {
      return n == 1 ? std::string("* BYE shutting down\r\n") : std::string();
    };
    auto target = s.open(attempts);
    int listed = 0;
    if (attempts == 0) {
      // Never: the lost connection goes up to the caller at once.
      CHECK_THROWS_AS(target->index_folder("INBOX", true, [&](target::TargetMessage) { ++listed; }),
                      core::ConnectionError);
      CHECK(s.connects == 1);
    } else {
      target->index_folder("INBOX", true, [&](target::TargetMessage) { ++listed; });
      CHECK(listed == 1);
      CHECK(s.connects == 2);
      CHECK(s.waits == std::vector<std::chrono::milliseconds>{1ms});
    }
  }
}

TEST_CASE(
    "imap target retry (scripted): flags go to a folder opened writable, and again after a lost "
    "STORE") {
  Scripted s;
  for (int n = 1; n <= 2; ++n)
    s.account.inbox.emplace_back(s.account.next_uid++, testing::imap_fake::scripted_message(n));
  // The first session hangs up at its first UID STORE.
  s.on_session = [](int session, testing::imap_fake::Server& server) {
    if (session != 1) return;
    auto normal = server.answer;
    server.answer = [normal](const std::string& tag, const std::string& command) {
      if (command.rfind("UID STORE", 0) == 0) return std::string("* BYE going away\r\n");
      return normal(tag, command);
    };
  };
  auto target = s.open(2);
  target->index_folder("INBOX", true, [](target::TargetMessage) {});  // EXAMINE: read-only
  target->update_flags("INBOX",
                       {{1, core::Flags(core::Flag::Seen)}, {2, core::Flags(core::Flag::Seen)}});
  REQUIRE(s.sessions.size() == 2);
  const auto first = verbs(*s.sessions[0]);
  const auto second = verbs(*s.sessions[1]);
  INFO("first session: " << doctest::toString(first));
  INFO("second session: " << doctest::toString(second));
  // Read-only is not enough for STORE: SELECT before it, on each connection.
  CHECK(std::find(first.begin(), first.end(), "EXAMINE") != first.end());
  const auto select = std::find(first.begin(), first.end(), "SELECT");
  REQUIRE(select != first.end());
  CHECK(std::find(select, first.end(), "UID STORE") != first.end());
  const auto reselect = std::find(second.begin(), second.end(), "SELECT");
  REQUIRE(reselect != second.end());
  CHECK(std::find(reselect, second.end(), "UID STORE") != second.end());
  CHECK(s.waits == std::vector<std::chrono::milliseconds>{1ms});
}
