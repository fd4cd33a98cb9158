#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "mailferry/imap/parser.hpp"

using namespace mailferry::imap;

namespace {

// Everything the parser produced for an input: responses, and for each
// streamed literal the concatenation of its chunks.
struct Outcome {
  std::vector<Response> responses;
  std::vector<std::string> streamed;
  ResponseParser::ParseError error = ResponseParser::ParseError::None;
  std::string error_message;
  bool operator==(const Outcome&) const = default;
};

Outcome run(std::string_view input, std::size_t piece, ResponseParser::Limits limits = {}) {
  ResponseParser parser(limits);
  Outcome out;
  bool in_literal = false;
  while (!input.empty()) {
    std::string_view part = input.substr(0, piece);
    input.remove_prefix(part.size());
    for (;;) {
      auto r = parser.feed(part);
      if (r == ResponseParser::Result::NeedMore) break;
      if (r == ResponseParser::Result::Error) {
        out.error = parser.error();
        out.error_message = parser.error_message();
        return out;
      }
      if (r == ResponseParser::Result::LiteralChunk) {
        if (!in_literal || parser.literal_offset() == 0) out.streamed.emplace_back();
        in_literal = true;
        out.streamed.back() += parser.literal_chunk();
        continue;
      }
      in_literal = false;
      out.responses.push_back(parser.take_response());
    }
  }
  return out;
}

// Parses whole, in 7-byte pieces and one byte at a time; all must agree.
Outcome parse(std::string_view input, ResponseParser::Limits limits = {}) {
  Outcome whole = run(input, input.size() + 1, limits);
  Outcome sevens = run(input, 7, limits);
  Outcome bytes = run(input, 1, limits);
  CHECK(sevens == whole);
  CHECK(bytes == whole);
  return whole;
}

Response one(std::string_view input) {
  Outcome o = parse(input);
  REQUIRE(o.error == ResponseParser::ParseError::None);
  REQUIRE(o.responses.size() == 1);
  return o.responses.front();
}

}  // namespace

TEST_CASE("imap parser: tagged OK with APPENDUID") {
  Response r = one("A12 OK [APPENDUID 1795322428 42] Append completed.\r\n");
  CHECK(r.kind == Response::Kind::Tagged);
  CHECK(r.tag == "A12");
  CHECK(r.status == Status::Ok);
  REQUIRE(r.code);
  CHECK(r.code->name == "APPENDUID");
  CHECK(r.code->raw == "1795322428 42");
  REQUIRE(r.code->args.size() == 2);
  CHECK(r.code->args[0].number() == 1795322428u);
  CHECK(r.code->args[1].number() == 42u);
  CHECK(r.text == "Append completed.");
}

TEST_CASE("imap parser: tagged NO and BAD with codes, and without") {
  Response no = one("a7 NO [TRYCREATE] Mailbox doesn't exist: Foo\r\n");
  CHECK(no.status == Status::No);
  CHECK(no.has_code("trycreate"));
  CHECK(no.code->args.empty());
  CHECK(no.text == "Mailbox doesn't exist: Foo");

  Response quota = one("a8 NO [OVERQUOTA] Quota exceeded (mailbox for user is full)\r\n");
  CHECK(quota.has_code("OVERQUOTA"));

  Response big = one("a9 NO [TOOBIG] Mail too big\r\n");
  CHECK(big.has_code("TOOBIG"));

  Response bad = one("a10 BAD Error in IMAP command APPEND: Invalid arguments.\r\n");
  CHECK(bad.status == Status::Bad);
  CHECK(!bad.code);
  CHECK(bad.text == "Error in IMAP command APPEND: Invalid arguments.");

  Response bare = one("a11 OK\r\n");  // no text at all: tolerated
  CHECK(bare.status == Status::Ok);
  CHECK(bare.text.empty());
}

TEST_CASE("imap parser: untagged status codes of SELECT") {
  Outcome o = parse(
      "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded)\r\n"
      "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded \\*)] "
      "Flags permitted.\r\n"
      "* 172 EXISTS\r\n"
      "* 0 RECENT\r\n"
      "* OK [UIDVALIDITY 3857529045] UIDs valid\r\n"
      "* OK [UIDNEXT 4392] Predicted next UID\r\n"
      "a2 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).\r\n");
  REQUIRE(o.responses.size() == 7);
  CHECK(o.responses[0].keyword == "FLAGS");
  REQUIRE(o.responses[0].data.size() == 1);
  CHECK(o.responses[0].data[0].items.size() == 6);
  CHECK(o.responses[0].data[0].items[5].is_atom("$forwarded"));

  const auto& perm = o.responses[1];
  CHECK(perm.kind == Response::Kind::Untagged);
  CHECK(perm.status == Status::Ok);
  REQUIRE(perm.has_code("PERMANENTFLAGS"));
  REQUIRE(perm.code->args.size() == 1);
  REQUIRE(perm.code->args[0].is_list());
  CHECK(perm.code->args[0].items.back().is_atom("\\*"));
  CHECK(perm.text == "Flags permitted.");

  CHECK(o.responses[2].number == 172u);
  CHECK(o.responses[2].keyword == "EXISTS");
  CHECK(!o.responses[2].is_status());
  CHECK(o.responses[4].code->args[0].number() == 3857529045u);
  CHECK(o.responses[5].code->name == "UIDNEXT");
  CHECK(o.responses[6].has_code("READ-WRITE"));
}

TEST_CASE("imap parser: CAPABILITY as data and as a response code") {
  Response data =
      one("* CAPABILITY IMAP4rev1 LITERAL+ SASL-IR APPENDLIMIT=35651584 AUTH=PLAIN\r\n");
  CHECK(data.keyword == "CAPABILITY");
  REQUIRE(data.data.size() == 5);
  CHECK(data.data[1].is_atom("LITERAL+"));
  CHECK(data.data[3].text == "APPENDLIMIT=35651584");

  Response code = one("* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] Dovecot ready.\r\n");
  REQUIRE(code.has_code("CAPABILITY"));
  CHECK(code.code->args.size() == 3);
  CHECK(code.text == "Dovecot ready.");
}

TEST_CASE("imap parser: FETCH with a header literal, nested lists and quoted date") {
  std::string header = "Message-ID: <a@b>\r\nSubject: (not a list) \"quoted\" {5}\r\n\r\n";
  std::string input =
      "* 3 FETCH (UID 17 FLAGS (\\Seen $MDNSent) RFC822.SIZE 2048 "
      "INTERNALDATE \" 2-Feb-2019 11:12:13 +0100\" "
      "BODY[HEADER.FIELDS (MESSAGE-ID DATE FROM)] {" +
      std::to_string(header.size()) + "}\r\n" + header + ")\r\n";
  Response r = one(input);
  CHECK(r.number == 3u);
  CHECK(r.keyword == "FETCH");
  REQUIRE(r.data.size() == 1);
  const auto& items = r.data[0].items;
  REQUIRE(items.size() == 10);
  CHECK(items[0].is_atom("UID"));
  CHECK(items[1].number() == 17u);
  CHECK(items[3].is_list());
  CHECK(items[3].items[1].is_atom("$MDNSent"));
  CHECK(items[5].number() == 2048u);
  CHECK(items[7].kind == Value::Kind::String);
  CHECK(items[7].text == " 2-Feb-2019 11:12:13 +0100");
  CHECK(items[8].text == "BODY[HEADER.FIELDS (MESSAGE-ID DATE FROM)]");
  CHECK(items[9].literal);
  CHECK(!items[9].streamed);
  CHECK(items[9].text == header);
}

TEST_CASE("imap parser: literals of size zero, several per response, literal8 and NIL") {
  Response r =
      one("* 1 FETCH (BODY[HEADER] {0}\r\n BODY[TEXT] {3}\r\nabc BINARY[] ~{2}\r\nxy "
          "BODY[1] NIL)\r\n");
  const auto& items = r.data[0].items;
  REQUIRE(items.size() == 8);
  CHECK(items[1].literal);
  CHECK(items[1].text.empty());
  CHECK(items[3].text == "abc");
  CHECK(items[5].text == "xy");
  CHECK(items[7].is_nil());
}

TEST_CASE("imap parser: LIST responses with quoted, literal and modified UTF-7 names") {
  Outcome o = parse(
      "* LIST (\\HasNoChildren) \"/\" INBOX\r\n"
      "* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent Items\"\r\n"
      "* LIST (\\Noselect \\HasChildren) \".\" \"Archiv &- &AMQ-rger\"\r\n"
      "* LIST () NIL \"flat\"\r\n"
      "* LIST (\\HasNoChildren) \"/\" {13}\r\nQuote\"Back\\sl\r\n"
      "* LIST (\\HasNoChildren) \"\\\\\" \"a\\\"b\\\\c\"\r\n");
  REQUIRE(o.responses.size() == 6);
  CHECK(o.responses[0].data[2].is_atom("INBOX"));
  CHECK(o.responses[1].data[0].items[1].is_atom("\\sent"));
  CHECK(o.responses[1].data[2].text == "Sent Items");
  CHECK(o.responses[2].data[0].items[0].is_atom("\\Noselect"));
  CHECK(o.responses[2].data[1].text == ".");
  CHECK(o.responses[2].data[2].text == "Archiv &- &AMQ-rger");
  CHECK(o.responses[3].data[0].items.empty());
  CHECK(o.responses[3].data[1].is_nil());
  CHECK(o.responses[4].data[2].literal);
  CHECK(o.responses[4].data[2].text == "Quote\"Back\\sl");
  CHECK(o.responses[5].data[1].text == "\\");
  CHECK(o.responses[5].data[2].text == "a\"b\\c");
}

TEST_CASE("imap parser: continuation requests") {
  Outcome o = parse("+ Ready for literal data\r\n+\r\n+ \r\n+ dGVzdA==\r\n");
  REQUIRE(o.responses.size() == 4);
  for (const auto& r : o.responses) CHECK(r.kind == Response::Kind::Continuation);
  CHECK(o.responses[0].text == "Ready for literal data");
  CHECK(o.responses[1].text.empty());
  CHECK(o.responses[2].text.empty());
  CHECK(o.responses[3].text == "dGVzdA==");
}

TEST_CASE("imap parser: BYE, PREAUTH, bare LF and unknown codes") {
  Outcome o = parse(
      "* PREAUTH [CAPABILITY IMAP4rev1] ready\n"
      "* OK [X-UNKNOWN some \"odd text] Hi\r\n"
      "* BYE Logging out\r\n");
  REQUIRE(o.responses.size() == 3);
  CHECK(o.responses[0].status == Status::Preauth);
  CHECK(o.responses[1].code->name == "X-UNKNOWN");
  CHECK(o.responses[1].code->raw == "some \"odd text");
  CHECK(o.responses[1].code->args.empty());  // does not tokenise; raw is kept
  CHECK(o.responses[2].status == Status::Bye);
  CHECK(o.responses[2].text == "Logging out");
}

TEST_CASE("imap parser: a big literal is streamed in chunks, not buffered") {
  std::string body(5000, 'x');
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>('a' + i % 26);
  std::string input = "* 9 FETCH (UID 4 BODY[] {5000}\r\n" + body + " FLAGS (\\Seen))\r\n";
  ResponseParser::Limits limits;
  limits.max_buffered_literal = 1024;
  Outcome o = parse(input, limits);
  REQUIRE(o.error == ResponseParser::ParseError::None);
  REQUIRE(o.streamed.size() == 1);
  CHECK(o.streamed[0] == body);
  REQUIRE(o.responses.size() == 1);
  const auto& items = o.responses[0].data[0].items;
  REQUIRE(items.size() == 6);
  CHECK(items[3].streamed);
  CHECK(items[3].literal_size == 5000);
  CHECK(items[3].text.empty());
  CHECK(items[5].items[0].is_atom("\\Seen"));
}

TEST_CASE("imap parser: limits give distinct errors") {
  ResponseParser::Limits limits;
  limits.max_literal = 100;
  Outcome big = parse("* 1 FETCH (BODY[] {101}\r\n", limits);
  CHECK(big.error == ResponseParser::ParseError::LiteralTooBig);
  CHECK(big.error_message.find("101") != std::string::npos);

  limits = {};
  limits.max_line = 64;
  Outcome longline = parse("* SEARCH " + std::string(200, '1') + "\r\n", limits);
  CHECK(longline.error == ResponseParser::ParseError::LineTooLong);

  limits = {};
  limits.max_depth = 3;
  Outcome deep = parse("* X ((((a))))\r\n", limits);
  CHECK(deep.error == ResponseParser::ParseError::TooDeep);
  Outcome fine = parse("* X (((a)))\r\n", limits);
  CHECK(fine.error == ResponseParser::ParseError::None);
}

TEST_CASE("imap parser: garbage is a syntax error, and the parser stays failed") {
  const char* bad[] = {
      "* 1 FETCH (UID 5\r\n",           // unbalanced '('
      "* LIST ()) \"/\" x\r\n",         // unbalanced ')'
      "* LIST () \"/\" \"open\r\n",     // unterminated quoted string
      "a1 FETCH done\r\n",              // tagged but not a status
      "* 1 FETCH (BODY[] {12x}\r\n",    // malformed literal
      "* 1 FETCH (BODY[] {3} x\r\n",    // literal marker not at end of line
      "* 1 FETCH (BODY[HEADER x)\r\n",  // unterminated bracket
      "\r\n",                           // empty line
      "*\r\n",                          // no keyword
      "* 99999999999 EXISTS\r\n",       // number out of range
  };
  for (const char* input : bad) {
    CAPTURE(input);
    Outcome o = parse(input);
    CHECK(o.error != ResponseParser::ParseError::None);
    CHECK(!o.error_message.empty());
  }
  ResponseParser parser;
  std::string_view input = "* LIST ()) x\r\n* OK fine\r\n";
  CHECK(parser.feed(input) == ResponseParser::Result::Error);
  CHECK(parser.feed(input) == ResponseParser::Result::Error);
}

TEST_CASE("imap parser: value lists tokenise on their own") {
  std::vector<Value> values;
  REQUIRE(parse_value_list("(\\Seen \\*) 12 \"a b\" NIL", values));
  REQUIRE(values.size() == 4);
  CHECK(values[0].items.size() == 2);
  CHECK(values[1].number() == 12u);
  CHECK(values[2].text == "a b");
  CHECK(values[3].is_nil());
  CHECK(!parse_value_list("(open", values));
  CHECK(!parse_value_list("{5}", values));
}
