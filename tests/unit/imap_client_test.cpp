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

#include "mailferry/core/error.hpp"
#include "mailferry/imap/client.hpp"

using namespace mailferry;
using imap::Client;
using imap::Command;
using imap::Completion;

namespace {

// The server side: splits the client's bytes into commands (literals inlined),
// answers each through `answer`, and checks the literal protocol.
struct Server {
  std::string capabilities = "IMAP4rev1";
  std::vector<std::string> commands;  // "TAG VERB args" with literal bytes inlined
  std::vector<std::size_t> send_sizes;
  std::string sent;
  std::string to_client;
  std::size_t delivered = 0;         // bytes of to_client the client has read
  std::size_t read_piece = 5;        // hand out answers in small pieces
  bool literal_before_plus = false;  // a synchronizing literal's bytes came too early
  bool closed = false;               // the client closed the connection
  bool hang_up_after_bye = false;
  // Optional: answer to a synchronizing literal marker; empty means "+ go ahead".
  std::function<std::string(const std::string& tag, const std::string& line)> on_marker;
  // Answers a complete command; the default answers "TAG OK done".
  std::function<std::string(const std::string& tag, const std::string& command)> answer;
  // Pipelining depth as the server sees it.
  std::vector<std::size_t> answer_ends;  // where in to_client each tagged answer ends
  std::size_t max_outstanding = 0;

  // parser state
  std::size_t pos = 0;
  std::string command;
  std::uint64_t literal_left = 0;
  bool in_literal = false;
  std::size_t plus_end = 0;  // to_client offset after the last "+"
  bool literal_sync = false;

  void queue(const std::string& text) { to_client += text; }

  void process() {
    for (;;) {
      if (in_literal) {
        std::size_t take = std::min<std::size_t>(literal_left, sent.size() - pos);
        if (take > 0 && literal_sync && delivered < plus_end) literal_before_plus = true;
        command.append(sent, pos, take);
        pos += take;
        literal_left -= take;
        if (literal_left > 0) return;
        in_literal = false;
        continue;
      }
      std::size_t eol = sent.find("\r\n", pos);
      if (eol == std::string::npos) return;
      std::string line = sent.substr(pos, eol - pos);
      pos = eol + 2;
      std::string tag =
          command.empty() ? line.substr(0, line.find(' ')) : command.substr(0, command.find(' '));
      command += line;
      if (!line.empty() && line.back() == '}') {
        std::size_t open = line.rfind('{');
        std::string n = line.substr(open + 1, line.size() - open - 2);
        literal_sync = n.back() != '+';
        if (!literal_sync) n.pop_back();
        literal_left = std::stoull(n);
        if (literal_sync) {
          std::string refusal = on_marker ? on_marker(tag, line) : "";
          if (!refusal.empty()) {  // the command ends here
            commands.push_back(command);
            command.clear();
            queue(refusal);
            answer_ends.push_back(to_client.size());
            continue;
          }
          queue("+ go ahead\r\n");
          plus_end = to_client.size();
        }
        command += "\r\n";
        in_literal = true;
        continue;
      }
      commands.push_back(command);
      std::size_t outstanding = 1;
      for (std::size_t end : answer_ends) outstanding += end > delivered ? 1 : 0;
      max_outstanding = std::max(max_outstanding, outstanding);
      std::string verb = command.substr(tag.size() + 1);
      command.clear();
      if (verb == "CAPABILITY") {
        queue("* CAPABILITY " + capabilities + "\r\n" + tag + " OK done\r\n");
      } else if (verb == "LOGOUT") {
        queue("* BYE bye\r\n" + tag + " OK done\r\n");
      } else {
        queue(answer ? answer(tag, verb) : tag + " OK done\r\n");
      }
      answer_ends.push_back(to_client.size());
    }
  }
};

class FakeConnection final : public net::Connection {
 public:
  explicit FakeConnection(std::shared_ptr<Server> server) : server_(std::move(server)) {
    options_.host = "fake";
    options_.port = 993;
  }
  ~FakeConnection() override { server_->closed = true; }

  std::size_t send_some(std::string_view data) override {
    server_->sent += data;
    server_->send_sizes.push_back(data.size());
    server_->process();
    return data.size();
  }
  std::size_t receive_some(char* buffer, std::size_t capacity) override {
    Server& s = *server_;
    if (s.delivered == s.to_client.size()) {
      if (s.hang_up_after_bye && s.to_client.find("* BYE") != std::string::npos)
        throw core::ConnectionError("fake: the server closed the connection");
      return 0;
    }
    std::size_t n = std::min({capacity, s.read_piece, s.to_client.size() - s.delivered});
    s.to_client.copy(buffer, n, s.delivered);
    s.delivered += n;
    return n;
  }
  void wait(bool, bool for_write) override {
    if (for_write || server_->delivered < server_->to_client.size()) return;
    throw core::ConnectionError("fake: the client waits for an answer that will never come");
  }
  const net::ConnectOptions& options() const override { return options_; }

 private:
  std::shared_ptr<Server> server_;
  net::ConnectOptions options_;
};

// A message body that can fail or lie about its size.
class Body final : public source::BodyReader {
 public:
  Body(std::string bytes, std::size_t fail_after = std::string::npos)
      : bytes_(std::move(bytes)), fail_after_(fail_after) {}
  std::size_t read(char* buffer, std::size_t capacity) override {
    if (pos_ >= fail_after_) throw core::SourceError("disk error", core::ErrorScope::Message);
    std::size_t n = std::min({capacity, bytes_.size() - pos_, fail_after_ - pos_});
    bytes_.copy(buffer, n, pos_);
    pos_ += n;
    return n;
  }

 private:
  std::string bytes_;
  std::size_t pos_ = 0;
  std::size_t fail_after_;
};

std::unique_ptr<Client> make_client(const std::shared_ptr<Server>& server,
                                    std::size_t max_in_flight = 64) {
  Client::Options options;
  options.max_in_flight = max_in_flight;
  options.chunk_size = 1024;
  auto client = std::make_unique<Client>(std::make_unique<FakeConnection>(server), options);
  client->refresh_capabilities();
  return client;
}

Command append(std::uint64_t size, std::function<std::unique_ptr<source::BodyReader>()> open) {
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
                        []() -> std::unique_ptr<source::BodyReader> {
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
