// Pop3Source against a scripted POP3 peer: the servers and faults a real
// Dovecot cannot be made to show (no CAPA/UIDL/TOP, a connection dropped
// mid-RETR, a truncated answer, a wrong LIST size, refused DELE or QUIT, an
// idle logout). The normal paths run against Dovecot in
// tests/integration/pop3_source_test.cpp.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "mailferry/mime/header_fields.hpp"
#include "mailferry/mime/message_key.hpp"
#include "mailferry/source/pop3_source.hpp"
#include "mailferry/sync/state_store.hpp"
#include "pop3_fake_server.hpp"
#include "support/scan_collect.hpp"
#include "support/temp_dir.hpp"

using namespace mailferry;
using mailferry::testing::FakeMessage;
using mailferry::testing::FakePop3Server;

namespace {

using Collect = mailferry::testing::CollectingSink;

FakePop3Server server_with(int count) {
  FakePop3Server server;
  for (int i = 1; i <= count; ++i) {
    std::string n = std::to_string(i);
    std::string header =
        "Received: from mx by pop.example.org; Mon, 4 Mar 2019 10:0" + n +
        ":00 +0100\r\nReceived: from client by mx.example.org; Mon, 4 Mar "
        "2019 06:00:00 +0100\r\nDate: Sun, 3 Mar 2019 09:00:00 +0000\r\nSubject: s" +
        n + "\r\n";
    // Every third message has no Message-ID: its key is a fingerprint with the size.
    if (i % 3 != 0) header = "Message-ID: <m" + n + "@example.org>\r\n" + header;
    server.mailbox.push_back({"u" + n, header + "\r\n.body line\r\nbody " + n + "\r\n", 0});
  }
  return server;
}

source::Pop3Source make_source(FakePop3Server& server, source::Pop3ScanCache* cache = nullptr) {
  source::Pop3SourceOptions o;
  o.connect.host = "pop.example.org";
  o.connect.user = "alice";
  o.cache = cache;
  o.connector = [&server](const net::ConnectOptions& c) { return server.connect(c); };
  return source::Pop3Source(std::move(o));
}

// Small pieces: reads end inside lines and inside the byte-stuffing.
std::string read_all(core::BodyReader& reader) { return mailferry::testing::read_body(reader, 5); }

Collect scan(source::Pop3Source& source) {
  Collect sink;
  source.scan(source.folders().at(0), sink);
  return sink;
}

core::MessageKey expected_key(const FakeMessage& m) {
  return mime::message_key(mime::scan_header_fields(m.bytes), m.bytes.size());
}

}  // namespace

TEST_CASE("pop3 source: one Inbox folder, describe without secrets") {
  FakePop3Server server;
  auto source = make_source(server);
  auto folders = source.folders();
  REQUIRE(folders.size() == 1);
  CHECK(folders[0].role == core::Role::Inbox);
  CHECK(source.describe() == "pop3s://alice@pop.example.org:995");
  CHECK(source.account_id() == source.describe());
  CHECK(source.supports_removal());
  CHECK(server.sessions == 0);  // folders() does not connect
}

TEST_CASE("pop3 source: scan gives keys, sizes, dates and read flags from TOP") {
  auto server = server_with(5);
  auto source = make_source(server);
  auto sink = scan(source);
  REQUIRE(sink.messages.size() == 5);
  CHECK(sink.errors.empty());
  for (std::size_t i = 0; i < 5; ++i) {
    const auto& m = sink.messages[i];
    CAPTURE(i);
    CHECK(m.ordinal == i + 1);
    CHECK(m.size == server.mailbox[i].bytes.size());
    CHECK(m.key == expected_key(server.mailbox[i]));
    CHECK(m.flags.has(core::Flag::Seen));
    CHECK(source.uidl_of(m) == server.mailbox[i].uid);
  }
  CHECK(sink.messages[0].message_id == "<m1@example.org>");
  CHECK(sink.messages[2].key.is_fingerprint());
  // INTERNALDATE from the topmost Received: (delivery here, 10:01 +0100), not Date:.
  CHECK(sink.messages[0].internal_date.utc == 1551690060);
  CHECK(sink.messages[0].internal_date.offset_minutes == 60);
  CHECK(server.count("TOP") == 5);
  CHECK(server.count("RETR") == 0);
  auto body = source.open(source.folders()[0], sink.messages[1]);
  CHECK(read_all(*body) == server.mailbox[1].bytes);
}

TEST_CASE("pop3 source: mark_seen = false leaves messages unread") {
  auto server = server_with(2);
  source::Pop3SourceOptions o;
  o.mark_seen = false;
  o.connector = [&server](const net::ConnectOptions& c) { return server.connect(c); };
  source::Pop3Source source(std::move(o));
  auto sink = scan(source);
  REQUIRE(sink.messages.size() == 2);
  CHECK(sink.messages[0].flags.empty());
}

TEST_CASE("pop3 source: the scan cache spares TOP for known UIDLs") {
  testing::TempDir dir;
  sync::StateStore store(dir.file("job.state"));
  auto server = server_with(4);
  std::vector<source::SourceMessage> first;
  {
    auto source = make_source(server, &store);
    first = scan(source).messages;
  }
  CHECK(server.count("TOP") == 4);
  server.mailbox.push_back({"u9", "Message-ID: <new@example.org>\r\n\r\nnew\r\n", 0});
  auto source = make_source(server, &store);
  auto second = scan(source).messages;
  CHECK(server.count("TOP") == 5);  // only the new one
  CHECK(source.commands_sent("TOP") == 1);
  REQUIRE(second.size() == 5);
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(second[i].key == first[i].key);
    CHECK(second[i].size == first[i].size);
    CHECK(second[i].internal_date == first[i].internal_date);
    CHECK(second[i].locator == first[i].locator);
  }
  CHECK(second[4].message_id == "<new@example.org>");
  // A message gone from the server is forgotten.
  server.mailbox.erase(server.mailbox.begin());
  auto third = make_source(server, &store);
  scan(third);
  CHECK(store.load_pop3(third.account_id()).size() == 4);
}

TEST_CASE("pop3 source: a server without UIDL works by number, one session only") {
  testing::TempDir dir;
  sync::StateStore store(dir.file("job.state"));
  auto server = server_with(3);
  server.faults.uidl = false;
  auto source = make_source(server, &store);
  auto sink = scan(source);
  REQUIRE(sink.messages.size() == 3);
  CHECK_FALSE(source.uidl_of(sink.messages[0]));
  CHECK(sink.messages[2].key == expected_key(server.mailbox[2]));
  CHECK(store.load_pop3(source.account_id()).empty());  // nothing to cache without UIDL
  REQUIRE_FALSE(source.notes().empty());
  CHECK(source.notes()[0].find("no UIDL") != std::string::npos);
  CHECK(read_all(*source.open(source.folders()[0], sink.messages[2])) == server.mailbox[2].bytes);
  // A new session: numbers from the old one are refused, not guessed.
  auto rescanned = scan(source);
  CHECK_THROWS_WITH_AS(source.open(source.folders()[0], sink.messages[0]),
                       doctest::Contains("only valid in the session"), core::SourceError);
  auto result = source.remove_messages({sink.messages[0]});
  CHECK(result.removed.empty());
  CHECK(result.failed.size() == 1);
  CHECK(server.mailbox.size() == 3);
  (void)rescanned;
}

TEST_CASE("pop3 source: a server without TOP gets RETR for headers, exact sizes") {
  auto server = server_with(3);
  server.faults.top = false;
  server.mailbox[1].list_size_delta = -7;  // LIST would be wrong; RETR counts for itself
  auto source = make_source(server);
  auto sink = scan(source);
  REQUIRE(sink.messages.size() == 3);
  CHECK(server.count("TOP") == 0);
  CHECK(server.count("RETR") == 3);
  CHECK(sink.messages[1].size == server.mailbox[1].bytes.size());
  CHECK(sink.messages[2].key == expected_key(server.mailbox[2]));
  CHECK(std::any_of(source.notes().begin(), source.notes().end(),
                    [](const std::string& n) { return n.find("no TOP") != std::string::npos; }));
}

TEST_CASE("pop3 source: a pre-RFC-2449 server (no CAPA) is probed for TOP") {
  auto server = server_with(3);
  server.faults.capa = false;
  auto source = make_source(server);
  auto sink = scan(source);
  REQUIRE(sink.messages.size() == 3);
  CHECK(server.count("TOP") == 3);
  CHECK(server.max_in_flight == 1);
  CHECK(sink.messages[0].key == expected_key(server.mailbox[0]));

  auto no_top = server_with(3);
  no_top.faults.capa = false;
  no_top.faults.top = false;
  auto slow = make_source(no_top);
  auto slow_sink = scan(slow);
  REQUIRE(slow_sink.messages.size() == 3);
  CHECK(no_top.count("TOP") == 1);  // the probe
  CHECK(no_top.count("RETR") == 3);
}

TEST_CASE("pop3 source: connection dropped mid-RETR fails that message only") {
  auto server = server_with(3);
  server.faults.retr_fault_number = 2;
  server.faults.retr_cut_bytes = 30;
  auto source = make_source(server);
  auto sink = scan(source);
  REQUIRE(sink.messages.size() == 3);
  try {
    source.open(source.folders()[0], sink.messages[1]);
    FAIL("a cut RETR must not give a body");
  } catch (const core::SourceError& e) {
    CHECK(e.scope() == core::ErrorScope::Message);
    CHECK(std::string(e.what()).find("connection lost") != std::string::npos);
    CHECK(std::string(e.what()).find("UIDL u2") != std::string::npos);
  }
  // The next message comes through a new session.
  server.faults.retr_fault_number = 0;
  CHECK(read_all(*source.open(source.folders()[0], sink.messages[2])) == server.mailbox[2].bytes);
  CHECK(server.sessions == 2);
  CHECK(server.count("DELE") == 0);
}

TEST_CASE("pop3 source: a truncated RETR answer is refused, never uploaded") {
  testing::TempDir dir;
  sync::StateStore store(dir.file("job.state"));
  auto server = server_with(2);
  server.faults.retr_fault_number = 1;
  server.faults.retr_cut_bytes = 40;
  server.faults.retr_cut_closes = false;  // the server ends the answer early
  auto source = make_source(server, &store);
  auto sink = scan(source);
  CHECK_THROWS_WITH_AS(source.open(source.folders()[0], sink.messages[0]),
                       doctest::Contains("RETR delivered"), core::SourceError);
  // The session survives a clean but short answer.
  CHECK(read_all(*source.open(source.folders()[0], sink.messages[1])) == server.mailbox[1].bytes);
  CHECK(server.sessions == 1);
}

TEST_CASE("pop3 source: a LIST size that is wrong is corrected by the next run") {
  testing::TempDir dir;
  sync::StateStore store(dir.file("job.state"));
  auto server = server_with(3);
  server.mailbox[2].list_size_delta = 12;  // miscounted (no Message-ID: key uses the size)
  {
    auto source = make_source(server, &store);
    auto sink = scan(source);
    CHECK(sink.messages[2].size == server.mailbox[2].bytes.size() + 12);
    CHECK_THROWS_WITH_AS(source.open(source.folders()[0], sink.messages[2]),
                         doctest::Contains("next run copies it"), core::SourceError);
  }
  auto source = make_source(server, &store);
  auto sink = scan(source);
  REQUIRE(sink.messages.size() == 3);
  CHECK(sink.messages[2].size == server.mailbox[2].bytes.size());
  CHECK(sink.messages[2].key == expected_key(server.mailbox[2]));
  CHECK(read_all(*source.open(source.folders()[0], sink.messages[2])) == server.mailbox[2].bytes);
}

TEST_CASE("pop3 source: an idle logout before open() or remove() costs one reconnect") {
  auto server = server_with(3);
  auto source = make_source(server);
  auto sink = scan(source);
  server.faults.idle_logouts = 1;
  CHECK(read_all(*source.open(source.folders()[0], sink.messages[0])) == server.mailbox[0].bytes);
  CHECK(server.sessions == 2);
  server.faults.idle_logouts = 1;
  auto result = source.remove_messages({sink.messages[1]});
  CHECK(result.removed == std::vector<std::string>{sink.messages[1].locator});
  CHECK(server.sessions == 3);
  CHECK_FALSE(server.has("u2"));
  CHECK(server.mailbox.size() == 2);
}

TEST_CASE("pop3 source: remove deletes exactly the given messages, with QUIT") {
  auto server = server_with(5);
  auto source = make_source(server);
  auto sink = scan(source);
  auto removed =
      source.remove(source.folders()[0], {sink.messages[0], sink.messages[3], sink.messages[3]});
  CHECK(removed.removed ==
        std::vector<std::string>{sink.messages[0].locator, sink.messages[3].locator});
  CHECK(removed.failed.empty());
  CHECK(server.count("DELE") == 2);
  CHECK(server.count("QUIT") == 1);
  CHECK(server.mailbox.size() == 3);
  CHECK_FALSE(server.has("u1"));
  CHECK_FALSE(server.has("u4"));
  // A message gone meanwhile is reported, the others still go.
  auto again = source.remove_messages({sink.messages[0], sink.messages[1]});
  CHECK(again.removed == std::vector<std::string>{"uidl:u2"});
  REQUIRE(again.failed.size() == 1);
  CHECK(again.failed[0].message.find("no longer on the POP3 server") != std::string::npos);
  CHECK(server.mailbox.size() == 2);
}

TEST_CASE("pop3 source: a refused DELE is reported, the rest is committed") {
  auto server = server_with(3);
  server.faults.dele_error_uid = "u2";
  auto source = make_source(server);
  auto sink = scan(source);
  auto result = source.remove(source.folders()[0], sink.messages);
  CHECK(result.removed == std::vector<std::string>{"uidl:u1", "uidl:u3"});
  REQUIRE(result.failed.size() == 1);
  CHECK(result.failed[0].message.find("cannot delete that one") != std::string::npos);
  CHECK(server.mailbox.size() == 1);
  CHECK(server.has("u2"));
}

TEST_CASE("pop3 source: QUIT refused means nothing is deleted, and says so") {
  auto server = server_with(3);
  server.faults.quit_error = "[SYS/TEMP] cannot update the maildrop";
  auto source = make_source(server);
  auto sink = scan(source);
  try {
    source.remove_messages({sink.messages[0]});
    FAIL("a refused QUIT must throw");
  } catch (const core::SourceError& e) {
    CHECK(e.scope() == core::ErrorScope::Account);
    CHECK(std::string(e.what()).find("did not commit") != std::string::npos);
    CHECK(std::string(e.what()).find("SYS/TEMP") != std::string::npos);
  }
  CHECK(server.mailbox.size() == 3);
}

TEST_CASE("pop3 source: keep-days keeps recent mail on the server") {
  std::vector<source::SourceMessage> messages(3);
  const std::time_t now = 1700000000;
  messages[0].internal_date.utc = now - 10 * 86400;
  messages[1].internal_date.utc = now - 2 * 86400;
  messages[2].internal_date.utc = now - 8 * 86400;
  auto old = source::older_than_days(messages, 7, now);
  REQUIRE(old.size() == 2);
  CHECK(old[0].internal_date.utc == messages[0].internal_date.utc);
  CHECK(old[1].internal_date.utc == messages[2].internal_date.utc);
  CHECK(source::older_than_days(messages, 0, now).size() == 3);
}

TEST_CASE("pop3 source: the CRLF a server adds before the terminator is not uploaded") {
  // Stored without a final line end: LIST counts the stored bytes, RETR adds
  // the CRLF that must precede ".CRLF" (as Dovecot does).
  for (bool top : {true, false}) {
    CAPTURE(top);
    FakePop3Server server;
    server.faults.top = top;
    server.mailbox.push_back({"u1", "Subject: no final newline\r\n\r\nlast line", 0});
    auto source = make_source(server);
    auto sink = scan(source);
    REQUIRE(sink.messages.size() == 1);
    CHECK(sink.messages[0].size == server.mailbox[0].bytes.size());
    CHECK(sink.messages[0].key == expected_key(server.mailbox[0]));
    CHECK(read_all(*source.open(source.folders()[0], sink.messages[0])) == server.mailbox[0].bytes);
  }
}

TEST_CASE("pop3 source: big messages spill to disk and read back whole") {
  FakePop3Server server;
  server.chunk = 65536;
  std::string body;
  for (int i = 0; body.size() < 300000; ++i) body += ".line " + std::to_string(i) + "\r\n";
  server.mailbox.push_back({"big", "Message-ID: <big@example.org>\r\n\r\n" + body, 0});
  source::Pop3SourceOptions o;
  o.spool_memory_limit = 4096;
  o.connector = [&server](const net::ConnectOptions& c) { return server.connect(c); };
  source::Pop3Source source(std::move(o));
  auto sink = scan(source);
  REQUIRE(sink.messages.size() == 1);
  // Two readers open at once, as in the executor's pipelined APPENDs.
  auto first = source.open(source.folders()[0], sink.messages[0]);
  auto second = source.open(source.folders()[0], sink.messages[0]);
  CHECK(read_all(*second) == server.mailbox[0].bytes);
  CHECK(read_all(*first) == server.mailbox[0].bytes);
}

TEST_CASE("pop3 source: a login refused with a response code says what it means") {
  // As the connection layer reports a refused PASS when it quotes the server.
  for (auto [line, meaning] :
       {std::pair{"-ERR [IN-USE] Mailbox locked", "locked by another client"},
        std::pair{"-ERR [LOGIN-DELAY] wait", "this soon after the last"},
        std::pair{"-ERR [SYS/TEMP] disk", "temporary problem"}}) {
    CAPTURE(line);
    source::Pop3SourceOptions o;
    o.connect.host = "pop.example.org";
    o.connect.user = "alice";
    std::string refusal = line;
    o.connector = [refusal](const net::ConnectOptions&) -> std::unique_ptr<net::Connection> {
      throw core::ConnectionError("login failed for user alice at pop.example.org:995: " + refusal);
    };
    source::Pop3Source source(std::move(o));
    Collect sink;
    try {
      source.scan(source.folders()[0], sink);
      FAIL("a refused login must throw");
    } catch (const core::ConnectionError& e) {
      CHECK(e.exit_code() == core::kExitConnection);
      CHECK(std::string(e.what()).find(refusal) != std::string::npos);
      CHECK(std::string(e.what()).find(meaning) != std::string::npos);
    }
  }
}

namespace {

// A source whose reconnect policy allows `attempts` lost sessions in a row and
// records its waits instead of sleeping; `refuse_from` > 0: the login of that
// connection (from 1) and every later one is refused.
source::Pop3Source patient_source(FakePop3Server& server, int attempts,
                                  std::vector<std::chrono::milliseconds>& waits,
                                  int refuse_from = 0) {
  source::Pop3SourceOptions o;
  o.connect.host = "pop.example.org";
  o.connect.user = "alice";
  o.reconnect.attempts = attempts;
  o.reconnect.first_delay = std::chrono::milliseconds(1);
  o.reconnect.max_delay = std::chrono::milliseconds(3);
  o.reconnect.sleep = [&waits](std::chrono::milliseconds d) { waits.push_back(d); };
  o.connector = [&server, refuse_from](const net::ConnectOptions& c) {
    if (refuse_from > 0 && server.sessions + 1 >= refuse_from)
      throw core::ConnectionError("login failed for user alice: -ERR [AUTH] wrong password", false);
    return server.connect(c);
  };
  return source::Pop3Source(std::move(o));
}

}  // namespace

TEST_CASE("pop3 source: lost sessions are opened again as often as the reconnect policy allows") {
  using std::chrono::milliseconds;
  auto server = server_with(2);
  std::vector<milliseconds> waits;
  auto source = patient_source(server, 3, waits);
  auto sink = scan(source);
  REQUIRE(sink.messages.size() == 2);
  // The RETR finds the session dead, and so do the first commands of the next
  // two sessions: three failures in a row, which the policy allows.
  server.faults.idle_logouts = 3;
  CHECK(read_all(*source.open(source.folders()[0], sink.messages[0])) == server.mailbox[0].bytes);
  CHECK(server.sessions == 4);
  CHECK(waits == std::vector<milliseconds>{milliseconds(1), milliseconds(2), milliseconds(3)});

  // One more than the policy allows: the download stops with the lost session.
  waits.clear();
  server.faults.idle_logouts = 4;
  CHECK_THROWS_AS(source.open(source.folders()[0], sink.messages[1]), core::ConnectionError);
  CHECK(server.sessions == 7);
  CHECK(waits.size() == 3);
  CHECK(server.count("DELE") == 0);
}

TEST_CASE("pop3 source: a login refused on reconnect is not tried again") {
  auto server = server_with(2);
  std::vector<std::chrono::milliseconds> waits;
  auto source = patient_source(server, 5, waits, 2);
  auto sink = scan(source);
  server.faults.idle_logouts = 1;
  CHECK_THROWS_WITH_AS(source.open(source.folders()[0], sink.messages[0]),
                       doctest::Contains("wrong password"), core::ConnectionError);
  CHECK(server.sessions == 1);
  CHECK(waits.size() == 1);  // after the lost session; none after the refusal
}

TEST_CASE("pop3 source: remove() opens lost sessions again as the reconnect policy allows") {
  auto server = server_with(3);
  std::vector<std::chrono::milliseconds> waits;
  auto source = patient_source(server, 2, waits);
  auto sink = scan(source);
  server.faults.idle_logouts = 2;  // the DELE, then the next session's first command
  auto result = source.remove_messages({sink.messages[0]});
  CHECK(result.removed == std::vector<std::string>{sink.messages[0].locator});
  CHECK(server.sessions == 3);
  CHECK(waits.size() == 2);
  CHECK_FALSE(server.has("u1"));
}
