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

#include "imap_fake_server.hpp"
#include "mailferry/core/log.hpp"
#include "mailferry/sync/executor.hpp"
#include "mailferry/sync/journal.hpp"
#include "mailferry/target/imap_target.hpp"
#include "support/numbered_messages.hpp"
#include "support/temp_dir.hpp"

using namespace mailferry;
using namespace std::chrono_literals;
using testing::imap_fake::FakeConnection;
using testing::imap_fake::Server;
using Clock = std::chrono::steady_clock;

namespace {

const char* const kPassword = "throttle-test-pw-7Q";

std::string message(int n) { return testing::numbered_message(n, "t"); }

struct Messages final : testing::NumberedMessages {
  explicit Messages(int count) : NumberedMessages(count, "t") {}
};

// The messages of an APPEND command as the fake server saw it (literals
// inlined): each "{n}\r\n" or "{n+}\r\n" is followed by n bytes of message.
std::vector<std::string> appended_messages(const std::string& command) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  for (;;) {
    const std::size_t open = command.find('{', pos);
    if (open == std::string::npos) return out;
    const std::size_t close = command.find("}\r\n", open);
    const std::size_t n = std::stoul(command.substr(open + 1, close - open - 1));
    out.push_back(command.substr(close + 3, n));
    pos = close + 3 + n;
  }
}

// An account with one INBOX behind scripted connections. Each hook may
// answer the Nth such command (counted over all connections, from 1) in
// place of the server's normal answer; empty: answer normally.
struct Account {
  std::string capabilities = "IMAP4rev1 LITERAL+ UIDPLUS";
  std::vector<std::pair<std::uint32_t, std::string>> inbox;  // UID, bytes
  std::uint32_t next_uid = 1;
  int appends = 0, selects = 0, fetches = 0, connections = 0;
  std::vector<Clock::time_point> append_times;
  std::function<std::string(int, const std::string& tag)> on_append = [](int, auto&) {
    return std::string();
  };
  std::function<std::string(int, const std::string& tag)> on_select = [](int, auto&) {
    return std::string();
  };
  // Gets the normal FETCH lines, so it can answer with part of them.
  std::function<std::string(int, const std::string& tag, const std::string& lines)> on_fetch =
      [](int, auto&, auto&) { return std::string(); };

  int copies_of(int n) const {
    int copies = 0;
    for (const auto& [uid, bytes] : inbox) copies += bytes == message(n);
    return copies;
  }

  std::shared_ptr<Server> connect() {
    auto server = std::make_shared<Server>();
    server->capabilities = capabilities;
    server->hang_up_after_bye = true;
    ++connections;
    auto gone = std::make_shared<bool>(false);  // this session said BYE
    server->answer = [this, gone](const std::string& tag,
                                  const std::string& command) -> std::string {
      if (*gone) return "";
      auto answer = [&](std::string text) {
        if (text.find("* BYE") != std::string::npos) *gone = true;
        return text;
      };
      if (command.rfind("LIST", 0) == 0)
        return "* LIST (\\HasNoChildren) \"/\" INBOX\r\n" + tag + " OK done\r\n";
      if (command.rfind("SELECT", 0) == 0 || command.rfind("EXAMINE", 0) == 0) {
        if (auto special = on_select(++selects, tag); !special.empty()) return answer(special);
        return testing::imap_fake::select_answer(inbox, next_uid, tag);
      }
      if (command.rfind("UID FETCH", 0) == 0) {
        const std::string lines = testing::imap_fake::index_fetch_lines(inbox, command);
        if (auto special = on_fetch(++fetches, tag, lines); !special.empty())
          return answer(special);
        return lines + tag + " OK done\r\n";
      }
      if (command.rfind("STATUS", 0) == 0)
        return testing::imap_fake::status_answer(inbox, next_uid, tag);
      if (command.rfind("APPEND", 0) == 0) {
        append_times.push_back(Clock::now());
        if (auto special = on_append(++appends, tag); !special.empty()) return answer(special);
        const std::uint32_t first = next_uid;
        for (auto& bytes : appended_messages(command)) inbox.emplace_back(next_uid++, bytes);
        const std::string uids = first + 1 == next_uid
                                     ? std::to_string(first)
                                     : std::to_string(first) + ":" + std::to_string(next_uid - 1);
        return tag + " OK [APPENDUID 9 " + uids + "] done\r\n";
      }
      return tag + " OK done\r\n";
    };
    return server;
  }
};

struct Run {
  sync::JobReport report;
  std::vector<std::chrono::milliseconds> waits;  // as the policy asked for them
  std::string log;                               // every log line
};

// Runs a sync of `messages` messages into the account. The throttle waits
// really sleep (they are short here) and are recorded.
Run run(Account& account, int messages, imap::ThrottlePolicy policy = {},
        std::function<void(int connection)> before_connect = nullptr) {
  mailferry::testing::TempDir dir;
  sync::StateStore state(dir.file("state.db"));
  sync::Journal journal(state, "scripted");
  net::ConnectOptions options;
  options.host = "fake";
  options.user = "u";
  options.password = core::Secret(kPassword);
  Messages source(messages);
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
  target::ImapTarget::Tuning tuning;
  tuning.throttle = policy;
  int attempts = 0;
  try {
    target::ImapTarget target(options, tuning, [&](const net::ConnectOptions&) {
      if (before_connect) before_connect(++attempts);
      return std::make_unique<FakeConnection>(account.connect());
    });
    sync::ExecutorOptions eo;
    eo.single_folder_source = true;
    eo.journal = &journal;
    eo.reconnect_attempts = 3;
    eo.reconnect_delay = 1ms;
    eo.reconnect_delay_cap = 4ms;
    eo.settle_quiet = 10ms;
    r.report = sync::Executor(source, target, eo).run();
  } catch (const core::Error& e) {
    r.report.add_error({e.scope(), "connect", e.what()}, e.exit_code());
  }
  core::set_log_sink(nullptr);
  return r;
}

bool has_error(const sync::JobReport& report, core::ErrorScope scope, const std::string& words) {
  for (const auto& e : report.errors)
    if (e.scope == scope && e.message.find(words) != std::string::npos) return true;
  return false;
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
  CHECK(r.report.exit_code == core::kExitComplete);
  CHECK(r.report.errors.empty());
  CHECK(r.report.totals.appended == 4);
  CHECK(r.report.totals.failed == 0);
  for (int n = 1; n <= 4; ++n) CHECK(account.copies_of(n) == 1);
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
  CHECK(r.report.exit_code == core::kExitComplete);
  CHECK(r.report.errors.empty());
  CHECK(r.report.totals.appended == 6);
  for (int n = 1; n <= 6; ++n) CHECK(account.copies_of(n) == 1);
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
  CHECK(r.report.exit_code == core::kExitComplete);
  CHECK(r.report.errors.empty());
  CHECK(r.report.totals.present == 3);
  CHECK(r.report.totals.appended == 2);
  for (int n = 1; n <= 5; ++n) CHECK(account.copies_of(n) == 1);
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
  CHECK(r.report.exit_code == core::kExitComplete);
  CHECK(r.report.errors.empty());
  CHECK(r.waits == std::vector<std::chrono::milliseconds>{3ms, 6ms});
  for (int n = 1; n <= 2; ++n) CHECK(account.copies_of(n) == 1);
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
  CHECK(r.report.exit_code == core::kExitComplete);
  CHECK(r.report.errors.empty());
  CHECK(r.report.totals.appended == 5);
  for (int n = 1; n <= 5; ++n) CHECK(account.copies_of(n) == 1);
  CHECK(account.connections >= 2);
  CHECK(!r.waits.empty());
}

TEST_CASE("throttled (scripted): a FETCH throttled part way hands each message on once") {
  Account account;
  for (int n = 1; n <= 3; ++n) account.inbox.emplace_back(account.next_uid++, message(n));
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
  CHECK(r.report.exit_code == core::kExitComplete);
  CHECK(r.report.errors.empty());
  CHECK(r.report.totals.appended == 3);
  for (int n = 1; n <= 3; ++n) CHECK(account.copies_of(n) == 1);
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
