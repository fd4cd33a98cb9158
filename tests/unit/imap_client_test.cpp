// The pipelining client against an in-memory server, for what Dovecot cannot
// be made to do on demand: no LITERAL+ (synchronizing literals), a refusal at
// the continuation, a source that fails or lies about its size mid-literal, a
// server that says BYE or sends garbage. The real-server tests are in
// tests/integration/imap_target_test.cpp.
#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "imap_fake_server.hpp"
#include "mailferry/core/error.hpp"
#include "mailferry/imap/client.hpp"

using namespace mailferry;
using imap::Client;
using imap::Command;
using imap::Completion;
using testing::imap_fake::Body;
using testing::imap_fake::FakeConnection;
using testing::imap_fake::Server;

namespace {

std::unique_ptr<Client> make_client(const std::shared_ptr<Server>& server,
                                    std::size_t max_in_flight = 64) {
  Client::Options options;
  options.max_in_flight = max_in_flight;
  options.chunk_size = 1024;
  auto client = std::make_unique<Client>(std::make_unique<FakeConnection>(server), options);
  client->refresh_capabilities();
  return client;
}

Command append(std::uint64_t size, std::function<std::unique_ptr<core::BodyReader>()> open) {
  Command c("APPEND");
  c.mailbox("INBOX").raw("(\\Seen)").body(size, std::move(open));
  return c;
}

std::string text(std::size_t n) {
  std::string s(n, 'x');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

}  // namespace

TEST_CASE("imap client: CAPABILITY after login is parsed") {
  auto server = std::make_shared<Server>();
  server->capabilities = "IMAP4rev1 LITERAL+ UIDPLUS APPENDLIMIT=1000";
  auto client = make_client(server);
  CHECK(client->capabilities().has("literal+"));
  CHECK(client->capabilities().has("UIDPLUS"));
  CHECK(client->capabilities().number("APPENDLIMIT") == 1000u);
  CHECK(!client->capabilities().has("LITERAL-"));
}

TEST_CASE("imap client: without LITERAL+ a literal waits for the server's '+'") {
  auto server = std::make_shared<Server>();
  auto client = make_client(server);
  std::string body = text(3000);
  std::vector<Completion> done;
  client->submit(append(body.size(), [&] { return std::make_unique<Body>(body); }),
                 [&](const Completion& c) { done.push_back(c); });
  Command login_like("LOGIN");
  login_like.astring("user name").string("p\"w");
  client->submit(std::move(login_like), [&](const Completion& c) { done.push_back(c); });
  CHECK(client->drain());
  REQUIRE(done.size() == 2);
  CHECK(done[0].ok());
  CHECK(done[1].ok());
  CHECK_FALSE(server->literal_before_plus);
  REQUIRE(server->commands.size() == 3);
  CHECK(server->commands[1] == "m2 APPEND INBOX (\\Seen) {3000}\r\n" + body);
  CHECK(server->commands[2] == "m3 LOGIN \"user name\" \"p\\\"w\"");
}

TEST_CASE("imap client: with LITERAL+ commands and literals go out together") {
  auto server = std::make_shared<Server>();
  server->capabilities = "IMAP4rev1 LITERAL+";
  auto client = make_client(server);
  server->send_sizes.clear();
  int ok = 0;
  for (int i = 0; i < 3; ++i)
    client->submit(append(10, [] { return std::make_unique<Body>("0123456789"); }),
                   [&](const Completion& c) { ok += c.ok() ? 1 : 0; });
  CHECK(client->drain());
  CHECK(ok == 3);
  // All three APPENDs in the first write: nothing waited for an answer.
  REQUIRE(!server->send_sizes.empty());
  CHECK(server->send_sizes.front() ==
        3 * std::string("mN APPEND INBOX (\\Seen) {10+}\r\n0123456789\r\n").size());
  CHECK(server->commands[1] == "m2 APPEND INBOX (\\Seen) {10+}\r\n0123456789");
}

TEST_CASE("imap client: LITERAL- is used for small literals only") {
  auto server = std::make_shared<Server>();
  server->capabilities = "IMAP4rev1 LITERAL-";
  auto client = make_client(server);
  std::string big = text(5000);
  client->submit(append(4096, [&] { return std::make_unique<Body>(big.substr(0, 4096)); }), {});
  client->submit(append(5000, [&] { return std::make_unique<Body>(big); }), {});
  CHECK(client->drain());
  CHECK(server->sent.find("{4096+}") != std::string::npos);
  CHECK(server->sent.find("{5000}\r\n") != std::string::npos);
  CHECK_FALSE(server->literal_before_plus);
}

TEST_CASE("imap client: no more than max_in_flight commands are unanswered") {
  auto server = std::make_shared<Server>();
  auto client = make_client(server, 3);
  server->answer_ends.clear();
  server->max_outstanding = 0;
  int answered = 0;
  for (int i = 0; i < 20; ++i)
    client->submit(Command("NOOP"), [&](const Completion&) { ++answered; });
  CHECK(client->drain());
  CHECK(answered == 20);
  CHECK(server->max_outstanding == 3);
}

TEST_CASE("imap client: a refusal instead of '+' ends the command and the literal is never sent") {
  auto server = std::make_shared<Server>();
  server->on_marker = [](const std::string& tag, const std::string&) {
    return tag + " NO [TOOBIG] Message too large\r\n";
  };
  auto client = make_client(server);
  std::vector<Completion> done;
  bool opened = false;
  client->submit(append(2000,
                        [&] {
                          opened = true;
                          return std::make_unique<Body>(std::string(2000, 'Z'));
                        }),
                 [&](const Completion& c) { done.push_back(c); });
  client->submit(Command("NOOP"), [&](const Completion& c) { done.push_back(c); });
  CHECK(client->drain());
  REQUIRE(done.size() == 2);
  CHECK(done[0].response.status == imap::Status::No);
  CHECK(done[0].response.has_code("TOOBIG"));
  CHECK(done[0].describe() == "NO [TOOBIG] Message too large");
  CHECK(done[1].ok());
  CHECK(opened);  // read ahead, but never sent
  CHECK(server->sent.find('Z') == std::string::npos);
  CHECK(server->commands.back() == "m3 NOOP");
}

TEST_CASE("imap client: a body that cannot be opened fails alone, before anything is sent") {
  auto server = std::make_shared<Server>();
  server->capabilities = "IMAP4rev1 LITERAL+";
  auto client = make_client(server);
  std::vector<std::string> results;
  client->submit(Command("NOOP"), [&](const Completion& c) { results.push_back(c.describe()); });
  client->submit(append(10,
                        []() -> std::unique_ptr<core::BodyReader> {
                          throw core::SourceError("cannot open x.mbox", core::ErrorScope::Message);
                        }),
                 [&](const Completion& c) { results.push_back(c.describe()); });
  client->submit(append(11, [] { return std::make_unique<Body>("12345678901"); }),
                 [&](const Completion& c) { results.push_back(c.describe()); });
  CHECK(client->drain());
  REQUIRE(results.size() == 3);
  CHECK(results[0] == "cannot open x.mbox");  // local failures come first: nothing to wait for
  CHECK(results[1] == "OK done");
  CHECK(results[2] == "OK done");
  CHECK(client->usable());
  CHECK(server->sent.find("{10") == std::string::npos);
}

TEST_CASE("imap client: a body longer than declared is caught before its command ends") {
  auto server = std::make_shared<Server>();
  server->capabilities = "IMAP4rev1 LITERAL+";
  auto client = make_client(server);
  Completion result;
  client->submit(append(10, [] { return std::make_unique<Body>("0123456789+"); }),
                 [&](const Completion& c) { result = c; });
  CHECK(client->drain());
  CHECK(result.local_error.find("more bytes than its declared size of 10") != std::string::npos);
  CHECK(client->usable());  // it never left the client, so the connection stays
  CHECK(server->sent.find("APPEND") == std::string::npos);
}

TEST_CASE("imap client: a body failing mid-literal closes the connection after earlier answers") {
  for (bool literal_plus : {true, false}) {
    CAPTURE(literal_plus);
    auto server = std::make_shared<Server>();
    server->capabilities = literal_plus ? "IMAP4rev1 LITERAL+" : "IMAP4rev1";
    auto client = make_client(server);
    std::vector<std::string> results;
    client->submit(Command("NOOP"),
                   [&](const Completion& c) { results.push_back("noop " + c.describe()); });
    client->submit(append(5000, [] { return std::make_unique<Body>(text(5000), 2500); }),
                   [&](const Completion& c) { results.push_back("append " + c.describe()); });
    client->submit(Command("NOOP"),
                   [&](const Completion& c) { results.push_back("late " + c.describe()); });
    CHECK_FALSE(client->drain());
    CHECK_FALSE(client->usable());
    CHECK(server->closed);
    REQUIRE(results.size() == 2);
    CHECK(results[0] == "noop OK done");
    CHECK(results[1] == "append disk error");
    // Part of the literal went out; the server never got a complete APPEND.
    CHECK(server->sent.find("abcdefghij") != std::string::npos);
    CHECK(server->commands.size() == 2);  // CAPABILITY, NOOP
    CHECK_THROWS_AS(client->submit(Command("NOOP"), {}), core::ConnectionError);
  }
}

TEST_CASE("imap client: a body shorter than declared also closes the connection") {
  auto server = std::make_shared<Server>();
  server->capabilities = "IMAP4rev1 LITERAL+";
  auto client = make_client(server);
  Completion result;
  client->submit(append(3000, [] { return std::make_unique<Body>(text(2500)); }),
                 [&](const Completion& c) { result = c; });
  CHECK_FALSE(client->drain());
  CHECK(result.local_error.find("500 bytes before its declared size") != std::string::npos);
  CHECK(server->closed);
}

TEST_CASE("imap client: untagged responses reach the handler and BYE then close is an error") {
  auto server = std::make_shared<Server>();
  server->answer = [](const std::string& tag, const std::string& verb) -> std::string {
    if (verb == "SELECT INBOX")
      return "* 3 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n" + tag + " OK [READ-WRITE] done\r\n";
    return "* BYE Server shutting down\r\n";
  };
  server->hang_up_after_bye = true;
  auto client = make_client(server);
  std::vector<std::string> seen;
  client->on_untagged([&](imap::Response& r) { seen.push_back(r.keyword); });
  Completion select = client->run(Command("SELECT INBOX"));
  CHECK(select.ok());
  CHECK(select.response.has_code("READ-WRITE"));
  CHECK(seen == std::vector<std::string>{"EXISTS", "OK"});
  try {
    client->run(Command("NOOP"));
    FAIL("no error");
  } catch (const core::ConnectionError& e) {
    CHECK(std::string(e.what()).find("Server shutting down") != std::string::npos);
  }
  CHECK_FALSE(client->usable());
}

TEST_CASE("imap client: garbage from the server is a connection error") {
  auto server = std::make_shared<Server>();
  server->answer = [](const std::string&, const std::string&) {
    return std::string("HTTP/1.1 400 Bad Request\r\n* LIST ((\r\n");
  };
  auto client = make_client(server);
  CHECK_THROWS_WITH_AS(client->run(Command("NOOP")), doctest::Contains("not IMAP"),
                       core::ConnectionError);
}

TEST_CASE("imap client: LOGOUT on destruction when idle") {
  auto server = std::make_shared<Server>();
  { auto client = make_client(server); }
  CHECK(server->commands.back() == "m2 LOGOUT");
  CHECK(server->closed);
}
