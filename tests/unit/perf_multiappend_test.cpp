// MULTIAPPEND batches (RFC 3502) in ImapTarget, against scripted servers:
// which messages share a command, how APPENDUID ranges become UIDs, and what
// happens when a batch is refused or one of its bodies cannot be read. The
// real-server side is in tests/integration/rerun_cache_test.cpp and the
// benchmark (bench/).
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "imap_fake_server.hpp"
#include "mailferry/imap/uid_set.hpp"
#include "mailferry/target/imap_target.hpp"

using namespace mailferry;
using target::AppendItem;
using target::AppendOutcome;
using target::ImapTarget;
using testing::imap_fake::Body;
using testing::imap_fake::FakeConnection;
using testing::imap_fake::Server;

namespace {

constexpr const char* kCapabilities = "IMAP4rev1 LITERAL+ UIDPLUS MULTIAPPEND";

std::string select_answer(const std::string& tag) {
  return "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
         "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] ok\r\n"
         "* 0 EXISTS\r\n* OK [UIDVALIDITY 77] ok\r\n* OK [UIDNEXT 10] ok\r\n" +
         tag + " OK [READ-WRITE] done\r\n";
}

// How many messages an APPEND command carries: one literal each.
std::size_t messages_in(const std::string& command) {
  std::size_t n = 0;
  for (std::size_t at = command.find("+}\r\n"); at != std::string::npos;
       at = command.find("+}\r\n", at + 1))
    ++n;
  return n;
}

// A server that stores every APPEND (a batch as a whole) unless the command
// holds a body with "refuse" in it; every connection gets a fresh one.
struct Servers {
  std::vector<std::shared_ptr<Server>> made;
  std::uint32_t next_uid = 10;
  std::vector<std::size_t> batch_sizes;  // messages per APPEND command, as received

  std::shared_ptr<Server> make() {
    auto server = std::make_shared<Server>();
    server->capabilities = kCapabilities;
    server->answer = [this](const std::string& tag, const std::string& command) -> std::string {
      if (command.rfind("SELECT", 0) == 0) return select_answer(tag);
      if (command.rfind("APPEND", 0) != 0) return tag + " OK done\r\n";
      const std::size_t n = messages_in(command);
      batch_sizes.push_back(n);
      if (command.find("refuse") != std::string::npos)
        return tag + " NO [UNKNOWN-CTE] the message cannot be stored\r\n";
      std::string set = std::to_string(next_uid);
      if (n > 1) set += ":" + std::to_string(next_uid + n - 1);
      next_uid += static_cast<std::uint32_t>(n);
      return tag + " OK [APPENDUID 77 " + set + "] done\r\n";
    };
    made.push_back(server);
    return server;
  }
};

std::unique_ptr<ImapTarget> connect(Servers& servers, std::size_t batch,
                                    std::uint64_t bytes = 1 << 20) {
  net::ConnectOptions options;
  options.host = "fake";
  options.user = "u";
  ImapTarget::Tuning tuning;
  tuning.batch_messages = batch;
  tuning.batch_bytes = bytes;
  return std::make_unique<ImapTarget>(options, tuning, [&servers](const net::ConnectOptions&) {
    return std::make_unique<FakeConnection>(servers.make());
  });
}

AppendItem item(std::string bytes, std::size_t fail_after = std::string::npos) {
  AppendItem it;
  it.size = bytes.size();
  it.flags = core::Flags(core::Flag::Seen);
  it.internal_date = {1549102333, 60};
  it.where = "item " + bytes.substr(0, 8);
  it.open_body = [bytes, fail_after] { return std::make_unique<Body>(bytes, fail_after); };
  return it;
}

std::vector<AppendOutcome> append_all(ImapTarget& target, const std::vector<AppendItem>& items) {
  std::vector<AppendOutcome> outcomes(items.size());
  std::vector<int> answered(items.size(), 0);
  target.append("INBOX", items, [&](std::size_t i, const AppendOutcome& o) {
    outcomes.at(i) = o;
    ++answered.at(i);
  });
  for (std::size_t i = 0; i < items.size(); ++i) {
    INFO("item " << i);
    CHECK(answered[i] == 1);  // every item answered exactly once
  }
  return outcomes;
}

}  // namespace

TEST_CASE("perf multiappend: uid sets from APPENDUID are read in order, ranges ascending") {
  CHECK(imap::parse_uid_set("7", 10) == std::vector<std::uint32_t>{7});
  CHECK(imap::parse_uid_set("3:5,9", 10) == std::vector<std::uint32_t>{3, 4, 5, 9});
  CHECK(imap::parse_uid_set("5:3", 10) == std::vector<std::uint32_t>{3, 4, 5});
  CHECK_FALSE(imap::parse_uid_set("1:100", 10));  // more than asked for
  CHECK_FALSE(imap::parse_uid_set("0", 10));
  CHECK_FALSE(imap::parse_uid_set("3,", 10));
  CHECK_FALSE(imap::parse_uid_set("", 10));
  CHECK_FALSE(imap::parse_uid_set("4294967295:1", 1000));
}

TEST_CASE("perf multiappend: consecutive messages share one APPEND, each gets its UID") {
  Servers servers;
  auto target = connect(servers, 3);
  std::vector<AppendItem> items;
  for (int i = 0; i < 7; ++i) items.push_back(item("message " + std::to_string(i) + "\r\n"));
  auto outcomes = append_all(*target, items);
  CHECK(servers.batch_sizes == std::vector<std::size_t>{3, 3, 1});
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    CHECK(outcomes[i].ok);
    CHECK(outcomes[i].uidvalidity == 77);
    CHECK(outcomes[i].uid == 10 + i);
  }
  // Each message keeps its own flags and date inside the one command.
  const auto& first = servers.made.at(0)->commands;
  auto append = std::find_if(first.begin(), first.end(), [](const std::string& c) {
    return c.find(" APPEND ") != std::string::npos;
  });
  REQUIRE(append != first.end());
  CHECK(append->substr(append->find(' ') + 1) ==
        "APPEND INBOX (\\Seen) \"02-Feb-2019 11:12:13 +0100\" {11+}\r\nmessage 0\r\n"
        " (\\Seen) \"02-Feb-2019 11:12:13 +0100\" {11+}\r\nmessage 1\r\n"
        " (\\Seen) \"02-Feb-2019 11:12:13 +0100\" {11+}\r\nmessage 2\r\n");
}

TEST_CASE("perf multiappend: a batch is closed before it passes the byte limit") {
  Servers servers;
  auto target = connect(servers, 64, 100);
  std::vector<AppendItem> items{item(std::string(60, 'a')), item(std::string(30, 'b')),
                                item(std::string(20, 'c')), item(std::string(500, 'd')),
                                item(std::string(10, 'e'))};
  auto outcomes = append_all(*target, items);
  // 60+30 fit, +20 would not; 500 alone is still sent (one message always fits).
  CHECK(servers.batch_sizes == std::vector<std::size_t>{2, 1, 1, 1});
  for (const auto& o : outcomes) CHECK(o.ok);
}

TEST_CASE("perf multiappend: without MULTIAPPEND, or with batches of 1, one message per command") {
  Servers servers;
  auto target = connect(servers, 1);
  std::vector<AppendItem> items{item("one\r\n"), item("two\r\n"), item("three\r\n")};
  append_all(*target, items);
  CHECK(servers.batch_sizes == std::vector<std::size_t>{1, 1, 1});
}

TEST_CASE(
    "perf multiappend: a refused batch goes again one by one and only the bad message fails") {
  Servers servers;
  auto target = connect(servers, 4);
  std::vector<AppendItem> items{item("good 1\r\n"), item("good 2\r\n"), item("refuse me\r\n"),
                                item("good 3\r\n"), item("good 4\r\n")};
  auto outcomes = append_all(*target, items);
  CHECK(outcomes[0].ok);
  CHECK(outcomes[1].ok);
  CHECK_FALSE(outcomes[2].ok);
  CHECK(outcomes[2].error.scope == core::ErrorScope::Message);
  CHECK(outcomes[2].error.message.find("cannot be stored") != std::string::npos);
  CHECK(outcomes[3].ok);
  CHECK(outcomes[4].ok);
  // The batch of four is refused; its messages go alone; the fifth is batched as usual.
  REQUIRE(servers.batch_sizes.size() >= 2);
  CHECK(servers.batch_sizes[0] == 4);
  CHECK(std::count(servers.batch_sizes.begin(), servers.batch_sizes.end(), 1u) >= 4);
  std::set<std::uint32_t> uids;
  for (const auto& o : outcomes)
    if (o.ok) uids.insert(o.uid);
  CHECK(uids.size() == 4);  // four distinct UIDs for four stored messages
}

TEST_CASE("perf multiappend: TRYCREATE on a batch stops the folder and fails all of it") {
  net::ConnectOptions options;
  auto server = std::make_shared<Server>();
  server->capabilities = kCapabilities;
  server->answer = [](const std::string& tag, const std::string& command) {
    if (command.rfind("SELECT", 0) == 0) return select_answer(tag);
    if (command.rfind("APPEND", 0) == 0) return tag + " NO [TRYCREATE] no such folder\r\n";
    return tag + " OK done\r\n";
  };
  ImapTarget::Tuning tuning;
  ImapTarget direct(options, tuning, [server](const net::ConnectOptions&) {
    return std::make_unique<FakeConnection>(server);
  });
  std::vector<AppendItem> items{item("a\r\n"), item("b\r\n"), item("c\r\n")};
  std::vector<AppendOutcome> outcomes(3);
  CHECK_THROWS_AS(
      direct.append("Gone", items, [&](std::size_t i, const AppendOutcome& o) { outcomes[i] = o; }),
      core::ServerError);
  for (const auto& o : outcomes) {
    CHECK_FALSE(o.ok);
    CHECK(o.error.scope == core::ErrorScope::Folder);
  }
}

TEST_CASE(
    "perf multiappend: a body that cannot be opened first in a batch costs nothing on the wire") {
  Servers servers;
  auto target = connect(servers, 8);
  std::vector<AppendItem> items{item("broken\r\n", 0), item("fine 1\r\n"), item("fine 2\r\n")};
  auto outcomes = append_all(*target, items);
  CHECK_FALSE(outcomes[0].ok);
  CHECK(outcomes[0].error.message.find("disk error") != std::string::npos);
  CHECK(outcomes[1].ok);
  CHECK(outcomes[2].ok);
  CHECK(servers.made.size() == 1);  // the connection was kept
  CHECK(servers.batch_sizes == std::vector<std::size_t>{2});
}

TEST_CASE("perf multiappend: a body failing inside a batch fails alone, the rest arrive once") {
  Servers servers;
  auto target = connect(servers, 8);
  std::vector<AppendItem> items{item("fine 1\r\n"), item(std::string(200, 'x'), 100),
                                item("fine 2\r\n"), item("fine 3\r\n")};
  auto outcomes = append_all(*target, items);
  CHECK(outcomes[0].ok);
  CHECK_FALSE(outcomes[1].ok);
  CHECK(outcomes[1].error.scope == core::ErrorScope::Message);
  CHECK(outcomes[2].ok);
  CHECK(outcomes[3].ok);
  // The half-sent batch was dropped with its connection (the server never
  // completed it); the others went again on a new one, each stored once.
  CHECK(servers.made.size() == 2);
  CHECK(servers.made[0]->closed);
  std::set<std::uint32_t> uids{outcomes[0].uid, outcomes[2].uid, outcomes[3].uid};
  CHECK(uids.size() == 3);
  CHECK(servers.next_uid == 13);  // three messages stored in all
}
