#include <doctest/doctest.h>

#include <string>

#include "mailferry/mime/header_fields.hpp"

using mailferry::mime::find_header_field;
using mailferry::mime::looks_like_header_field;
using mailferry::mime::scan_header_fields;

TEST_CASE("mime header scan: the key fields, unfolded and trimmed") {
  const std::string block =
      "Return-Path: <a@example.com>\n"
      "Message-ID:   <abc@example.com>  \n"
      "Date: Fri, 9 Jun 2006\n"
      "  00:44:16 -0700\n"
      "From: A U Thor\n"
      "\t<a.u.thor@example.com>\n"
      "To: b@example.com\n"
      "Cc: c@example.com\n"
      "Subject: a long\n"
      " subject line\n"
      "\n"
      "Subject: this is the body, not a header\n";
  auto f = scan_header_fields(block);
  CHECK(f.message_id == "<abc@example.com>");
  CHECK(f.date == "Fri, 9 Jun 2006  00:44:16 -0700");  // the blank of the fold stays
  CHECK(f.from == "A U Thor\t<a.u.thor@example.com>");
  CHECK(f.to == "b@example.com");
  CHECK(f.cc == "c@example.com");
  CHECK(f.subject == "a long subject line");
  CHECK_FALSE(f.has_disposition_notification_to);
}

TEST_CASE("mime header scan: LF and CRLF blocks give the same values") {
  const std::string lf = "Subject: one\n two\nFrom: x@y\n\nbody\n";
  const std::string crlf = "Subject: one\r\n two\r\nFrom: x@y\r\n\r\nbody\r\n";
  auto a = scan_header_fields(lf);
  auto b = scan_header_fields(crlf);
  CHECK(a.subject == "one two");
  CHECK(b.subject == a.subject);
  CHECK(b.from == a.from);
}

TEST_CASE("mime header scan: the first occurrence wins, names are case-insensitive") {
  auto f = scan_header_fields(
      "subject: first\nSUBJECT: second\nMessage-Id: <1@x>\nMESSAGE-ID: <2@x>\n"
      "Subject : obsolete spacing\n");
  CHECK(f.subject == "first");
  CHECK(f.message_id == "<1@x>");
  // An empty first field still wins: both sides of the diff must agree on it.
  auto g = scan_header_fields("Cc:\nCc: later@x\n");
  CHECK(g.cc.empty());
}

TEST_CASE("mime header scan: obsolete blank before the colon") {
  auto f = scan_header_fields("Subject : spaced\nFrom\t: tabbed@x\n");
  CHECK(f.subject == "spaced");
  CHECK(f.from == "tabbed@x");
}

TEST_CASE("mime header scan: garbage lines and their continuations are skipped") {
  auto f = scan_header_fields(
      "From someone Mon Jan  1 00:00:00 2001\n"
      ">From quoted\n"
      "this line has no colon\n"
      " and a continuation that must not join anything\n"
      "To: t@x\n"
      "Subject: s\n");
  CHECK(f.to == "t@x");
  CHECK(f.subject == "s");
  CHECK(f.from.empty());
}

TEST_CASE("mime header scan: 8-bit bytes and NUL are kept as they are") {
  std::string block =
      "Subject: Gr\xC3\xBC\xC3\x9F"
      "e \xE9t\xE9\n";
  block += std::string("To: a") + '\0' + "b@x\n";
  auto f = scan_header_fields(block);
  CHECK(f.subject ==
        "Gr\xC3\xBC\xC3\x9F"
        "e \xE9t\xE9");
  CHECK(f.to == std::string("a") + '\0' + "b@x");
}

TEST_CASE("mime header scan: mbox status fields, Received and read receipts") {
  auto f = scan_header_fields(
      "Received: from a by b; Mon, 1 Jan 2001 10:00:00 +0000\n"
      "Received: from c by d;\n"
      "\tTue, 2 Jan 2001 09:00:00 +0100\n"
      "Status: RO\n"
      "X-Status: AF\n"
      "X-Mozilla-Status: 0005\n"
      "X-Gmail-Labels: Inbox,Important\n"
      "Disposition-Notification-To: a@x\n"
      "\n");
  CHECK(f.last_received_date == "Tue, 2 Jan 2001 09:00:00 +0100");
  CHECK(f.status == "RO");
  CHECK(f.x_status == "AF");
  CHECK(f.x_mozilla_status == "0005");
  CHECK(f.x_gmail_labels == "Inbox,Important");
  CHECK(f.has_disposition_notification_to);
  CHECK_FALSE(
      scan_header_fields("Disposition-Notification-To:   \n").has_disposition_notification_to);
}

TEST_CASE("mime header scan: a block without a terminating empty line and an empty block") {
  CHECK(scan_header_fields("Subject: last line without LF").subject == "last line without LF");
  auto f = scan_header_fields("");
  CHECK(f.subject.empty());
  CHECK(f.message_id.empty());
  CHECK(scan_header_fields("\nSubject: after the empty line\n").subject.empty());
}

TEST_CASE("mime find_header_field and looks_like_header_field") {
  const std::string block = "A: 1\nContent-Length: 42 \nContent-Length: 7\n\nContent-Length: 9\n";
  CHECK(find_header_field(block, "content-length") == std::optional<std::string>("42"));
  CHECK_FALSE(find_header_field(block, "Missing").has_value());
  CHECK(looks_like_header_field("Subject: x"));
  CHECK(looks_like_header_field("X-Weird_Name!: x"));
  CHECK(looks_like_header_field("Subject :x"));
  CHECK_FALSE(looks_like_header_field("From me to you: hello"));
  CHECK_FALSE(looks_like_header_field(": no name"));
  CHECK_FALSE(looks_like_header_field(" Subject: continuation"));
  CHECK_FALSE(looks_like_header_field("no colon at all"));
  CHECK_FALSE(looks_like_header_field(std::string(300, 'a') + ": too long a name"));
}
