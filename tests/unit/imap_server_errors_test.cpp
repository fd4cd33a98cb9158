// Server errors a real server cannot be made to give on cue, from a scripted
// IMAP peer, through the executor and ImapTarget: NO for one message, NO
// [UNAVAILABLE], BYE in the middle of the APPENDs, BYE on every connection.
// Message-scoped errors skip the message and the others go on; a dropped
// session is resumed; what cannot be resumed stops the job; the server's
// words are in the report every time. (OVERQUOTA, [LIMIT], APPENDLIMIT and a
// folder deleted mid-run come from the real Dovecot in
// tests/integration/server_errors_test.cpp.)
#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "imap_fake_server.hpp"
#include "mailferry/imap/parser.hpp"
#include "mailferry/sync/executor.hpp"
#include "mailferry/sync/journal.hpp"
#include "mailferry/target/imap_target.hpp"
#include "support/numbered_messages.hpp"
#include "support/temp_dir.hpp"

using namespace mailferry;
using testing::imap_fake::FakeConnection;
using testing::imap_fake::Server;

namespace {

std::string message(int n) { return testing::numbered_message(n, "m"); }

struct Messages final : testing::NumberedMessages {
  explicit Messages(int count) : NumberedMessages(count, "m") {}
};

// An account with one INBOX behind scripted connections. `refuse` may answer
// the Nth APPEND (counted over all connections, from 1) instead of storing
// it: a tagged NO, or "BYE" to end the session there.
struct Account {
  std::vector<std::pair<std::uint32_t, std::string>> inbox;  // UID, bytes
  std::uint32_t next_uid = 1;
  int appends = 0;
  int connections = 0;
  std::function<std::string(int append)> refuse = [](int) { return std::string(); };
  std::function<bool(int connection)> bye_at_select = [](int) { return false; };

  int copies_of(int n) const {
    int copies = 0;
    for (const auto& [uid, bytes] : inbox) copies += bytes == message(n);
    return copies;
  }

  std::shared_ptr<Server> connect() {
    auto server = std::make_shared<Server>();
    server->capabilities = "IMAP4rev1 LITERAL+ UIDPLUS";
    server->hang_up_after_bye = true;
    const int connection = ++connections;
    auto gone = std::make_shared<bool>(false);  // this session said BYE
    server->answer = [this, connection, gone](const std::string& tag,
                                              const std::string& command) -> std::string {
      if (*gone) return "";
      auto bye = [&](const std::string& why) {
        *gone = true;
        return "* BYE " + why + "\r\n";
      };
      if (command.rfind("LIST", 0) == 0)
        return "* LIST (\\HasNoChildren) \"/\" INBOX\r\n" + tag + " OK done\r\n";
      if (command.rfind("SELECT", 0) == 0 || command.rfind("EXAMINE", 0) == 0) {
        if (bye_at_select(connection)) return bye("System shutting down for maintenance");
        return testing::imap_fake::select_answer(inbox, next_uid, tag);
      }
      if (command.rfind("UID FETCH", 0) == 0) {
        return testing::imap_fake::index_fetch_lines(inbox, command) + tag + " OK done\r\n";
      }
      if (command.rfind("STATUS", 0) == 0)
        return testing::imap_fake::status_answer(inbox, next_uid, tag);
      if (command.rfind("APPEND", 0) == 0) {
        const std::string refusal = refuse(++appends);
        if (refusal == "BYE") return bye("Server shutting down");
        if (!refusal.empty()) return tag + " " + refusal + "\r\n";
        const std::string bytes = command.substr(command.find("}\r\n") + 3);
        inbox.emplace_back(next_uid, bytes);
        return tag + " OK [APPENDUID 9 " + std::to_string(next_uid++) + "] done\r\n";
      }
      return tag + " OK done\r\n";
    };
    return server;
  }
};

struct Run {
  sync::JobReport report;
  std::string notes;  // all notes, one per line
};

Run run(Account& account, int messages, int reconnect_attempts = 3) {
  mailferry::testing::TempDir dir;
  sync::StateStore state(dir.file("state.db"));
  sync::Journal journal(state, "scripted");
  net::ConnectOptions options;
  options.host = "fake";
  options.user = "u";
  Messages source(messages);
  Run r;
  try {
    target::ImapTarget target(options, {}, [&account](const net::ConnectOptions&) {
      return std::make_unique<FakeConnection>(account.connect());
    });
    sync::ExecutorOptions eo;
    eo.single_folder_source = true;
    eo.journal = &journal;
    eo.reconnect_attempts = reconnect_attempts;
    eo.reconnect_delay = std::chrono::milliseconds(1);
    eo.reconnect_delay_cap = std::chrono::milliseconds(4);
    eo.settle_quiet = std::chrono::milliseconds(10);
    r.report = sync::Executor(source, target, eo).run();
  } catch (const core::Error& e) {
    r.report.add_error({e.scope(), "connect", e.what()}, e.exit_code());
  }
  for (const auto& n : r.report.notes) r.notes += n + "\n";
  return r;
}

bool has_error(const sync::JobReport& report, core::ErrorScope scope, const std::string& words) {
  for (const auto& e : report.errors)
    if (e.scope == scope && e.message.find(words) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE(
    "server errors (scripted): NO for one message skips it with the server's words, the others go "
    "on") {
  Account account;
  account.refuse = [](int n) {
    return n == 3 ? std::string("NO [CANNOT] Message refused by the content filter") : "";
  };
  auto r = run(account, 6);
  CHECK(r.report.exit_code == core::kExitPartial);
  CHECK(r.report.totals.appended == 5);
  CHECK(r.report.totals.failed == 1);
  REQUIRE(r.report.errors.size() == 1);
  CHECK(r.report.errors[0].scope == core::ErrorScope::Message);
  CHECK(r.report.errors[0].message.find("NO [CANNOT] Message refused by the content filter") !=
        std::string::npos);
  CHECK(r.report.errors[0].where.find("message 3 <m3@example.org>") != std::string::npos);
  for (int n = 1; n <= 6; ++n) CHECK(account.copies_of(n) == (n == 3 ? 0 : 1));

  // The next run sends only the refused one, and it is taken now.
  account.refuse = [](int) { return std::string(); };
  auto again = run(account, 6);
  CHECK(again.report.exit_code == 0);
  CHECK(again.report.totals.appended == 1);
  for (int n = 1; n <= 6; ++n) CHECK(account.copies_of(n) == 1);
}

TEST_CASE(
    "server errors (scripted): NO [UNAVAILABLE] is reported in the server's words, nothing is lost "
    "or doubled") {
  Account account;
  account.refuse = [](int n) {
    return n >= 3 ? std::string("NO [UNAVAILABLE] Backend storage is unreachable") : "";
  };
  auto r = run(account, 6);
  CHECK(r.report.exit_code == core::kExitPartial);
  bool named = false;
  for (const auto& e : r.report.errors)
    named = named ||
            e.message.find("NO [UNAVAILABLE] Backend storage is unreachable") != std::string::npos;
  CHECK(named);
  CHECK(account.copies_of(1) == 1);
  CHECK(account.copies_of(2) == 1);
  CHECK(r.report.totals.appended == 2);

  account.refuse = [](int) { return std::string(); };
  auto again = run(account, 6);
  CHECK(again.report.exit_code == 0);
  for (int n = 1; n <= 6; ++n) CHECK(account.copies_of(n) == 1);
}

TEST_CASE(
    "server errors (scripted): BYE in the middle of the APPENDs is resumed, every message once") {
  Account account;
  account.refuse = [](int n) { return n == 4 ? std::string("BYE") : ""; };
  auto r = run(account, 8);
  INFO(r.notes);
  CHECK(r.report.exit_code == 0);
  CHECK(r.report.errors.empty());
  CHECK(r.report.reconnects >= 1);
  CHECK(r.notes.find("Server shutting down") != std::string::npos);  // the server's words
  CHECK(r.report.totals.appended == 8);
  CHECK(account.connections >= 2);
  for (int n = 1; n <= 8; ++n) CHECK(account.copies_of(n) == 1);
}

TEST_CASE(
    "server errors (scripted): BYE on every connection stops the job with exit 3 and the server's "
    "words") {
  Account account;
  account.bye_at_select = [](int) { return true; };
  auto r = run(account, 3, 2);
  CHECK(r.report.exit_code == core::kExitConnection);
  CHECK(has_error(r.report, core::ErrorScope::Account, "System shutting down for maintenance"));
  CHECK(r.report.reconnects == 2);
  CHECK(account.connections == 3);  // the first, then two attempts to resume
  CHECK(account.inbox.empty());
}

TEST_CASE("server errors (scripted): the scope of a refused APPEND follows its response code") {
  auto scope_of = [](const std::string& line) {
    imap::ResponseParser parser;
    std::string_view input = line;
    REQUIRE(parser.feed(input) == imap::ResponseParser::Result::Response);
    return target::ImapTarget::append_refusal_scope(parser.take_response());
  };
  using core::ErrorScope;
  CHECK(scope_of("a1 NO [OVERQUOTA] Quota exceeded\r\n") == ErrorScope::Account);
  CHECK(scope_of("a1 NO [UNAVAILABLE] Try later\r\n") == ErrorScope::Account);
  CHECK(scope_of("a1 NO [TRYCREATE] No such mailbox\r\n") == ErrorScope::Folder);
  CHECK(scope_of("a1 NO [NONEXISTENT] Gone\r\n") == ErrorScope::Folder);
  CHECK(scope_of("a1 NO [NOPERM] Read-only folder\r\n") == ErrorScope::Folder);
  CHECK(scope_of("a1 NO [TOOBIG] Too big\r\n") == ErrorScope::Message);
  CHECK(scope_of("a1 NO [LIMIT] Mail size is larger than allowed\r\n") == ErrorScope::Message);
  CHECK(scope_of("a1 NO [SERVERBUG] Internal error\r\n") == ErrorScope::Message);
  CHECK(scope_of("a1 NO Message refused\r\n") == ErrorScope::Message);
}
