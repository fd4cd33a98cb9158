// Server errors a real server cannot be made to give on cue, from a scripted
// IMAP peer, through the executor and ImapTarget: NO for one message, NO
// [UNAVAILABLE], BYE in the middle of the APPENDs, BYE on every connection.
// Message-scoped errors skip the message and the others go on; a dropped
// session is resumed; what cannot be resumed stops the job; the server's
// words are in the report every time. (OVERQUOTA, [LIMIT], APPENDLIMIT and a
// folder deleted mid-run come from the real Dovecot in
// tests/integration/server_errors_test.cpp.)
#include <doctest/doctest.h>

#include <string>

#include "imap_fake_account.hpp"
#include "mailferry/imap/parser.hpp"

using namespace mailferry;
using testing::imap_fake::Account;
using testing::imap_fake::has_error;

namespace {

struct Run {
  sync::JobReport report;
  std::string notes;  // all notes, one per line
};

Run run(Account& account, int messages, int reconnect_attempts = 3) {
  testing::imap_fake::ScriptedSync how;
  how.reconnect_attempts = reconnect_attempts;
  Run r;
  r.report = testing::imap_fake::sync_into(account, messages, how);
  for (const auto& n : r.report.notes) r.notes += n + "\n";
  return r;
}

// The Nth APPEND (and, with `from_on`, every later one) answered `answer`
// instead of being stored.
Account::Hook refuse_append(int nth, const std::string& answer, bool from_on = false) {
  return [=](int n, const std::string& tag) {
    if (n != nth && !(from_on && n > nth)) return std::string();
    return answer.rfind("* BYE", 0) == 0 ? answer : tag + " " + answer;
  };
}

const Account::Hook kNoRefusal = [](int, const std::string&) { return std::string(); };

}  // namespace

TEST_CASE(
    "server errors (scripted): NO for one message skips it with the server's words, the others go "
    "on") {
  Account account;
  account.on_append = refuse_append(3, "NO [CANNOT] Message refused by the content filter\r\n");
  auto r = run(account, 6);
  CHECK(r.report.exit_code == core::kExitPartial);
  CHECK(r.report.totals.appended == 5);
  CHECK(r.report.totals.failed == 1);
  REQUIRE(r.report.errors.size() == 1);
  CHECK(r.report.errors[0].scope == core::ErrorScope::Message);
  CHECK(r.report.errors[0].message.find("NO [CANNOT] Message refused by the content filter") !=
        std::string::npos);
  CHECK(r.report.errors[0].where.find("message 3 <s3@example.org>") != std::string::npos);
  for (int n = 1; n <= 6; ++n) CHECK(account.copies_of(n) == (n == 3 ? 0 : 1));

  // The next run sends only the refused one, and it is taken now.
  account.on_append = kNoRefusal;
  auto again = run(account, 6);
  CHECK(again.report.exit_code == 0);
  CHECK(again.report.totals.appended == 1);
  for (int n = 1; n <= 6; ++n) CHECK(account.copies_of(n) == 1);
}

TEST_CASE(
    "server errors (scripted): NO [UNAVAILABLE] is reported in the server's words, nothing is lost "
    "or doubled") {
  Account account;
  account.on_append = refuse_append(3, "NO [UNAVAILABLE] Backend storage is unreachable\r\n", true);
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

  account.on_append = kNoRefusal;
  auto again = run(account, 6);
  CHECK(again.report.exit_code == 0);
  for (int n = 1; n <= 6; ++n) CHECK(account.copies_of(n) == 1);
}

TEST_CASE(
    "server errors (scripted): BYE in the middle of the APPENDs is resumed, every message once") {
  Account account;
  account.on_append = refuse_append(4, "* BYE Server shutting down\r\n");
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
  account.on_select = [](int, const std::string&) {
    return std::string("* BYE System shutting down for maintenance\r\n");
  };
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
