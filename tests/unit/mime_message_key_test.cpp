#include <doctest/doctest.h>

#include <string>

#include "mailferry/mime/header_fields.hpp"
#include "mailferry/mime/message_key.hpp"

using mailferry::mime::key_header_names;
using mailferry::mime::message_key;
using mailferry::mime::normalize_message_id;
using mailferry::mime::scan_header_fields;

TEST_CASE("mime message key: Message-ID forms") {
  CHECK(normalize_message_id("<a@b>") == "<a@b>");
  CHECK(normalize_message_id(" <a@B.COM> (comment)") == "<a@b.com>");
  CHECK(normalize_message_id("(before) <Local.Part@Example.ORG>") == "<Local.Part@example.org>");
  CHECK(normalize_message_id("a@b") == "<a@b>");  // missing brackets
  CHECK(normalize_message_id("  Local@Host.Example  ") == "<Local@host.example>");
  CHECK(normalize_message_id("<a@b") == "<a@b>");                        // unclosed
  CHECK(normalize_message_id("<a@b\r\n .example>") == "<a@b.example>");  // folded inside
  CHECK(normalize_message_id("<a@b> <c@d>") == "<a@b>");                 // first one counts
  CHECK(normalize_message_id("<<a@b>>") == "<a@b>");
  CHECK(normalize_message_id("<12345.JavaMail>") == "<12345.JavaMail>");  // no '@': still an id
  CHECK(normalize_message_id("").empty());
  CHECK(normalize_message_id("   ").empty());
  CHECK(normalize_message_id("<>").empty());
  CHECK(normalize_message_id("(only a comment)").empty());
  CHECK(normalize_message_id("garbage without at sign").empty());
  CHECK(normalize_message_id("@").empty());
  CHECK(normalize_message_id("<caf\xC3\xA9@EXAMPLE.com>") == "<caf\xC3\xA9@example.com>");
}

TEST_CASE("mime message key: a Message-ID is the key whatever else the header says") {
  auto a = scan_header_fields("Message-ID: <X@Example.COM>\nSubject: one\n");
  auto b = scan_header_fields("Subject: two\nMessage-Id:\n <X@example.com>\n");
  CHECK(message_key(a, 100).value == "<X@example.com>");
  CHECK(message_key(a, 100) == message_key(b, 999));
  CHECK_FALSE(message_key(a, 100).is_fingerprint());
}

TEST_CASE("mime message key: the fingerprint is the same from the file and from the server") {
  // As the mbox reader sees it: LF line ends, folded, with other fields around.
  const std::string from_file =
      "Return-Path: <x@y>\n"
      "Date: Fri, 9 Jun 2006\n"
      "    00:44:16 -0700\n"
      "From: A U Thor\n"
      " <a@example.com>\n"
      "To: b@example.com\n"
      "Subject: [PATCH]  a   commit\n"
      "X-Status: A\n"
      "\n"
      "body\n";
  // As IMAP BODY[HEADER.FIELDS (key_header_names())] returns it: CRLF, only
  // the asked fields, in stored order, refolded by another tool.
  const std::string from_server =
      "Date: Fri, 9 Jun 2006 00:44:16 -0700\r\n"
      "From: A U Thor <a@example.com>\r\n"
      "To: b@example.com\r\n"
      "Subject: [PATCH] a\r\n"
      "\tcommit\r\n"
      "X-Status: A\r\n"
      "\r\n";
  auto k1 = message_key(scan_header_fields(from_file), 1234);
  auto k2 = message_key(scan_header_fields(from_server), 1234);
  CHECK(k1.is_fingerprint());
  CHECK(k1.value.size() == 3 + 32);
  CHECK(k1 == k2);
}

TEST_CASE("mime message key: fingerprints differ when any fingerprinted value differs") {
  const std::string base = "Date: d\nFrom: f\nTo: t\nCc: c\nSubject: s\n";
  const auto k = message_key(scan_header_fields(base), 10);
  CHECK(k != message_key(scan_header_fields(base), 11));
  CHECK(k != message_key(scan_header_fields("Date: D\nFrom: f\nTo: t\nCc: c\nSubject: s\n"), 10));
  CHECK(k != message_key(scan_header_fields("Date: d\nFrom: F\nTo: t\nCc: c\nSubject: s\n"), 10));
  CHECK(k != message_key(scan_header_fields("Date: d\nFrom: f\nTo: T\nCc: c\nSubject: s\n"), 10));
  CHECK(k != message_key(scan_header_fields("Date: d\nFrom: f\nTo: t\nCc: C\nSubject: s\n"), 10));
  CHECK(k != message_key(scan_header_fields("Date: d\nFrom: f\nTo: t\nCc: c\nSubject: S\n"), 10));
  // Values cannot slide from one field into the next.
  CHECK(message_key(scan_header_fields("To: ab\nCc: \n"), 1) !=
        message_key(scan_header_fields("To: a\nCc: b\n"), 1));
  // Two messages with no header fields at all still differ by size.
  CHECK(message_key(scan_header_fields(""), 1) != message_key(scan_header_fields(""), 2));
}

TEST_CASE(
    "mime message key: a copy with a store's bookkeeping fields has the key of the copy "
    "without them") {
  const std::string sent =
      "Date: Mon, 4 Mar 2019 10:00:00 +0000\r\nFrom: a@example.com\r\nSubject: s\r\n";
  const std::string body = "\r\nbody\r\n";
  const std::string bare = sent + body;
  // As an older version uploaded it from an mbox file; a folded field counts whole.
  const std::string kept = sent +
                           "Status: RO\r\nX-Mozilla-Status: 0001\r\nX-Mozilla-Keys: a\r\n"
                           "  b\r\nContent-Length: 6\r\nX-UID: 7\r\n" +
                           body;
  const auto bare_key = message_key(scan_header_fields(bare), bare.size());
  CHECK(bare_key.is_fingerprint());
  CHECK(message_key(scan_header_fields(kept), kept.size()) == bare_key);
  // LF line ends in the block count as CRLF, as the size they are taken from does.
  std::string kept_lf = kept;
  for (std::size_t at; (at = kept_lf.find("\r\n")) != std::string::npos;) kept_lf.erase(at, 1);
  CHECK(message_key(scan_header_fields(kept_lf), kept.size()) == bare_key);
  // Other fields still count: a longer body is another message.
  CHECK(message_key(scan_header_fields(kept), kept.size() + 1) != bare_key);
  CHECK(scan_header_fields(bare).bookkeeping_bytes == 0);
}

TEST_CASE("mime message key: an unusable Message-ID falls back to the fingerprint") {
  auto f = scan_header_fields("Message-ID: <>\nSubject: s\n");
  CHECK(message_key(f, 5).is_fingerprint());
  auto g = scan_header_fields("Message-ID: (nothing)\nSubject: s\n");
  CHECK(message_key(g, 5) == message_key(f, 5));
}

TEST_CASE("mime message key: the fields the target must fetch") {
  CHECK(key_header_names() ==
        "Message-ID Date From To Cc Subject Status X-Status X-Keywords X-UID X-IMAP X-IMAPbase "
        "Content-Length X-Mozilla-Status X-Mozilla-Status2 X-Mozilla-Keys");
}
