#include <doctest/doctest.h>

#include <string>

#include "mailferry/imap/command.hpp"
#include "mailferry/imap/data.hpp"
#include "mailferry/imap/mutf7.hpp"
#include "mailferry/imap/parser.hpp"
#include "mailferry/imap/uid_set.hpp"

using namespace mailferry::imap;

namespace {

std::string wire(const Command& c) {
  std::string out;
  for (const auto& p : c.parts()) {
    if (p.kind == Command::Part::Kind::Text)
      out += p.bytes;
    else if (p.kind == Command::Part::Kind::Literal)
      out += "{" + std::to_string(p.size) + "}" + p.bytes;
    else
      out += "{body " + std::to_string(p.size) + "}";
  }
  return out;
}

Response parse_one(std::string_view text) {
  ResponseParser parser;
  REQUIRE(parser.feed(text) == ResponseParser::Result::Response);
  return parser.take_response();
}

}  // namespace

TEST_CASE("imap command: astrings are atoms, quoted strings or literals as needed") {
  CHECK(astring_form("INBOX") == StringForm::Atom);
  CHECK(astring_form("Sent]") == StringForm::Atom);  // ']' is an ASTRING-CHAR
  CHECK(astring_form("") == StringForm::Quoted);
  CHECK(astring_form("Sent Items") == StringForm::Quoted);
  CHECK(astring_form("a*b") == StringForm::Quoted);
  CHECK(astring_form("50%") == StringForm::Quoted);
  CHECK(astring_form("say \"hi\"") == StringForm::Quoted);
  CHECK(astring_form("back\\slash") == StringForm::Quoted);
  CHECK(astring_form("(x)") == StringForm::Quoted);
  CHECK(astring_form("{5}") == StringForm::Quoted);
  CHECK(astring_form("nil") == StringForm::Quoted);
  CHECK(astring_form("two\r\nlines") == StringForm::Literal);
  CHECK(astring_form("caf\xc3\xa9") == StringForm::Literal);  // 8-bit never goes quoted
  CHECK(astring_form(std::string(2000, 'a') + " ") == StringForm::Literal);
  CHECK(quote("say \"hi\" \\o/") == "\"say \\\"hi\\\" \\\\o/\"");
}

TEST_CASE("imap command: building APPEND, LIST and mailbox names") {
  Command append("APPEND");
  append.mailbox("Entw\xc3\xbcrfe")
      .raw("(\\Seen $Forwarded)")
      .string("02-Feb-2019 11:12:13 +0100")
      .body(1234, nullptr);
  CHECK(wire(append) ==
        "APPEND Entw&APw-rfe (\\Seen $Forwarded) \"02-Feb-2019 11:12:13 +0100\" {body 1234}");
  CHECK(append.summary() ==
        "APPEND Entw&APw-rfe (\\Seen $Forwarded) \"02-Feb-2019 11:12:13 +0100\" {1234}");
  CHECK(append.has_literals());

  Command select("SELECT");
  select.mailbox("inbox");
  CHECK(wire(select) == "SELECT INBOX");
  CHECK_FALSE(select.has_literals());

  Command create("CREATE");
  create.mailbox("Tom & Jerry/Sent Items");
  CHECK(wire(create) == "CREATE \"Tom &- Jerry/Sent Items\"");

  Command odd("CREATE");
  odd.astring("line\nbreak");
  CHECK(wire(odd) == "CREATE {10}line\nbreak");

  Command bad("CREATE");
  CHECK_THROWS_AS(bad.mailbox("Entw\xc3"), Mutf7Error);
}

TEST_CASE("imap uid sets: compact ranges, sorted and de-duplicated") {
  CHECK(compact_uid_set({}) == "");
  CHECK(compact_uid_set({7}) == "7");
  CHECK(compact_uid_set({1, 2, 3, 4, 5, 7}) == "1:5,7");
  CHECK(compact_uid_set({9, 3, 1, 2, 2, 10, 0}) == "1:3,9:10");
  CHECK(compact_uid_set({4294967295u, 4294967294u}) == "4294967294:4294967295");
  auto pieces = split_uid_set({1, 3, 5, 7, 9, 11, 12, 13}, 6);
  REQUIRE(pieces.size() == 3);
  CHECK(pieces[0] == "1,3,5");
  CHECK(pieces[1] == "7,9");
  CHECK(pieces[2] == "11:13");
  for (const auto& p : split_uid_set({100000, 100002, 100004}, 3)) CHECK(p.size() == 6);
}

TEST_CASE("imap data: FETCH items") {
  Response r = parse_one(
      "* 12 FETCH (UID 345 RFC822.SIZE 2040 FLAGS (\\Seen $MDNSent) "
      "INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" "
      "BODY[HEADER.FIELDS (MESSAGE-ID DATE)] {21}\r\nMessage-ID: <a@b>\r\n\r\n)\r\n");
  auto f = parse_fetch(r);
  REQUIRE(f);
  CHECK(f->sequence == 12);
  CHECK(f->uid == 345u);
  CHECK(f->rfc822_size == 2040u);
  REQUIRE(f->flags);
  CHECK(*f->flags == std::vector<std::string>{"\\Seen", "$MDNSent"});
  CHECK(f->internal_date == "17-Jul-1996 02:44:25 -0700");
  CHECK(f->header == "Message-ID: <a@b>\r\n\r\n");

  auto flags_only = parse_fetch(parse_one("* 3 FETCH (FLAGS (\\Deleted))\r\n"));
  REQUIRE(flags_only);
  CHECK(!flags_only->uid);
  CHECK(!flags_only->header);

  auto nil_header = parse_fetch(parse_one("* 4 FETCH (UID 9 BODY[HEADER.FIELDS (DATE)] NIL)\r\n"));
  REQUIRE(nil_header);
  CHECK(nil_header->header == "");

  CHECK(!parse_fetch(parse_one("* 3 FETCH (UID x)\r\n")));
  CHECK(!parse_fetch(parse_one("* 3 EXPUNGE\r\n")));
}

TEST_CASE("imap data: LIST and STATUS") {
  auto l = parse_list(parse_one("* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent &- Co\"\r\n"));
  REQUIRE(l);
  CHECK(l->delimiter == '/');
  CHECK(l->name == "Sent &- Co");
  CHECK(l->has_attribute("\\sent"));
  CHECK(!l->has_attribute("\\Noselect"));

  auto flat = parse_list(parse_one("* LIST (\\Noselect) NIL \"\"\r\n"));
  REQUIRE(flat);
  CHECK(flat->delimiter == '\0');
  CHECK(flat->has_attribute("\\NOSELECT"));

  CHECK(!parse_list(parse_one("* LIST (\\X) \"//\" a\r\n")));

  auto s = parse_status(
      parse_one("* STATUS \"Sent Items\" (MESSAGES 231 UIDNEXT 44292 UIDVALIDITY 1)\r\n"));
  REQUIRE(s);
  CHECK(s->mailbox == "Sent Items");
  CHECK(s->items.at("MESSAGES") == 231);
  CHECK(s->items.at("UIDNEXT") == 44292);
  CHECK(s->items.at("UIDVALIDITY") == 1);
}
