// Pop3Source against the test Dovecot's POP3 service, filled with the corpus
// messages through the server (doveadm save).
#include "mailferry/source/pop3_source.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>

#include "mailferry/mime/header_fields.hpp"
#include "mailferry/mime/message_key.hpp"
#include "mailferry/sync/state_store.hpp"
#include "support/dovecot_server.hpp"
#include "support/mail_text.hpp"
#include "support/scan_collect.hpp"
#include "support/temp_dir.hpp"

using namespace mailferry;
using mailferry::testing::CollectingSink;
using mailferry::testing::DovecotServer;
using mailferry::testing::DovecotShape;
using mailferry::testing::read_body;
using mailferry::testing::TempDir;

using mailferry::testing::to_crlf;

namespace {

struct CorpusMessage {
  std::string name;
  std::string crlf;  // the file with CRLF line ends: what POP3 must deliver
};

// Every single-message file of the corpus, in name order.
std::vector<CorpusMessage> corpus_messages() {
  std::vector<CorpusMessage> out;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(MAILFERRY_CORPUS_DIR) + "/eml"))
    out.push_back({entry.path().filename().string(), to_crlf(testing::read_file(entry.path()))});
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.name < b.name; });
  return out;
}

core::MessageKey key_of(const std::string& crlf) {
  return mime::message_key(mime::scan_header_fields(crlf), crlf.size());
}

struct Traced {
  std::vector<std::string> commands;
  std::size_t count(std::string_view verb) const {
    return static_cast<std::size_t>(
        std::count_if(commands.begin(), commands.end(), [&](const std::string& c) {
          return c.rfind(std::string(verb) + " ", 0) == 0 || c == verb;
        }));
  }
};

source::Pop3SourceOptions options_for(const DovecotServer& dovecot, const std::string& user,
                                      bool implicit_tls, Traced* trace = nullptr,
                                      source::Pop3ScanCache* cache = nullptr) {
  source::Pop3SourceOptions o;
  o.connect.protocol = net::Protocol::Pop3;
  o.connect.host = "127.0.0.1";
  o.connect.port = implicit_tls ? dovecot.pop3s_port() : dovecot.pop3_port();
  o.connect.implicit_tls = implicit_tls;
  o.connect.ca_file = dovecot.ca_file();
  o.connect.user = user;
  o.connect.password = core::Secret(dovecot.password());
  o.connect.timeout = std::chrono::seconds(30);
  o.cache = cache;
  if (trace) o.trace = [trace](std::string_view line) { trace->commands.emplace_back(line); };
  return o;
}

CollectingSink scan(source::Pop3Source& source) {
  CollectingSink sink;
  source.scan(source.folders().at(0), sink);
  return sink;
}

void fill(const DovecotServer& dovecot, const std::string& user,
          const std::vector<CorpusMessage>& messages) {
  for (const auto& m : messages) dovecot.save_message(user, "INBOX", m.crlf);
}

// Message-IDs of what is left in the user's INBOX, as Dovecot itself says.
std::size_t inbox_count(const DovecotServer& dovecot, const std::string& user) {
  std::istringstream lines(
      dovecot.doveadm({"-f", "flow", "mailbox", "status", "-u", user, "messages", "INBOX"}));
  std::string line;
  std::getline(lines, line);
  return std::stoul(line.substr(line.find('=') + 1));
}

std::vector<std::string> inbox_guids(const DovecotServer& dovecot, const std::string& user) {
  std::istringstream lines(
      dovecot.doveadm({"-f", "flow", "fetch", "-u", user, "guid", "mailbox", "INBOX", "all"}));
  std::vector<std::string> out;
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("guid=", 0) == 0) out.push_back(line.substr(5));
  return out;
}

}  // namespace

TEST_CASE("pop3 integration: pop3s scan and open give the corpus messages, byte for byte") {
  DovecotServer dovecot;
  auto corpus = corpus_messages();
  fill(dovecot, "alice", corpus);
  Traced trace;
  source::Pop3Source source(options_for(dovecot, "alice", true, &trace));
  auto sink = scan(source);
  CHECK(sink.errors.empty());
  REQUIRE(sink.messages.size() == corpus.size());
  for (std::size_t i = 0; i < corpus.size(); ++i) {
    CAPTURE(corpus[i].name);
    const auto& m = sink.messages[i];
    CHECK(m.key == key_of(corpus[i].crlf));
    CHECK(m.size == corpus[i].crlf.size());
    CHECK(m.flags.has(core::Flag::Seen));
    CHECK(read_body(*source.open(source.folders()[0], m), 65536) == corpus[i].crlf);
  }
  CHECK(trace.count("TOP") == corpus.size());
  CHECK(trace.count("RETR") == corpus.size());
  CHECK(trace.count("DELE") == 0);
  CHECK(source.notes().empty());
  CHECK(inbox_count(dovecot, "alice") == corpus.size());
}

TEST_CASE("pop3 integration: pop3:// with STLS works the same") {
  DovecotServer dovecot;
  auto corpus = corpus_messages();
  corpus.resize(5);
  fill(dovecot, "bob", corpus);
  source::Pop3Source source(options_for(dovecot, "bob", false));
  auto sink = scan(source);
  REQUIRE(sink.messages.size() == corpus.size());
  for (std::size_t i = 0; i < corpus.size(); ++i) {
    CHECK(sink.messages[i].key == key_of(corpus[i].crlf));
    CHECK(read_body(*source.open(source.folders()[0], sink.messages[i]), 65536) == corpus[i].crlf);
  }
  CHECK(source.describe() == "pop3://bob@127.0.0.1:" + std::to_string(dovecot.pop3_port()));
}

TEST_CASE("pop3 integration: the state store spares every TOP on the second run") {
  DovecotServer dovecot;
  TempDir dir;
  auto corpus = corpus_messages();
  std::vector<CorpusMessage> later(corpus.end() - 3, corpus.end());
  corpus.resize(corpus.size() - 3);
  fill(dovecot, "carol", corpus);
  const std::string state = dir.file("nightly.state");

  std::vector<source::SourceMessage> first;
  {
    sync::StateStore store(state);
    Traced trace;
    source::Pop3Source source(options_for(dovecot, "carol", true, &trace, &store));
    first = scan(source).messages;
    CHECK(trace.count("TOP") == corpus.size());
  }
  {
    sync::StateStore store(state);
    Traced trace;
    source::Pop3Source source(options_for(dovecot, "carol", true, &trace, &store));
    auto second = scan(source).messages;
    CHECK(trace.count("TOP") == 0);
    CHECK(trace.count("RETR") == 0);
    CHECK(trace.count("UIDL") == 1);
    REQUIRE(second.size() == first.size());
    for (std::size_t i = 0; i < first.size(); ++i) {
      CHECK(second[i].key == first[i].key);
      CHECK(second[i].size == first[i].size);
      CHECK(second[i].locator == first[i].locator);
      CHECK(second[i].internal_date == first[i].internal_date);
    }
  }
  // New mail between runs costs exactly one TOP per new message.
  fill(dovecot, "carol", later);
  {
    sync::StateStore store(state);
    Traced trace;
    source::Pop3Source source(options_for(dovecot, "carol", true, &trace, &store));
    auto third = scan(source).messages;
    CHECK(trace.count("TOP") == later.size());
    REQUIRE(third.size() == corpus.size() + later.size());
    CHECK(third.back().key == key_of(later.back().crlf));
  }
  // The cache is only a cache: without it, the same references.
  std::filesystem::remove(state);
  std::filesystem::remove(state + "-wal");
  std::filesystem::remove(state + "-shm");
  {
    sync::StateStore store(state);
    Traced trace;
    source::Pop3Source source(options_for(dovecot, "carol", true, &trace, &store));
    auto fresh = scan(source).messages;
    CHECK(trace.count("TOP") == corpus.size() + later.size());
    REQUIRE(fresh.size() >= first.size());
    for (std::size_t i = 0; i < first.size(); ++i) {
      CHECK(fresh[i].key == first[i].key);
      CHECK(fresh[i].locator == first[i].locator);
      CHECK(fresh[i].size == first[i].size);
    }
  }
}

TEST_CASE("pop3 integration: remove() deletes exactly the given messages") {
  DovecotServer dovecot;
  auto corpus = corpus_messages();
  corpus.resize(8);
  fill(dovecot, "dave", corpus);
  auto guids_before = inbox_guids(dovecot, "dave");
  REQUIRE(guids_before.size() == 8);

  Traced trace;
  source::Pop3Source source(options_for(dovecot, "dave", true, &trace));
  auto messages = scan(source).messages;
  REQUIRE(messages.size() == 8);
  // Read one first, as the executor does, then remove two others.
  read_body(*source.open(source.folders()[0], messages[0]), 65536);
  source.remove(source.folders()[0], {messages[2], messages[5]});
  CHECK(trace.count("DELE") == 2);
  CHECK(trace.count("QUIT") == 1);

  auto guids_after = inbox_guids(dovecot, "dave");
  std::vector<std::string> expected = guids_before;
  expected.erase(expected.begin() + 5);
  expected.erase(expected.begin() + 2);
  CHECK(guids_after == expected);

  // A new scan sees the six left, with the same UIDLs as before.
  auto again = scan(source).messages;
  REQUIRE(again.size() == 6);
  CHECK(again[2].locator == messages[3].locator);
  CHECK(again[2].key == key_of(corpus[3].crlf));
}

TEST_CASE("pop3 integration: a server without PIPELINING gives the same references") {
  auto corpus = corpus_messages();
  corpus.resize(12);
  std::vector<source::SourceMessage> with, without;
  {
    DovecotServer dovecot;
    fill(dovecot, "erin", corpus);
    source::Pop3Source source(options_for(dovecot, "erin", true));
    with = scan(source).messages;
    CHECK(source.notes().empty());
  }
  {
    DovecotShape shape;
    shape.pop3_pipelining = false;
    DovecotServer dovecot(shape);
    fill(dovecot, "erin", corpus);
    source::Pop3Source source(options_for(dovecot, "erin", true));
    without = scan(source).messages;
    REQUIRE_FALSE(source.notes().empty());
    CHECK(source.notes()[0].find("PIPELINING") != std::string::npos);
    REQUIRE(without.size() == corpus.size());
    CHECK(read_body(*source.open(source.folders()[0], without[3]), 65536) == corpus[3].crlf);
  }
  REQUIRE(with.size() == without.size());
  for (std::size_t i = 0; i < with.size(); ++i) {
    CHECK(with[i].key == without[i].key);
    CHECK(with[i].size == without[i].size);
  }
}

TEST_CASE("pop3 integration: one command at a time gives the same references") {
  auto corpus = corpus_messages();
  corpus.resize(12);
  DovecotServer dovecot;
  fill(dovecot, "gina", corpus);
  source::Pop3Source pipelined(options_for(dovecot, "gina", true));
  auto with = scan(pipelined).messages;
  auto options = options_for(dovecot, "gina", true);
  options.pipeline_depth = 1;
  source::Pop3Source serial(std::move(options));
  auto without = scan(serial).messages;
  REQUIRE(with.size() == corpus.size());
  REQUIRE(without.size() == corpus.size());
  for (std::size_t i = 0; i < with.size(); ++i) {
    CHECK(with[i].key == without[i].key);
    CHECK(with[i].size == without[i].size);
    CHECK(with[i].locator == without[i].locator);
  }
  CHECK(read_body(*serial.open(serial.folders()[0], without[7]), 65536) == corpus[7].crlf);
}

TEST_CASE("pop3 integration: a wrong password is a connection error, exit code 3") {
  DovecotServer dovecot;
  dovecot.save_message("frank", "INBOX", corpus_messages().at(0).crlf);
  auto options = options_for(dovecot, "frank", true);
  options.connect.password = core::Secret("not-the-password");
  source::Pop3Source source(std::move(options));
  CollectingSink sink;
  try {
    source.scan(source.folders()[0], sink);
    FAIL("a wrong password must not log in");
  } catch (const core::ConnectionError& e) {
    CHECK(e.exit_code() == core::kExitConnection);
    CHECK(e.scope() == core::ErrorScope::Account);
    CHECK(std::string(e.what()).find("frank") != std::string::npos);
    CHECK(std::string(e.what()).find("not-the-password") == std::string::npos);
  }
  CHECK(sink.messages.empty());
  CHECK(inbox_count(dovecot, "frank") == 1);
}
