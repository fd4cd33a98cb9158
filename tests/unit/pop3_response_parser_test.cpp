// The POP3 response parser: status lines, response codes, and dot-unstuffing
// as a stream that may be cut at any byte.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "mailferry/pop3/response_parser.hpp"

using namespace mailferry::pop3;

namespace {

struct Parsed {
  Status status;
  std::string body;
  std::size_t consumed = 0;
  bool complete = false;
};

// Feeds `wire` in the given chunk sizes (cycled) and collects the result.
Parsed parse_in_chunks(std::string_view wire, bool multiline, std::vector<std::size_t> chunks) {
  ResponseParser parser;
  parser.start(multiline);
  Parsed out;
  std::size_t pos = 0, k = 0;
  while (pos < wire.size() && !parser.complete()) {
    std::size_t n = std::min(chunks[k++ % chunks.size()], wire.size() - pos);
    std::size_t used =
        parser.feed(wire.substr(pos, n), [&](std::string_view b) { out.body.append(b); });
    pos += used;
    if (used < n) break;  // the response ended inside this chunk
  }
  out.complete = parser.complete();
  out.consumed = pos;
  if (out.complete) out.status = parser.status();
  return out;
}

Parsed parse_whole(std::string_view wire, bool multiline) {
  return parse_in_chunks(wire, multiline, {wire.size() + 1});
}

// Byte-stuffs a CRLF message and terminates it, as a POP3 server sends RETR.
std::string stuff(std::string_view message) {
  std::string out;
  bool line_start = true;
  for (char c : message) {
    if (line_start && c == '.') out += '.';
    out += c;
    line_start = c == '\n';
  }
  if (!message.empty() && !line_start) out += "\r\n";
  return out + ".\r\n";
}

}  // namespace

TEST_CASE("pop3 status: +OK and -ERR with and without text") {
  auto ok = parse_status_line("+OK 2 messages (320 octets)");
  CHECK(ok.ok);
  CHECK(ok.code.empty());
  CHECK(ok.text == "2 messages (320 octets)");
  CHECK(parse_status_line("+OK").ok);
  auto err = parse_status_line("-ERR no such message");
  CHECK_FALSE(err.ok);
  CHECK(err.text == "no such message");
  CHECK(parse_status_line("-ERR").text.empty());
}

TEST_CASE("pop3 status: response codes of RFC 2449 and RFC 3206") {
  auto in_use = parse_status_line("-ERR [IN-USE] Mailbox is locked by another POP3 session");
  CHECK(in_use.code == "IN-USE");
  CHECK(in_use.code_kind() == ResponseCode::InUse);
  CHECK(in_use.text == "Mailbox is locked by another POP3 session");
  CHECK(in_use.describe() == "-ERR [IN-USE] Mailbox is locked by another POP3 session");
  CHECK(parse_status_line("-ERR [LOGIN-DELAY] wait 15 minutes").code_kind() ==
        ResponseCode::LoginDelay);
  CHECK(parse_status_line("-ERR [SYS/TEMP] try later").code_kind() == ResponseCode::SysTemp);
  CHECK(parse_status_line("-ERR [SYS/TEMP/DISK] full").code_kind() == ResponseCode::SysTemp);
  CHECK(parse_status_line("-ERR [SYS/PERM] broken").code_kind() == ResponseCode::SysPerm);
  CHECK(parse_status_line("-ERR [AUTH] bad password").code_kind() == ResponseCode::Auth);
  CHECK(parse_status_line("-ERR [X-VENDOR] odd").code_kind() == ResponseCode::Other);
  CHECK(parse_status_line("-ERR [in-use] lower case").code_kind() == ResponseCode::InUse);
  // A bracket that never closes is text, not a code.
  auto open = parse_status_line("-ERR [oops");
  CHECK(open.code.empty());
  CHECK(open.text == "[oops");
}

TEST_CASE("pop3 status: anything else is a protocol error") {
  CHECK_THROWS_AS(parse_status_line("* OK IMAP4rev1"), ProtocolError);
  CHECK_THROWS_AS(parse_status_line("+OKAY"), ProtocolError);
  CHECK_THROWS_AS(parse_status_line(""), ProtocolError);
  ResponseParser parser;
  parser.start(false);
  std::string endless(ResponseParser::kMaxStatusLine + 10, 'x');
  endless.insert(0, "+OK ");
  CHECK_THROWS_AS(parser.feed(endless, {}), ProtocolError);
}

TEST_CASE("pop3 parser: single-line answer stops at its CRLF") {
  std::string wire = "+OK message 1 deleted\r\n-ERR next\r\n";
  auto r = parse_whole(wire, false);
  CHECK(r.complete);
  CHECK(r.status.ok);
  CHECK(r.consumed == std::string("+OK message 1 deleted\r\n").size());
  CHECK(r.body.empty());
}

TEST_CASE("pop3 parser: -ERR to a multi-line command has no body") {
  auto r = parse_whole("-ERR [SYS/TEMP] busy\r\n+OK next\r\n", true);
  CHECK(r.complete);
  CHECK_FALSE(r.status.ok);
  CHECK(r.status.code == "SYS/TEMP");
  CHECK(r.consumed == 22);
  CHECK(r.body.empty());
}

TEST_CASE("pop3 parser: multi-line body is unstuffed") {
  std::string wire =
      "+OK 120 octets\r\n"
      "Subject: dots\r\n"
      "\r\n"
      "..leading dot\r\n"
      "...two dots\r\n"
      ".x single dot removed too\r\n"
      "..\r\n"
      "a . in the middle.\r\n"
      ".\r\n"
      "+OK next";
  auto r = parse_whole(wire, true);
  REQUIRE(r.complete);
  CHECK(r.status.ok);
  CHECK(r.body ==
        "Subject: dots\r\n"
        "\r\n"
        ".leading dot\r\n"
        "..two dots\r\n"
        "x single dot removed too\r\n"
        ".\r\n"
        "a . in the middle.\r\n");
  CHECK(wire.substr(r.consumed) == "+OK next");
}

TEST_CASE("pop3 parser: empty body and a body of empty lines") {
  CHECK(parse_whole("+OK\r\n.\r\n", true).body.empty());
  CHECK(parse_whole("+OK\r\n\r\n\r\n.\r\n", true).body == "\r\n\r\n");
}

TEST_CASE("pop3 parser: bare LF becomes CRLF, a bare CR is kept") {
  auto r = parse_whole("+OK\nline one\nline\rtwo\n..dot\n.\n", true);
  REQUIRE(r.complete);
  CHECK(r.body == "line one\r\nline\rtwo\r\n.dot\r\n");
  // ".\r" followed by more than LF is a stuffed line with a bare CR.
  CHECK(parse_whole("+OK\r\n.\rx\r\n.\r\n", true).body == "\rx\r\n");
}

TEST_CASE("pop3 parser: the terminator can be split at every byte") {
  std::string wire = "+OK\r\nbody\r\n.\r\n";
  for (std::size_t cut = 1; cut < wire.size(); ++cut) {
    CAPTURE(cut);
    ResponseParser parser;
    parser.start(true);
    std::string body;
    auto sink = [&](std::string_view b) { body.append(b); };
    CHECK(parser.feed(std::string_view(wire).substr(0, cut), sink) == cut);
    CHECK_FALSE(parser.complete());
    CHECK(parser.feed(std::string_view(wire).substr(cut), sink) == wire.size() - cut);
    CHECK(parser.complete());
    CHECK(body == "body\r\n");
  }
}

TEST_CASE("pop3 parser: byte-by-byte feeding gives the same result as one read") {
  std::string wire =
      "+OK [X] message follows\r\n"
      "From: a@example.org\r\n"
      "\r\n"
      "..\r\n"
      ".\r\r\n"
      "...\r\n"
      "end\r\n"
      ".\r\n";
  auto whole = parse_whole(wire, true);
  auto bytes = parse_in_chunks(wire, true, {1});
  REQUIRE(whole.complete);
  REQUIRE(bytes.complete);
  CHECK(bytes.body == whole.body);
  CHECK(bytes.consumed == wire.size());
  CHECK(bytes.status.code == "X");
  CHECK(whole.body == "From: a@example.org\r\n\r\n.\r\n\r\r\n..\r\nend\r\n");
}

TEST_CASE("pop3 parser: pipelined answers in one buffer are parsed one after another") {
  std::string wire =
      "+OK\r\nSubject: one\r\n\r\n.\r\n"
      "-ERR [SYS/PERM] no such message\r\n"
      "+OK\r\nSubject: three\r\n\r\n.\r\n";
  std::vector<std::string> bodies;
  std::vector<bool> oks;
  ResponseParser parser;
  std::string_view rest(wire);
  for (int i = 0; i < 3; ++i) {
    parser.start(true);
    std::string body;
    // Cut into odd pieces so answers and chunks never line up.
    while (!parser.complete()) {
      auto piece = rest.substr(0, 5);
      rest.remove_prefix(parser.feed(piece, [&](std::string_view b) { body.append(b); }));
    }
    bodies.push_back(body);
    oks.push_back(parser.status().ok);
  }
  CHECK(rest.empty());
  CHECK(bodies == std::vector<std::string>{"Subject: one\r\n\r\n", "", "Subject: three\r\n\r\n"});
  CHECK(oks == std::vector<bool>{true, false, true});
}

TEST_CASE("pop3 parser: random messages survive stuffing and random cuts") {
  std::mt19937 rng(20240611);
  const std::string alphabet = "a.\r ";
  for (int round = 0; round < 300; ++round) {
    // Random CRLF lines, many of them starting with dots.
    std::string message;
    int lines = static_cast<int>(rng() % 12);
    for (int l = 0; l < lines; ++l) {
      int len = static_cast<int>(rng() % 6);
      for (int i = 0; i < len; ++i) {
        message += alphabet[rng() % alphabet.size()];  // dots and bare CRs anywhere
      }
      message += "\r\n";
    }
    std::string wire = "+OK\r\n" + stuff(message) + "+OK trailing";
    std::vector<std::size_t> cuts;
    for (int i = 0; i < 5; ++i) cuts.push_back(1 + rng() % 7);
    auto r = parse_in_chunks(wire, true, cuts);
    CAPTURE(message);
    REQUIRE(r.complete);
    CHECK(r.body == message);
    CHECK(std::string_view(wire).substr(r.consumed) == "+OK trailing");
  }
}

TEST_CASE("pop3 parser: counts body bytes and can be reused") {
  ResponseParser parser;
  parser.start(true);
  parser.feed("+OK\r\nabc\r\n.\r\n", {});
  CHECK(parser.body_bytes() == 5);
  parser.start(false);
  CHECK_FALSE(parser.complete());
  CHECK(parser.feed("+OK\r\n", {}) == 5);
  CHECK(parser.complete());
  CHECK(parser.body_bytes() == 0);
}
