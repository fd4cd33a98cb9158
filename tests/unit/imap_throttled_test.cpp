// Answers that ask for the same command again, from a scripted IMAP peer
// through the executor and ImapTarget. A server's "throttled, back off": the
// command is sent again after the suggested wait, nothing is stored twice, the
// report shows no failure; a server that never stops throttling stops the job
// with its own words. (No real server throttles on cue; the shapes are
// Microsoft 365's and Gmail's.) A folder-creation race's NO [ALREADYEXISTS]:
// sent again after a short pause.
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "imap_fake_account.hpp"
#include "mailferry/core/log.hpp"

using namespace mailferry;
using namespace std::chrono_literals;
using testing::imap_fake::Account;
using testing::imap_fake::check_each_stored_once;
using testing::imap_fake::FakeConnection;
using testing::imap_fake::has_error;

namespace {

const char* const kPassword = "throttle-test-pw-7Q";

struct Run {
  sync::JobReport report;
  std::vector<std::chrono::milliseconds> waits;  // as the policy asked for them
  std::string log;                               // every log line
};

// Runs a sync of `messages` messages into the account. The throttle waits
// really sleep (they are short here) and are recorded.
Run run(Account& account, int messages, imap::ThrottlePolicy policy = {},
        std::function<void(int connection)> before_connect = nullptr) {
  Run r;
  std::mutex log_lock;
  core::set_log_sink([&](core::LogLevel, std::string_view line) {
    std::lock_guard<std::mutex> lock(log_lock);
    r.log += std::string(line) + "\n";
  });
  policy.sleep = [&r](std::chrono::milliseconds d) {
    r.waits.push_back(d);
    std::this_thread::sleep_for(d);
  };
  testing::imap_fake::ScriptedSync how;
  how.connect.password = core::Secret(kPassword);
  how.tuning.throttle = policy;
  how.before_connect = std::move(before_connect);
  r.report = testing::imap_fake::sync_into(account, messages, how);
  core::set_log_sink(nullptr);
  return r;
}

const std::string kMicrosoft = "NO Request is throttled. Suggested Backoff Time: 50 milliseconds";

}  // namespace

TEST_CASE(
    "throttled (scripted): a throttled APPEND is sent again after the suggested wait, stored "
    "once") {
  Account account;
  account.on_append = [](int n, const std::string& tag) {
    return n == 1 ? tag + " " + kMicrosoft + "\r\n" : std::string();
  };
  auto r = run(account, 4);
  INFO(r.log);
  check_each_stored_once(r.report, account, 4);
  CHECK(r.report.totals.appended == 4);
  CHECK(r.report.totals.failed == 0);
  REQUIRE(r.waits.size() == 1);
  CHECK(r.waits[0] == 50ms);
  // On the wire: the first APPEND again, no sooner than the server asked.
  REQUIRE(account.append_times.size() >= 2);
  CHECK(account.append_times.back() - account.append_times.front() >= 50ms);
  // One line says why it waits, in the server's words, and no secret.
  CHECK(r.log.find("waiting 50 ms as it suggested") != std::string::npos);
  CHECK(r.log.find(kMicrosoft) != std::string::npos);
  CHECK(r.log.find(kPassword) == std::string::npos);
}

TEST_CASE(
    "throttled (scripted): a throttled MULTIAPPEND batch goes again whole, every message once") {
  Account account;
  account.capabilities += " MULTIAPPEND";
  account.on_append = [](int n, const std::string& tag) {
    return n == 1 ? tag + " NO [THROTTLED] Slow down\r\n" : std::string();
  };
  imap::ThrottlePolicy policy;
  policy.first_wait = 5ms;
  auto r = run(account, 6, policy);
  INFO(r.log);
  check_each_stored_once(r.report, account, 6);
  CHECK(r.report.totals.appended == 6);
  CHECK(account.appends == 2);  // the throttled batch, then the same batch stored
  REQUIRE(r.waits.size() == 1);
  CHECK(r.waits[0] == 5ms);  // no suggestion: the policy's first wait
}

TEST_CASE(
    "throttled (scripted): a server that never stops throttling stops the job with its words") {
  Account account;
  account.on_append = [](int, const std::string& tag) { return tag + " " + kMicrosoft + "\r\n"; };
  imap::ThrottlePolicy policy;
  policy.max_waits = 3;
  auto r = run(account, 3, policy);
  INFO(r.log);
  CHECK(r.report.exit_code != core::kExitComplete);
  CHECK(has_error(r.report, core::ErrorScope::Account, kMicrosoft));
  CHECK(has_error(r.report, core::ErrorScope::Account, "3 waits in a row"));
  CHECK(r.report.totals.appended == 0);
  CHECK(account.inbox.empty());
  // The first pass pipelines all three; after each wait one goes alone, as
  // a probe, and the rest would follow only once it is stored.
  CHECK(account.appends == 3 + 3);
  CHECK(r.waits.size() == 3);
  // Growth applies to waits the server did not name; named ones are honoured as given.
  for (auto w : r.waits) CHECK(w == 50ms);
}

TEST_CASE("throttled (scripted): without a suggestion the waits double until the job stops") {
  Account account;
  account.on_select = [](int, const std::string& tag) {
    return tag + " NO Request is throttled.\r\n";
  };
  imap::ThrottlePolicy policy;
  policy.first_wait = 2ms;
  policy.max_wait = 10ms;
  policy.max_waits = 4;
  auto r = run(account, 2, policy);
  INFO(r.log);
  CHECK(has_error(r.report, core::ErrorScope::Account, "NO Request is throttled."));
  CHECK(account.inbox.empty());
  CHECK(r.waits == std::vector<std::chrono::milliseconds>{2ms, 4ms, 8ms, 10ms});
}

TEST_CASE(
    "throttled (scripted): a throttled SELECT and a FETCH throttled part way are sent again") {
  Account account;
  auto first = run(account, 3);
  REQUIRE(first.report.exit_code == core::kExitComplete);
  REQUIRE(account.inbox.size() == 3);

  account.selects = account.fetches = 0;
  account.on_select = [](int n, const std::string& tag) {
    return n == 1 ? tag + " NO [THROTTLED] Slow down\r\n" : std::string();
  };
  // Part of the index, then Microsoft's BAD: the messages already listed must
  // not count twice.
  account.on_fetch = [](int n, const std::string& tag, const std::string& lines) {
    if (n != 1) return std::string();
    const std::string one = lines.substr(0, lines.find(")\r\n") + 3);
    return one + tag + " BAD Request is throttled. Suggested Backoff Time: 20 milliseconds\r\n";
  };
  imap::ThrottlePolicy policy;
  policy.first_wait = 5ms;
  auto r = run(account, 5, policy);
  INFO(r.log);
  check_each_stored_once(r.report, account, 5);
  CHECK(r.report.totals.present == 3);
  CHECK(r.report.totals.appended == 2);
  CHECK(r.waits == std::vector<std::chrono::milliseconds>{5ms, 20ms});
}

TEST_CASE("throttled (scripted): a throttled login is waited out and tried again") {
  Account account;
  imap::ThrottlePolicy policy;
  policy.first_wait = 3ms;
  auto r = run(account, 2, policy, [](int attempt) {
    if (attempt <= 2)
      throw core::ConnectionError(
          "login failed for user u at fake:993: Login denied (the server said: A001 NO [ALERT] "
          "Too many simultaneous connections. (Failure))");
  });
  INFO(r.log);
  check_each_stored_once(r.report, account, 2);
  CHECK(r.waits == std::vector<std::chrono::milliseconds>{3ms, 6ms});
  CHECK(r.log.find("throttles the login") != std::string::npos);
  CHECK(r.log.find("Too many simultaneous connections") != std::string::npos);
}

TEST_CASE("throttled (scripted): a login refused as throttled too often stops the job") {
  Account account;
  imap::ThrottlePolicy policy;
  policy.first_wait = 1ms;
  policy.max_waits = 2;
  auto r = run(account, 2, policy, [](int) {
    throw core::ConnectionError(
        "login failed for user u at fake:993: Login denied (the server said: A001 NO [ALERT] "
        "Too many simultaneous connections. (Failure))");
  });
  CHECK(r.report.exit_code == core::kExitConnection);
  CHECK(has_error(r.report, core::ErrorScope::Account, "Too many simultaneous connections"));
  CHECK(r.waits.size() == 2);
  CHECK(account.connections == 0);
}

TEST_CASE(
    "throttled (scripted): Microsoft's throttled BAD followed by BYE: resumed, every message "
    "once") {
  Account account;
  account.on_append = [](int n, const std::string& tag) {
    return n == 2 ? tag +
                        " BAD Request is throttled. Suggested Backoff Time: 10 milliseconds\r\n"
                        "* BYE Connection closed. 14\r\n"
                  : std::string();
  };
  auto r = run(account, 5);
  INFO(r.log);
  check_each_stored_once(r.report, account, 5);
  CHECK(r.report.totals.appended == 5);
  CHECK(account.connections >= 2);
  CHECK(!r.waits.empty());
}

TEST_CASE("throttled (scripted): a FETCH throttled part way hands each message on once") {
  Account account;
  for (int n = 1; n <= 3; ++n)
    account.inbox.emplace_back(account.next_uid++, testing::imap_fake::scripted_message(n));
  account.on_fetch = [](int n, const std::string& tag, const std::string& lines) {
    if (n != 1) return std::string();
    const std::string two = lines.substr(0, lines.find(")\r\n", lines.find(")\r\n") + 3) + 3);
    return two + tag + " NO [THROTTLED] Slow down\r\n";
  };
  target::ImapTarget::Tuning tuning;
  std::vector<std::chrono::milliseconds> waits;
  tuning.throttle.sleep = [&](std::chrono::milliseconds d) { waits.push_back(d); };
  net::ConnectOptions options;
  options.host = "fake";
  target::ImapTarget target(options, tuning, [&](const net::ConnectOptions&) {
    return std::make_unique<FakeConnection>(account.connect());
  });
  std::vector<std::uint32_t> uids;
  target.index_folder("INBOX", true, [&](target::TargetMessage m) { uids.push_back(m.uid); });
  CHECK(account.fetches == 2);
  CHECK(waits == std::vector<std::chrono::milliseconds>{30s});  // the default first wait
  CHECK(uids == std::vector<std::uint32_t>{1, 2, 3});
}

TEST_CASE("throttled (scripted): Gmail's OK ... [THROTTLED] is noted once and not retried") {
  Account account;
  account.on_select = [](int, const std::string& tag) {
    return "* 0 EXISTS\r\n* OK [UIDVALIDITY 9] ok\r\n* OK [UIDNEXT 1] ok\r\n" + tag +
           " OK [READ-WRITE] Success [THROTTLED]\r\n";
  };
  target::ImapTarget::Tuning tuning;
  int waits = 0;
  tuning.throttle.sleep = [&](std::chrono::milliseconds) { ++waits; };
  net::ConnectOptions options;
  options.host = "fake";
  std::string log;
  const core::LogLevel level = core::log_level();
  core::set_log_level(core::LogLevel::Info);  // the note is for -v
  core::set_log_sink(
      [&](core::LogLevel, std::string_view line) { log += std::string(line) + "\n"; });
  {
    target::ImapTarget target(options, tuning, [&](const net::ConnectOptions&) {
      return std::make_unique<FakeConnection>(account.connect());
    });
    auto noop = [](target::TargetMessage) {};
    CHECK(target.index_folder("INBOX", true, noop).uidvalidity == 9);
    CHECK(target.index_folder("Other", true, noop).uidvalidity == 9);
  }
  core::set_log_sink(nullptr);
  core::set_log_level(level);
  CHECK(account.selects == 2);
  CHECK(waits == 0);
  const auto first = log.find("slowing this account down");
  CHECK(first != std::string::npos);
  CHECK(log.find("slowing this account down", first + 1) == std::string::npos);
}

// Dovecot with `auto = create` folders answers a SELECT NO [ALREADYEXISTS]
// when two connections open a not yet created folder at the same moment (seen
// with --connections 4 under load). The answer only means "ask again".
TEST_CASE("creation race (scripted): a SELECT answered NO [ALREADYEXISTS] is sent again") {
  Account account;
  account.on_select = [](int n, const std::string& tag) {
    return n == 1 ? tag + " NO [ALREADYEXISTS] Mailbox already exists\r\n" : std::string();
  };
  auto r = run(account, 3);
  INFO(r.log);
  check_each_stored_once(r.report, account, 3);
  CHECK(r.report.totals.appended == 3);
  CHECK(r.waits == std::vector<std::chrono::milliseconds>{100ms});
}

TEST_CASE(
    "creation race (scripted): a folder that keeps answering NO [ALREADYEXISTS] fails with the "
    "server's words") {
  Account account;
  account.on_select = [](int, const std::string& tag) {
    return tag + " NO [ALREADYEXISTS] Mailbox already exists\r\n";
  };
  auto r = run(account, 2);
  INFO(r.log);
  CHECK(r.report.exit_code != core::kExitComplete);
  CHECK(has_error(r.report, core::ErrorScope::Folder, "cannot open folder INBOX"));
  CHECK(has_error(r.report, core::ErrorScope::Folder, "ALREADYEXISTS"));
  CHECK(account.inbox.empty());
  CHECK(account.selects == 4);  // the first try and three more
  CHECK(r.waits == std::vector<std::chrono::milliseconds>{100ms, 200ms, 300ms});
}
