// ImapSource against a scripted server, for what the test Dovecot does not
// have: Gmail's virtual folders, a body shorter than its RFC822.SIZE, a message
// expunged between the scan and the upload, and a body big enough to arrive in
// pieces. The real-server tests are tests/integration/imap_source_test.cpp and
// the IMAP rows of the source and server conformance tables.
#include "mailferry/source/imap_source.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "imap_fake_server.hpp"
#include "mailferry/core/error.hpp"
#include "support/scan_collect.hpp"

using namespace mailferry;
using source::ImapSource;
using testing::imap_fake::FakeConnection;
using testing::imap_fake::Script;
using testing::imap_fake::Server;

namespace {

// A server with what ImapSource looks for in capabilities.
std::shared_ptr<Server> scripted(Script script) {
  return testing::imap_fake::scripted("IMAP4rev1 SPECIAL-USE LIST-EXTENDED", std::move(script));
}

std::unique_ptr<ImapSource> connect(const std::shared_ptr<Server>& server,
                                    bool include_virtual = false) {
  source::ImapSourceOptions options;
  options.connect.host = "fake";
  options.connect.user = "u";
  options.include_virtual_folders = include_virtual;
  options.reconnect = core::RetryPolicy::never();
  options.connector = [server](const net::ConnectOptions&) {
    return std::make_unique<FakeConnection>(server);
  };
  return std::make_unique<ImapSource>(options);
}

const std::string kGmailList =
    "* LIST (\\HasNoChildren) \"/\" \"INBOX\"\r\n"
    "* LIST (\\HasChildren \\Noselect) \"/\" \"[Gmail]\"\r\n"
    "* LIST (\\All \\HasNoChildren) \"/\" \"[Gmail]/All Mail\"\r\n"
    "* LIST (\\HasNoChildren \\Important) \"/\" \"[Gmail]/Important\"\r\n"
    "* LIST (\\HasNoChildren \\Sent) \"/\" \"[Gmail]/Sent Mail\"\r\n"
    "* LIST (\\Flagged \\HasNoChildren) \"/\" \"[Gmail]/Starred\"\r\n"
    "* LIST (\\HasNoChildren) \"/\" \"Work/2024\"\r\n"
    "* LIST (\\HasNoChildren) \"/\" \"&ANw-berweisungen\"\r\n";

std::vector<std::string> names(const std::vector<source::SourceFolder>& folders) {
  std::vector<std::string> out;
  for (const auto& f : folders) out.push_back(f.display_name());
  return out;
}

const std::string kMessage =
    "Message-ID: <one@example.com>\r\nFrom: Ann <ann@example.com>\r\nSubject: hello\r\n"
    "Date: Mon, 4 Mar 2019 10:00:00 +0000\r\n\r\nbody\r\n";

std::string examine(const std::string& tag) {
  return "* 1 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n* OK [UIDNEXT 6] ok\r\n" + tag +
         " OK [READ-ONLY] done\r\n";
}

// The scan's FETCH: message UID 5 with `size` as its RFC822.SIZE.
std::function<std::string(const std::string&)> index_of(std::uint64_t size) {
  return [size](const std::string& tag) {
    const std::string header = kMessage.substr(0, kMessage.find("\r\n\r\n") + 4);
    return "* 1 FETCH (UID 5 FLAGS (\\Seen Work) RFC822.SIZE " + std::to_string(size) +
           " INTERNALDATE \"04-Mar-2019 10:00:00 +0000\" BODY[HEADER.FIELDS (X)] {" +
           std::to_string(header.size()) + "}\r\n" + header + ")\r\n" + tag + " OK done\r\n";
  };
}

std::function<std::string(const std::string&)> body_of(const std::string& bytes) {
  return [bytes](const std::string& tag) {
    return "* 1 FETCH (UID 5 BODY[] {" + std::to_string(bytes.size()) + "}\r\n" + bytes + ")\r\n" +
           tag + " OK done\r\n";
  };
}

// Scans INBOX and opens its one message.
std::string read_inbox_message(ImapSource& source) {
  const auto folders = source.folders();
  testing::CollectingSink sink;
  source.scan(folders.at(0), sink);
  REQUIRE(sink.messages.size() == 1);
  return testing::read_body(*source.open(folders.at(0), sink.messages[0]), 4096);
}

}  // namespace

TEST_CASE("imap source (scripted): Gmail's virtual folders are left out unless asked for") {
  Script script{{"LIST", [](const std::string& tag) { return kGmailList + tag + " OK done\r\n"; }}};
  auto server = scripted(script);
  auto source = connect(server);
  const auto folders = source->folders();
  CHECK(names(folders) ==
        std::vector<std::string>{"INBOX", "Work/2024", "[Gmail]/Sent Mail", "Überweisungen"});
  const auto sent = std::find_if(folders.begin(), folders.end(),
                                 [](const auto& f) { return f.role == core::Role::Sent; });
  REQUIRE(sent != folders.end());
  CHECK(sent->locator == "[Gmail]/Sent Mail");
  const auto notes = source->report_notes();
  CHECK(notes.size() == 3);
  CHECK(std::any_of(notes.begin(), notes.end(), [](const std::string& n) {
    return n.find("[Gmail]/All Mail left out") != std::string::npos &&
           n.find("--include-virtual-folders") != std::string::npos;
  }));

  auto with_virtual = connect(scripted(script), true);
  CHECK(with_virtual->folders().size() == 7);
  CHECK(with_virtual->report_notes().empty());
}

TEST_CASE("imap source (scripted): the message scanned is the message read, flags and keywords") {
  Script script{{"LIST", [](const std::string& tag) { return kGmailList + tag + " OK done\r\n"; }},
                {"EXAMINE", examine},
                {"UID FETCH 1:*", index_of(kMessage.size())},
                {"UID FETCH 5 ", body_of(kMessage)}};
  auto server = scripted(script);
  auto source = connect(server);
  const auto folders = source->folders();
  testing::CollectingSink sink;
  source->scan(folders.at(0), sink);
  REQUIRE(sink.messages.size() == 1);
  const auto& m = sink.messages[0];
  CHECK(m.key.value == "<one@example.com>");
  CHECK(m.from == "Ann");
  CHECK(m.subject == "hello");
  CHECK(m.flags.to_imap() == "\\Seen Work");
  CHECK(m.internal_date.utc == 1551693600);
  CHECK(testing::read_body(*source->open(folders.at(0), m), 7) == kMessage);
  // Read-only all the way: EXAMINE and BODY.PEEK[], never SELECT or BODY[].
  for (const auto& c : server->commands) {
    CHECK(c.find(" SELECT ") == std::string::npos);
    CHECK(c.find("BODY[]") == std::string::npos);
  }
}

TEST_CASE("imap source (scripted): a body of another size than announced is not handed out") {
  Script script{{"LIST", [](const std::string& tag) { return kGmailList + tag + " OK done\r\n"; }},
                {"EXAMINE", examine},
                {"UID FETCH 1:*", index_of(kMessage.size() + 10)},
                {"UID FETCH 5 ", body_of(kMessage)}};
  auto source = connect(scripted(script));
  try {
    read_inbox_message(*source);
    FAIL("a short body was handed out");
  } catch (const core::SourceError& e) {
    CHECK(e.scope() == core::ErrorScope::Message);
    CHECK(std::string(e.what()).find("RFC822.SIZE announced") != std::string::npos);
  }
}

TEST_CASE("imap source (scripted): a message expunged since the scan is that message's error") {
  Script script{{"LIST", [](const std::string& tag) { return kGmailList + tag + " OK done\r\n"; }},
                {"EXAMINE", examine},
                {"UID FETCH 1:*", index_of(kMessage.size())},
                {"UID FETCH 5 ", [](const std::string& tag) { return tag + " OK done\r\n"; }}};
  auto source = connect(scripted(script));
  try {
    read_inbox_message(*source);
    FAIL("a missing message was handed out");
  } catch (const core::SourceError& e) {
    CHECK(e.scope() == core::ErrorScope::Message);
    CHECK(std::string(e.what()).find("no longer on the server") != std::string::npos);
  }
}

TEST_CASE("imap source (scripted): a body too big to buffer arrives whole, in pieces") {
  std::string big = kMessage;
  while (big.size() < (3u << 20)) big += std::string(998, 'x') + "\r\n";
  Script script{{"LIST", [](const std::string& tag) { return kGmailList + tag + " OK done\r\n"; }},
                {"EXAMINE", examine},
                {"UID FETCH 1:*", index_of(big.size())},
                {"UID FETCH 5 ", body_of(big)}};
  auto server = scripted(script);
  server->read_piece = 64 * 1024;
  auto source = connect(server);
  CHECK(read_inbox_message(*source) == big);
}

TEST_CASE(
    "imap source (scripted): a batch is one UID FETCH, each body goes to its own message as soon "
    "as it arrives, in whatever order the server answers, and one missing fails alone") {
  // Three messages, UIDs 5 to 7; the server answers 7 (big, in pieces), then
  // 5, and has no 6 any more.
  auto message = [](int n) {
    std::string m = "Message-ID: <m" + std::to_string(n) + "@example.com>\r\n\r\nbody " +
                    std::to_string(n) + "\r\n";
    if (n == 7)
      while (m.size() < (2u << 20)) m += std::string(998, 'y') + "\r\n";
    return m;
  };
  auto index = [&](const std::string& tag) {
    std::string out;
    for (int n = 5; n <= 7; ++n) {
      const std::string m = message(n);
      const std::string header = m.substr(0, m.find("\r\n\r\n") + 4);
      out += "* " + std::to_string(n - 4) + " FETCH (UID " + std::to_string(n) +
             " FLAGS () RFC822.SIZE " + std::to_string(m.size()) +
             " INTERNALDATE \"04-Mar-2019 10:00:00 +0000\" BODY[HEADER.FIELDS (X)] {" +
             std::to_string(header.size()) + "}\r\n" + header + ")\r\n";
    }
    return out + tag + " OK done\r\n";
  };
  auto bodies = [&](const std::string& tag) {
    std::string out;
    for (int n : {7, 5})
      out += "* " + std::to_string(n - 4) + " FETCH (UID " + std::to_string(n) + " BODY[] {" +
             std::to_string(message(n).size()) + "}\r\n" + message(n) + ")\r\n";
    return out + tag + " OK done\r\n";
  };
  Script script{{"LIST", [](const std::string& tag) { return kGmailList + tag + " OK done\r\n"; }},
                {"EXAMINE",
                 [](const std::string& tag) {
                   return "* 3 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n* OK [UIDNEXT 8] ok\r\n" + tag +
                          " OK [READ-ONLY] done\r\n";
                 }},
                {"UID FETCH 1:*", index},
                {"UID FETCH 5:7 ", bodies}};
  auto server = scripted(script);
  server->read_piece = 64 * 1024;
  auto source = connect(server);
  const auto folders = source->folders();
  testing::CollectingSink sink;
  source->scan(folders.at(0), sink);
  REQUIRE(sink.messages.size() == 3);
  REQUIRE(source->opens_in_batches());
  // Handed out as each arrives: 7 first, then 5; 6 last, as missing.
  std::vector<source::Source::Opened> opened(3);
  std::vector<std::size_t> order;
  source->open_batch(folders.at(0), {&sink.messages[0], &sink.messages[1], &sink.messages[2]},
                     [&](std::size_t k, source::Source::Opened o) {
                       order.push_back(k);
                       opened[k] = std::move(o);
                     });
  CHECK(order == std::vector<std::size_t>{2, 0, 1});
  REQUIRE(opened[0].reader);
  CHECK(testing::read_body(*opened[0].reader, 4096) == message(5));
  CHECK(!opened[1].reader);
  REQUIRE(opened[1].error);
  CHECK_THROWS_WITH_AS(std::rethrow_exception(opened[1].error),
                       doctest::Contains("no longer on the server"), core::SourceError);
  REQUIRE(opened[2].reader);
  CHECK(testing::read_body(*opened[2].reader, 4096) == message(7));
  const auto body_fetches =
      std::count_if(server->commands.begin(), server->commands.end(), [](const std::string& c) {
        return c.find("UID FETCH 5:7 (UID BODY.PEEK[])") != std::string::npos;
      });
  CHECK(body_fetches == 1);
}

TEST_CASE("imap source (scripted): a folder deleted since the listing is that folder's error") {
  Script script{{"LIST", [](const std::string& tag) { return kGmailList + tag + " OK done\r\n"; }},
                {"EXAMINE", [](const std::string& tag) {
                   return tag + " NO [NONEXISTENT] Mailbox doesn't exist: Work/2024\r\n";
                 }}};
  auto source = connect(scripted(script));
  const auto folders = source->folders();
  testing::CollectingSink sink;
  try {
    source->scan(folders.at(1), sink);
    FAIL("a folder that is gone was scanned");
  } catch (const core::SourceError& e) {
    CHECK(e.scope() == core::ErrorScope::Folder);
    CHECK(std::string(e.what()).find("Work/2024") != std::string::npos);
  }
}
