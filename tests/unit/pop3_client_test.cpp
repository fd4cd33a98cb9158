// The POP3 client over a scripted peer: pipelining window, listings, RETR
// unstuffing, and QUIT as the only commit of DELE.
#include <doctest/doctest.h>

#include "mailferry/pop3/client.hpp"
#include "pop3_fake_server.hpp"

using namespace mailferry;
using mailferry::testing::FakeMessage;
using mailferry::testing::FakePop3Server;

namespace {

FakeMessage make_message(int i) {
  std::string n = std::to_string(i);
  return {"uid-" + n,
          "Message-ID: <" + n + "@example.org>\r\nSubject: message " + n +
              "\r\n\r\n.starts with a dot\r\nbody " + n + "\r\n..\r\n.\r\n",
          0};
}

FakePop3Server server_with(int messages) {
  FakePop3Server server;
  for (int i = 1; i <= messages; ++i) server.mailbox.push_back(make_message(i));
  return server;
}

std::vector<std::string> headers_of(FakePop3Server& server, std::size_t depth) {
  auto connection = server.connect({});
  pop3::Client client(*connection, {depth, {}});
  client.capa();
  std::vector<std::uint32_t> numbers;
  for (std::uint32_t i = 1; i <= server.mailbox.size(); ++i) numbers.push_back(i);
  std::vector<std::string> headers;
  std::vector<std::uint32_t> order;
  client.top_headers(numbers, [&](std::uint32_t n, const pop3::Status& s, std::string_view h) {
    CHECK(s.ok);
    order.push_back(n);
    headers.emplace_back(h);
  });
  CHECK(order == numbers);
  CHECK(client.commands_sent("TOP") == numbers.size());
  return headers;
}

}  // namespace

TEST_CASE("pop3 client: PIPELINING keeps a window of commands in flight") {
  auto server = server_with(10);
  auto headers = headers_of(server, 4);
  CHECK(server.max_in_flight == 4);
  REQUIRE(headers.size() == 10);
  CHECK(headers[2] == "Message-ID: <3@example.org>\r\nSubject: message 3\r\n\r\n");
}

TEST_CASE("pop3 client: without PIPELINING one command at a time, same answers") {
  auto pipelined = server_with(10);
  auto serial = server_with(10);
  serial.faults.pipelining = false;
  auto a = headers_of(pipelined, 64);
  auto b = headers_of(serial, 64);
  CHECK(a == b);
  CHECK(pipelined.max_in_flight == 10);
  CHECK(serial.max_in_flight == 1);
}

TEST_CASE("pop3 client: CAPA, UIDL and LIST") {
  auto server = server_with(3);
  server.mailbox[1].list_size_delta = 5;
  auto connection = server.connect({});
  pop3::Client client(*connection);
  const auto& caps = client.capa();
  CHECK(caps.known);
  CHECK(caps.has("top"));
  CHECK(client.pipelining());
  auto listing = client.listing(true);
  REQUIRE(listing.uidl);
  REQUIRE(listing.uidl->size() == 3);
  CHECK((*listing.uidl)[2].number == 3);
  CHECK((*listing.uidl)[2].uid == "uid-3");
  REQUIRE(listing.list.size() == 3);
  CHECK(listing.list[0].size == server.mailbox[0].bytes.size());
  CHECK(listing.list[1].size == server.mailbox[1].bytes.size() + 5);
  CHECK(server.commands == std::vector<std::string>{"CAPA", "UIDL", "LIST"});
}

TEST_CASE("pop3 client: a server without CAPA or UIDL") {
  auto server = server_with(2);
  server.faults.capa = false;
  server.faults.uidl = false;
  auto connection = server.connect({});
  pop3::Client client(*connection);
  CHECK_FALSE(client.capa().known);
  CHECK_FALSE(client.pipelining());
  auto listing = client.listing(true);
  CHECK_FALSE(listing.uidl);
  CHECK_FALSE(listing.uidl_status.ok);
  CHECK(listing.list.size() == 2);
}

TEST_CASE("pop3 client: RETR delivers the unstuffed message") {
  auto server = server_with(2);
  server.chunk = 1;  // every byte its own read
  auto connection = server.connect({});
  pop3::Client client(*connection);
  std::string body;
  auto status = client.retrieve(2, [&](std::string_view b) { body.append(b); });
  CHECK(status.ok);
  CHECK(body == server.mailbox[1].bytes);
  auto missing = client.retrieve(9, [&](std::string_view) { FAIL("no body for -ERR"); });
  CHECK_FALSE(missing.ok);
  CHECK(missing.code == "SYS/PERM");
  CHECK(client.usable());
}

TEST_CASE("pop3 client: DELE only marks, QUIT commits") {
  auto server = server_with(4);
  {
    auto connection = server.connect({});
    pop3::Client client(*connection);
    client.capa();
    auto statuses = client.mark_deleted({1, 3});
    CHECK(statuses[0].ok);
    CHECK(statuses[1].ok);
    CHECK(client.deletions_pending());
    // Destroyed without commit_and_quit: the server forgets the marks.
  }
  CHECK(server.mailbox.size() == 4);
  CHECK(server.count("QUIT") == 0);
  {
    auto connection = server.connect({});
    pop3::Client client(*connection);
    client.capa();
    auto statuses = client.mark_deleted({1, 3, 7});
    CHECK_FALSE(statuses[2].ok);
    client.commit_and_quit();
    CHECK_FALSE(client.usable());
    CHECK_FALSE(client.deletions_pending());
  }
  CHECK(server.has("uid-2"));
  CHECK(server.has("uid-4"));
  CHECK_FALSE(server.has("uid-1"));
  CHECK_FALSE(server.has("uid-3"));
}

TEST_CASE("pop3 client: QUIT refused means deletions not committed") {
  auto server = server_with(2);
  server.faults.quit_error = "[SYS/TEMP] could not remove deleted messages";
  auto connection = server.connect({});
  pop3::Client client(*connection);
  client.mark_deleted({1});
  try {
    client.commit_and_quit();
    FAIL("QUIT -ERR must throw");
  } catch (const pop3::CommandError& e) {
    CHECK(e.status().code_kind() == pop3::ResponseCode::SysTemp);
    CHECK(std::string(e.what()).find("could not remove deleted messages") != std::string::npos);
    CHECK(e.scope() == core::ErrorScope::Account);
  }
  CHECK(server.mailbox.size() == 2);
}

TEST_CASE("pop3 client: a connection lost mid-answer makes the client unusable") {
  auto server = server_with(2);
  server.faults.retr_fault_number = 1;
  server.faults.retr_cut_bytes = 20;
  auto connection = server.connect({});
  pop3::Client client(*connection);
  std::string body;
  CHECK_THROWS_AS(client.retrieve(1, [&](std::string_view b) { body.append(b); }),
                  core::ConnectionError);
  CHECK(body.size() <= 20);
  CHECK_FALSE(client.usable());
  CHECK_THROWS_AS(client.retrieve(2, {}), core::ConnectionError);
}

TEST_CASE("pop3 client: the trace hook sees every command line") {
  auto server = server_with(3);
  auto connection = server.connect({});
  std::vector<std::string> trace;
  pop3::Client client(*connection, {64, [&](std::string_view l) { trace.emplace_back(l); }});
  client.capa();
  client.listing(true);
  client.top_headers({1, 3}, [](std::uint32_t, const pop3::Status&, std::string_view) {});
  CHECK(trace == std::vector<std::string>{"CAPA", "UIDL", "LIST", "TOP 1 0", "TOP 3 0"});
  CHECK(client.commands_sent("TOP") == 2);
  CHECK(client.commands_sent("RETR") == 0);
}
