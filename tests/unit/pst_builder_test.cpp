// The MIME builder and the flag/date mapping on messages made here, so every
// branch is reachable without a PST that happens to contain it.
#include <doctest/doctest.h>

#include <string>

#include "mailferry/pst/message_state.hpp"
#include "mailferry/pst/mime_builder.hpp"
#include "pst_test_support.hpp"

using namespace mailferry::pst;
using namespace mailferry::pst_test;
using mailferry::core::Flag;

namespace {

Message sent_message() {
  Message m;
  m.subject = "Grüße – 見積もり";
  m.from = Mailbox{"Jörg Müller", "joerg@example.com"};
  m.to = {{"Ann", "ann@example.com"}, {"", "bob@example.com"}};
  m.cc = {{"Carol Only", ""},                                       // no address known
          {"Dennis Lee", "/O=ENRON/OU=NA/CN=RECIPIENTS/CN=DLEE"}};  // unresolved Exchange DN
  m.bcc = {{"Dave", "dave@example.com"}};
  m.message_id = "<abc@example.com>";
  m.in_reply_to = "<parent@example.com>";
  m.references = "<root@example.com> <parent@example.com>";
  m.submit_time = 1262304000;  // 2010-01-01 00:00:00 UTC
  m.text = "Hallo\nZeile 2 = zwei\n";
  return m;
}

}  // namespace

TEST_CASE("pst builder: headers of a message that never travelled") {
  std::string bytes = build_rfc5322(sent_message(), "seed");
  CHECK(crlf_only(bytes));
  MessagePtr m = parse(bytes);
  REQUIRE(m);
  CHECK(subject(m.get()) == "Grüße – 見積もり");
  CHECK(addresses(m.get(), GMIME_ADDRESS_TYPE_FROM) ==
        std::vector<std::string>{"Jörg Müller <joerg@example.com>"});
  CHECK(addresses(m.get(), GMIME_ADDRESS_TYPE_TO) ==
        std::vector<std::string>{"Ann <ann@example.com>", " <bob@example.com>"});
  CHECK(addresses(m.get(), GMIME_ADDRESS_TYPE_BCC) ==
        std::vector<std::string>{"Dave <dave@example.com>"});
  CHECK(header(m.get(), "Date") == "Fri, 01 Jan 2010 00:00:00 +0000");
  CHECK(std::string(g_mime_message_get_message_id(m.get())) == "abc@example.com");
  CHECK(header(m.get(), "In-Reply-To") == "<parent@example.com>");
  CHECK(header(m.get(), "References").find("<root@example.com>") != std::string::npos);
  // Non-ASCII header text travels as encoded-words; the name-only Cc as a group.
  std::string head = bytes.substr(0, bytes.find("\r\n\r\n"));
  for (unsigned char c : head) CHECK(c < 0x80);
  CHECK(head.find("=?") != std::string::npos);
  CHECK(head.find("Cc: Carol Only: ;, Dennis Lee: ;") != std::string::npos);
  CHECK(head.find("/O=ENRON") == std::string::npos);
}

TEST_CASE("pst builder: deterministic bytes, boundaries from the seed") {
  Message m = sent_message();
  m.html = "<p>Hallo</p>\n";
  m.html_charset = "utf-8";
  Attachment a;
  a.filename = "Übersicht 2024.pdf";
  const char pdf[] = "%PDF-1.4\n\0\xff binary";
  a.data = std::string(pdf, sizeof pdf - 1);
  m.attachments.push_back(std::move(a));
  std::string one = build_rfc5322(m, "nid:1");
  CHECK(build_rfc5322(m, "nid:1") == one);
  std::string other = build_rfc5322(m, "nid:2");
  CHECK(other != one);
  CHECK(other.size() == one.size());
  MessagePtr parsed = parse(one);
  REQUIRE(parsed);
  std::vector<Leaf> parts = leaves(parsed.get());
  REQUIRE(parts.size() == 3);
  CHECK(parts[0].type == "text/plain");
  CHECK(parts[0].parent_type == "multipart/alternative");
  CHECK(parts[0].data == "Hallo\r\nZeile 2 = zwei\r\n");
  CHECK(parts[1].type == "text/html");
  CHECK(parts[2].filename == "Übersicht 2024.pdf");
  CHECK(parts[2].type == "application/pdf");  // from the extension
  CHECK(parts[2].data == std::string(pdf, sizeof pdf - 1));
}

TEST_CASE("pst builder: embedded messages nest to any depth") {
  Message top = sent_message();
  Message* at = &top;
  for (int depth = 1; depth <= 5; ++depth) {
    Attachment a;
    a.message = std::make_unique<Message>();
    a.message->subject = "level " + std::to_string(depth);
    a.message->transport_headers = "Subject: level " + std::to_string(depth) +
                                   "\nContent-Type: text/plain\nX-Depth: " + std::to_string(depth) +
                                   "\n";
    a.message->text = "body " + std::to_string(depth);
    Message* next = a.message.get();
    at->attachments.push_back(std::move(a));
    at = next;
  }
  std::string bytes = build_rfc5322(top, "deep");
  CHECK(crlf_only(bytes));
  MessagePtr m = parse(bytes);
  REQUIRE(m);
  GMimeMessage* cur = m.get();
  for (int depth = 1; depth <= 5; ++depth) {
    std::vector<GMimeMessage*> nested;
    leaves(cur, &nested);
    REQUIRE(nested.size() == 1);
    cur = nested[0];
    CHECK(subject(cur) == "level " + std::to_string(depth));
    CHECK(header(cur, "X-Depth") == std::to_string(depth));
  }
}

TEST_CASE("pst builder: kept transport headers gain only the fields they lack") {
  Message m = sent_message();
  m.transport_headers =
      "Received: by mx;\n Mon, 1 Jan 2001 00:00:00 +0000\nSubject: =?utf-8?q?kept?=\n";
  std::string bytes = build_rfc5322(m, "t");
  std::string head = bytes.substr(0, bytes.find("\r\n\r\n") + 2);
  CHECK(head.rfind("Received: by mx;\r\n Mon, 1 Jan 2001", 0) == 0);
  CHECK(head.find("Subject: =?utf-8?q?kept?=") != std::string::npos);
  CHECK(head.find("Subject:", head.find("Subject:") + 1) == std::string::npos);
  CHECK(head.find("From:") != std::string::npos);  // added
  CHECK(head.find("Message-Id: <abc@example.com>") != std::string::npos);
  CHECK(head.find("Bcc:") == std::string::npos);  // not a recipient's to know
}

TEST_CASE("pst state: flags from message flags, verbs, icons and follow-up") {
  Message m;
  CHECK(message_flags(m).empty());
  m.flags = 0x01;  // MSGFLAG_READ
  CHECK(message_flags(m) == mailferry::core::Flags(Flag::Seen));
  m.last_verb = 102;
  CHECK(message_flags(m).has(Flag::Answered));
  m.last_verb = 104;
  CHECK(message_flags(m).has(Flag::Forwarded));
  CHECK_FALSE(message_flags(m).has(Flag::Answered));
  m.last_verb = 0;
  m.icon_index = 0x105;
  CHECK(message_flags(m).has(Flag::Answered));
  m.icon_index = 0x106;
  CHECK(message_flags(m).has(Flag::Forwarded));
  m.flag_status = 2;
  CHECK(message_flags(m).has(Flag::Flagged));
  m.flag_status = 1;  // completed
  CHECK_FALSE(message_flags(m).has(Flag::Flagged));
  m.flags = 0x08;  // MSGFLAG_UNSENT
  CHECK(message_flags(m).has(Flag::Draft));
  m.flags = 0x01;
  m.read_receipt_requested = true;
  CHECK(message_flags(m).has(Flag::MdnSent));
  m.flags = 0x01 | 0x100;  // receipt still pending
  CHECK_FALSE(message_flags(m).has(Flag::MdnSent));
}

TEST_CASE("pst state: INTERNALDATE is delivery for received mail, submit for sent mail") {
  Message m;
  m.submit_time = 1000;
  m.delivery_time = 2000;
  m.modification_time = 3000;
  CHECK(internal_date(m, false).utc == 2000);
  CHECK(internal_date(m, true).utc == 1000);
  m.flags = 0x20;  // MSGFLAG_FROM_ME
  CHECK(internal_date(m, false).utc == 1000);
  m.flags = 0;
  m.delivery_time.reset();
  CHECK(internal_date(m, false).utc == 1000);
  m.submit_time.reset();
  CHECK(internal_date(m, false).utc == 3000);
  CHECK(internal_date(m, false).offset_minutes == 0);
}
