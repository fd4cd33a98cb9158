// PST items rebuilt as RFC 5322: parsed back with GMime, checked against the
// decoded values (subjects, names, recipients) and against the attachment
// bytes readpst (pst-utils) writes for the same file.
#include <doctest/doctest.h>

#include <filesystem>
#include <set>

#include "mailferry/mime/header_fields.hpp"
#include "mailferry/mime/message_key.hpp"
#include "pst_test_support.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace mailferry::pst_test;
using mailferry::core::Flag;
using mailferry::source::PstSource;

namespace {

// Attachments readpst -S writes for a file: file name -> bytes.
std::map<std::string, std::string> readpst_attachments(const std::string& pst) {
  mailferry::testing::TempDir dir("pst-readpst");
  auto r = mailferry::testing::run_command(
      {"readpst", "-S", "-D", "-q", "-j", "0", "-o", dir.path().string(), pst});
  REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir.path())) {
    if (!e.is_regular_file()) continue;
    std::string name = e.path().filename().string();
    std::size_t dash = name.find('-');  // "2-C 你好.png": message number, then the name
    if (dash == std::string::npos) continue;
    out[name.substr(dash + 1)] = mailferry::testing::read_file(e.path());
  }
  return out;
}

std::string only_message(const std::string& file, std::string* folder_name = nullptr) {
  PstSource src(corpus(file));
  for (auto& f : scan_everything(src)) {
    if (f.bodies.empty()) continue;
    REQUIRE(f.bodies.size() == 1);
    if (folder_name) *folder_name = f.folder.display_name();
    return f.bodies[0];
  }
  FAIL("no message in " << file);
  return {};
}

}  // namespace

TEST_CASE("pst message: CJK subject, body and attachment names and bytes survive") {
  std::string bytes = only_message("Hello CJK.pst");
  MessagePtr m = parse(bytes);
  REQUIRE(m);
  CHECK(subject(m.get()) == "Hello +CJK");
  std::vector<Leaf> parts = leaves(m.get());
  std::map<std::string, std::string> attachments;
  std::string text;
  for (const Leaf& p : parts) {
    if (p.type == "text/plain") text = p.data;
    if (!p.filename.empty()) attachments[p.filename] = p.data;
  }
  CHECK(text.find("C 你好") != std::string::npos);
  CHECK(text.find("J こんにちは") != std::string::npos);
  CHECK(text.find("K 안녕하세요") != std::string::npos);
  auto expected = readpst_attachments(corpus("Hello CJK.pst"));
  REQUIRE(attachments.size() == 3);
  for (const char* name : {"C 你好.png", "J こんにちは.png", "K 안녕하세요.png"}) {
    INFO(name);
    REQUIRE(attachments.count(name));
    REQUIRE(expected.count(name));
    CHECK(attachments[name] == expected[name]);
    CHECK(attachments[name].substr(0, 4) == "\x89PNG");
  }
  // Names travel as RFC 2231 parameters, never as raw 8-bit.
  CHECK(bytes.find("filename*=UTF-8''C%20%E4%BD%A0%E5%A5%BD.png") != std::string::npos);
}

TEST_CASE("pst message: Japanese attachment names") {
  std::string bytes = only_message("unicodeAttachmentFilename.pst");
  MessagePtr m = parse(bytes);
  REQUIRE(m);
  std::map<std::string, std::string> attachments;
  for (const Leaf& p : leaves(m.get()))
    if (!p.filename.empty()) attachments[p.filename] = p.data;
  auto expected = readpst_attachments(corpus("unicodeAttachmentFilename.pst"));
  REQUIRE(expected.size() == 3);
  CHECK(attachments.size() == 3);
  for (const auto& [name, data] : expected) {
    INFO(name);
    REQUIRE(attachments.count(name));
    CHECK(attachments[name] == data);
  }
  CHECK(attachments.count("情報 Information を 意味する記号.png"));
}

TEST_CASE("pst message: embedded messages become message/rfc822 parts") {
  std::string bytes = only_message("msgInMsg.pst");
  MessagePtr m = parse(bytes);
  REQUIRE(m);
  CHECK(subject(m.get()) == "I have attachments!");
  std::vector<GMimeMessage*> nested;
  std::vector<Leaf> parts = leaves(m.get(), &nested);
  REQUIRE(nested.size() == 1);
  CHECK(subject(nested[0]) == "Microsoft Outlook テスト メッセージ");
  CHECK(addresses(nested[0], GMIME_ADDRESS_TYPE_FROM) ==
        std::vector<std::string>{"Microsoft Outlook <xmailuser@xmailserver.test>"});
  bool green = false;
  for (const Leaf& p : parts) green = green || (p.filename == "green.png" && p.type == "image/png");
  CHECK(green);
  // The RTF body only wrapped HTML: it became the HTML part, not an attachment.
  for (const Leaf& p : parts) CHECK(p.filename != "body.rtf");
  for (const Leaf& p : leaves(nested[0])) CHECK(p.filename != "body.rtf");

  std::string sub = only_message("submessage.pst");
  MessagePtr s = parse(sub);
  REQUIRE(s);
  std::vector<GMimeMessage*> inner;
  leaves(s.get(), &inner);
  REQUIRE(inner.size() == 1);
  CHECK_FALSE(subject(inner[0]).empty());
}

TEST_CASE("pst message: embedded messages nest to any depth") {
  // Test_part1's "this message contains embedded MSG" items carry .msg files.
  PstSource src(corpus("Test_part1.pst"));
  int with_nested = 0;
  for (auto& f : scan_everything(src))
    for (const std::string& bytes : f.bodies) {
      MessagePtr m = parse(bytes);
      REQUIRE(m);
      std::vector<GMimeMessage*> nested;
      leaves(m.get(), &nested);
      if (!nested.empty()) ++with_nested;
      for (GMimeMessage* n : nested) CHECK_FALSE(subject(n).empty());
    }
  CHECK(with_nested > 0);
}

TEST_CASE("pst message: inline images go into multipart/related with their Content-ID") {
  std::string bytes = only_message("attachAndInline.pst");
  MessagePtr m = parse(bytes);
  REQUIRE(m);
  std::string html;
  const Leaf* image = nullptr;
  const Leaf* attached = nullptr;
  std::vector<Leaf> parts = leaves(m.get());
  for (const Leaf& p : parts) {
    if (p.type == "text/html") html = p.data;
    if (p.filename == "image001.png") image = &p;
    if (p.filename == "attach.png") attached = &p;
  }
  REQUIRE(image);
  REQUIRE(attached);
  CHECK(image->parent_type == "multipart/related");
  CHECK(image->disposition == "inline");
  CHECK(image->content_id == "image001.png@01D78380.EF6DC500");
  CHECK(html.find("cid:" + image->content_id) != std::string::npos);
  CHECK(attached->parent_type == "multipart/mixed");
  CHECK(attached->disposition == "attachment");
  CHECK(attached->type == "image/png");
}

TEST_CASE("pst message: Sent items get headers built from the item's properties") {
  PstSource src(corpus("Test_part1.pst"));
  auto all = scan_everything(src);
  const ScannedFolder* sent = find_folder(all, "Sent Items");
  REQUIRE(sent);
  REQUIRE(sent->bodies.size() == 31);
  MessagePtr m = parse(sent->bodies[0]);
  REQUIRE(m);
  CHECK(subject(m.get()) == "Multiple attachments");
  CHECK(addresses(m.get(), GMIME_ADDRESS_TYPE_FROM) ==
        std::vector<std::string>{"Saqib Razzaq <saqib.razzaq@xp.local>"});
  CHECK(addresses(m.get(), GMIME_ADDRESS_TYPE_TO) ==
        std::vector<std::string>{" <saqib.razzaq@xp.local>"});
  CHECK(header(m.get(), "Date") == "Tue, 21 Jun 2011 23:51:07 +0000");
  // No PR_INTERNET_MESSAGE_ID: none is invented; the key is a fingerprint.
  CHECK(header(m.get(), "Message-ID").empty());
  const auto& msg = sent->sink.messages[0];
  CHECK(msg.key.is_fingerprint());
  CHECK(msg.message_id.empty());
  CHECK(msg.internal_date.to_imap() == "21-Jun-2011 23:51:07 +0000");
  CHECK(msg.flags.has(Flag::Seen));
  std::set<std::string> names;
  for (const Leaf& p : leaves(m.get())) names.insert(p.filename);
  CHECK(names.count("Sunset.jpg"));
}

TEST_CASE("pst message: received mail keeps its transport headers, minus the old MIME ones") {
  PstSource src(corpus("enron.pst"));
  auto all = scan_everything(src);
  const ScannedFolder* f = find_folder(all, "lokay-m/MLOKAY (Non-Privileged)/TW-Commercial Group");
  REQUIRE(f);
  REQUIRE(f->bodies.size() == 14);
  const std::string& bytes = f->bodies[0];
  std::string head = bytes.substr(0, bytes.find("\r\n\r\n") + 2);
  CHECK(head.find("Received: from NAHOU-MSMBX07V.corp.enron.com") != std::string::npos);
  CHECK(head.find("X-ZL-from: Lee, Dennis") != std::string::npos);
  // Exactly one MIME-Version and one top-level Content-Type: the rebuilt ones.
  auto count = [&](const std::string& what) {
    std::size_t n = 0;
    for (std::size_t at = head.find(what); at != std::string::npos; at = head.find(what, at + 1))
      ++n;
    return n;
  };
  CHECK(count("\nMIME-Version:") == 1);
  CHECK(count("\nContent-Type:") == 1);
  CHECK(head.find("LibPST") == std::string::npos);
  CHECK(f->sink.messages[0].key.value == "<I2OY5JK033YULHIIZG14FWPGKODJHROVB@zlsvr22>");
  MessagePtr m = parse(bytes);
  REQUIRE(m);
  CHECK(subject(m.get()) == "New OBA's");
  bool doc = false;
  for (const Leaf& p : leaves(m.get()))
    doc = doc ||
          (p.filename == "OBA_RedCedar_27728.doc" && p.data.substr(0, 4) == "\xD0\xCF\x11\xE0");
  CHECK(doc);
}

TEST_CASE("pst message: an ANSI (97-2002) item") {
  std::string bytes = only_message("sample2.pst");
  MessagePtr m = parse(bytes);
  REQUIRE(m);
  CHECK(subject(m.get()) == "Here is a sample message");
  bool text = false;
  for (const Leaf& p : leaves(m.get())) text = text || p.type == "text/plain";
  CHECK(text);
}

TEST_CASE("pst message: plain, HTML and RTF bodies") {
  PstSource src(corpus("testPST_variousBodyTypes.pst"));
  auto all = scan_everything(src);
  const ScannedFolder* f = find_folder(all, "Inbox/tmp");
  REQUIRE(f);
  REQUIRE(f->bodies.size() == 4);
  int html = 0, rtf = 0;
  for (const std::string& bytes : f->bodies) {
    MessagePtr m = parse(bytes);
    REQUIRE(m);
    bool plain = false;
    for (const Leaf& p : leaves(m.get())) {
      plain = plain || p.type == "text/plain";
      if (p.type == "text/html") ++html;
      if (p.filename == "body.rtf") {
        ++rtf;
        CHECK(p.type == "application/rtf");
        CHECK(p.data.rfind("{\\rtf1", 0) == 0);
      }
    }
    CHECK(plain);
  }
  CHECK(html == 2);  // the original and the HTML forward
  CHECK(rtf == 1);   // only the native-RTF forward keeps RTF
}

TEST_CASE("pst message: every corpus message is CRLF, deterministic, and sized exactly") {
  for (const std::string& file : corpus_files()) {
    INFO(file);
    PstSource src(corpus(file), corpus_options(file));
    for (auto& f : scan_everything(src)) {
      CHECK(f.sink.errors.empty());
      for (std::size_t i = 0; i < f.bodies.size(); ++i) {
        const auto& msg = f.sink.messages[i];
        const std::string& bytes = f.bodies[i];
        INFO(f.folder.display_name() << " item " << msg.ordinal);
        CHECK(bytes.size() == msg.size);
        CHECK(crlf_only(bytes));
        // Opening again gives the same bytes (the scan's size stays true).
        CHECK(read_all(*src.open(f.folder, msg), 7) == bytes);
        // The key is what the header scanner makes of the bytes.
        std::string head = bytes.substr(0, bytes.find("\r\n\r\n") + 2);
        CHECK(mailferry::mime::message_key(mailferry::mime::scan_header_fields(head), msg.size) ==
              msg.key);
        CHECK(parse(bytes) != nullptr);
      }
    }
  }
}
