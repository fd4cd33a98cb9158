// Byte-exact checks of the mbox scanner and message stream on hand-made files.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "mailferry/mbox/message_stream.hpp"
#include "mailferry/mbox/scanner.hpp"
#include "support/temp_dir.hpp"

using mailferry::mbox::MessageStream;
using mailferry::mbox::quoting_of;
using mailferry::mbox::ScannedMessage;
using mailferry::mbox::ScanOptions;
using mailferry::mbox::ScanProblem;
using mailferry::mbox::Severity;
using mailferry::mbox::Variant;

namespace {

struct Result {
  std::vector<ScannedMessage> messages;
  std::vector<std::string> bodies;  // what MessageStream produces for each message
  std::vector<ScanProblem> problems;

  std::size_t errors() const {
    std::size_t n = 0;
    for (const auto& p : problems) n += p.severity == Severity::Error;
    return n;
  }
  std::size_t warnings() const { return problems.size() - errors(); }
};

struct Collector : mailferry::mbox::ScanHandler {
  Result* result;
  void message(ScannedMessage&& m) override { result->messages.push_back(std::move(m)); }
  void problem(ScanProblem&& p) override { result->problems.push_back(std::move(p)); }
};

mailferry::mbox::Bookkeeping bookkeeping_of(const ScannedMessage& m) {
  return m.content_length_framed ? mailferry::mbox::Bookkeeping::DropAndContentLength
                                 : mailferry::mbox::Bookkeeping::Drop;
}

std::string read_back(const std::string& file, const ScannedMessage& m, Variant v,
                      std::size_t chunk) {
  MessageStream stream(file, m.offset, m.length, quoting_of(v), bookkeeping_of(m));
  std::string out;
  std::vector<char> buf(chunk);
  while (std::size_t n = stream.read(buf.data(), buf.size())) out.append(buf.data(), n);
  return out;
}

Result scan(std::string_view bytes, Variant variant = Variant::Auto,
            std::size_t buffer = std::size_t{1} << 20, std::size_t max_header = 1 << 20) {
  mailferry::testing::TempDir dir("mbox-scan");
  const std::string file = dir.write_file("box", bytes);
  Result r;
  Collector c;
  c.result = &r;
  ScanOptions options;
  options.variant = variant;
  options.buffer_size = buffer;
  options.max_header_bytes = max_header;
  mailferry::mbox::scan_mbox_file(file, options, c);
  for (const auto& m : r.messages) {
    r.bodies.push_back(read_back(file, m, variant, 4096));
    // The promise the upload depends on: scan-time size == bytes produced.
    CHECK(r.bodies.back().size() == m.size);
    CHECK(read_back(file, m, variant, 1) == r.bodies.back());
  }
  return r;
}

const std::string kQuoted =
    "From alice@example.com Mon Jan  1 10:00:00 2001\n"
    "Subject: one\n"
    "\n"
    "body\n"
    ">From here\n"
    ">>From there\n"
    "\n"
    "From bob@example.com Tue Jan  2 10:00:00 2001\n"
    "Subject: two\n"
    "\n"
    "x\n";

}  // namespace

TEST_CASE("mbox scanner: mboxo unquotes >From only") {
  auto r = scan(kQuoted, Variant::Mboxo);
  REQUIRE(r.messages.size() == 2);
  CHECK(r.problems.empty());
  CHECK(r.bodies[0] == "Subject: one\r\n\r\nbody\r\nFrom here\r\n>>From there\r\n");
  CHECK(r.bodies[1] == "Subject: two\r\n\r\nx\r\n");
  CHECK(r.messages[0].ordinal == 1);
  CHECK(r.messages[1].ordinal == 2);
  CHECK(r.messages[0].from_line == "From alice@example.com Mon Jan  1 10:00:00 2001");
  CHECK(r.messages[0].header == "Subject: one\r\n\r\n");
  CHECK(r.messages[0].offset == 48);
  CHECK(r.messages[0].length ==
        std::string("Subject: one\n\nbody\n>From here\n>>From there\n").size());
}

TEST_CASE("mbox scanner: mboxrd and auto remove one level of quoting") {
  for (Variant v : {Variant::Mboxrd, Variant::Auto}) {
    auto r = scan(kQuoted, v);
    REQUIRE(r.messages.size() == 2);
    CHECK(r.bodies[0] == "Subject: one\r\n\r\nbody\r\nFrom here\r\n>From there\r\n");
  }
}

TEST_CASE("mbox scanner: Content-Length frames bodies that hold From_ lines (mboxcl2)") {
  const std::string body =
      "hi\n"
      "\n"
      "From someone@example.com Mon Jan  1 00:00:00 2001\n"
      "Subject: looks like a message\n"
      "\n"
      ">From quoted\n";
  const std::string file = "From a@b Mon Jan  1 10:00:00 2001\nSubject: one\nContent-Length: " +
                           std::to_string(body.size()) + "\n\n" + body +
                           "\nFrom c@d Mon Jan  1 11:00:00 2001\nSubject: two\n\nx\n";
  auto cl2 = scan(file, Variant::Mboxcl2);
  REQUIRE(cl2.messages.size() == 2);
  CHECK(cl2.messages[0].content_length_framed);
  // The Content-Length that framed it is the file's, not the message's: dropped.
  CHECK(cl2.bodies[0] == std::string("Subject: one\r\n") +
                             "\r\nhi\r\n\r\nFrom someone@example.com Mon Jan  1 00:00:00 "
                             "2001\r\nSubject: looks like a message\r\n\r\n>From quoted\r\n");
  CHECK(cl2.bodies[1] == "Subject: two\r\n\r\nx\r\n");

  auto cl = scan(file, Variant::Mboxcl);  // same framing, mboxo unquoting
  REQUIRE(cl.messages.size() == 2);
  CHECK(cl.bodies[0].find("\r\nFrom quoted\r\n") != std::string::npos);

  auto automatic = scan(file, Variant::Auto);
  CHECK(automatic.messages.size() == 2);

  auto o = scan(file, Variant::Mboxo);  // no Content-Length: the fake message splits
  CHECK(o.messages.size() == 3);
}

TEST_CASE("mbox scanner: a wrong Content-Length falls back to From_ lines") {
  const std::string file =
      "From a@b Mon Jan  1 10:00:00 2001\nSubject: one\nContent-Length: 3\n\nbody text\n\n"
      "From c@d Mon Jan  1 11:00:00 2001\nSubject: two\nContent-Length: 999\n\nx\n";
  auto r = scan(file, Variant::Mboxcl);
  REQUIRE(r.messages.size() == 2);
  CHECK_FALSE(r.messages[0].content_length_framed);
  CHECK(r.bodies[0] == "Subject: one\r\nContent-Length: 3\r\n\r\nbody text\r\n");
  CHECK(r.bodies[1] == "Subject: two\r\nContent-Length: 999\r\n\r\nx\r\n");
}

TEST_CASE("mbox scanner: Content-Length pointing at the end of the file or at From_ directly") {
  const std::string file =
      "From - \nSubject: one\nContent-Length: 5\n\nabcd\n"  // next From_ right after, no blank
      "From - \nSubject: two\nContent-Length: 2\n\nz\n";
  auto r = scan(file);
  REQUIRE(r.messages.size() == 2);
  CHECK(r.messages[0].content_length_framed);
  CHECK(r.messages[1].content_length_framed);
  CHECK(r.bodies[0] == "Subject: one\r\n\r\nabcd\r\n");  // framing Content-Length dropped
  CHECK(r.bodies[1] == "Subject: two\r\n\r\nz\r\n");
}

TEST_CASE("mbox scanner: CRLF and mixed line ends") {
  const std::string file =
      "From a@b Mon Jan  1 10:00:00 2001\r\n"
      "Subject: one\r\n"
      "\r\n"
      "crlf body\r\n"
      "bare lf\n"
      "lone\rcr\r\n"
      "\r\n"
      "From c@d Mon Jan  1 11:00:00 2001\r\n"
      "Subject: two\n"
      "\n"
      "last\r\n"
      "\r\n";
  auto r = scan(file);
  REQUIRE(r.messages.size() == 2);
  CHECK(r.bodies[0] == "Subject: one\r\n\r\ncrlf body\r\nbare lf\r\nlone\rcr\r\n");
  CHECK(r.bodies[1] == "Subject: two\r\n\r\nlast\r\n");  // the final empty line is the separator's
  CHECK(r.messages[0].from_line == "From a@b Mon Jan  1 10:00:00 2001");
}

TEST_CASE("mbox scanner: From lines in bodies that do not separate") {
  const std::string file =
      "From a@b Mon Jan  1 10:00:00 2001\n"
      "Subject: one\n"
      "\n"
      "From me to you, with love\n"  // after an empty line, but no date and no header next
      "and more.\n"
      "From the start\n"  // no empty line before, no date
      "Subject: still body\n"
      "From x Mon Jan  1 10:00:00 2001\n"  // dated, but no header line follows
      "just text\n"
      "\n"
      "From \n"  // bare, after an empty line, but no header next
      "text again\n";
  auto r = scan(file, Variant::Mboxo);
  REQUIRE(r.messages.size() == 1);
  CHECK(r.problems.empty());
  CHECK(r.bodies[0].find("\r\nFrom me to you, with love\r\n") != std::string::npos);
  CHECK(r.bodies[0].find("\r\nFrom the start\r\nSubject: still body\r\n") != std::string::npos);
  CHECK(r.bodies[0].find("\r\n\r\nFrom \r\ntext again\r\n") != std::string::npos);
}

TEST_CASE("mbox scanner: separators without an empty line before them") {
  const std::string file =
      "From 1234 Mon Sep 17 00:00:00 2001\n"
      "From: a@b\n"
      "Subject: [PATCH 1/2] one\n"
      "\n"
      "diff\n"
      "-- \n"
      "2.0\n"
      "From 5678 Mon Sep 17 00:00:00 2001\n"  // git format-patch: dated, header follows
      "From: a@b\n"
      "Subject: [PATCH 2/2] two\n"
      "\n"
      "diff\n"
      "From - \n"  // Netscape: bare, header follows
      "Subject: three\n"
      "\n"
      "x\n";
  auto r = scan(file);
  REQUIRE(r.messages.size() == 3);
  CHECK(r.bodies[0] == "From: a@b\r\nSubject: [PATCH 1/2] one\r\n\r\ndiff\r\n-- \r\n2.0\r\n");
  CHECK(r.bodies[1] == "From: a@b\r\nSubject: [PATCH 2/2] two\r\n\r\ndiff\r\n");
  CHECK(r.bodies[2] == "Subject: three\r\n\r\nx\r\n");
}

TEST_CASE("mbox scanner: undated separators after an empty line (Thunderbird's From - )") {
  const std::string file =
      "From \nFrom: a@b\nSubject: one\n\nbody\nFrom \nnot a separator\n\n"
      "From \nFrom: c@d\nSubject: two\n\nbody two\n";
  auto r = scan(file);
  REQUIRE(r.messages.size() == 2);
  CHECK(r.bodies[0] == "From: a@b\r\nSubject: one\r\n\r\nbody\r\nFrom \r\nnot a separator\r\n");
  CHECK(r.bodies[1] == "From: c@d\r\nSubject: two\r\n\r\nbody two\r\n");
}

TEST_CASE("mbox scanner: a second From_ line right after the first stays in the message") {
  const std::string file =
      "From a@b Mon Jan  1 10:00:00 2001\n"
      "From c@d Mon Jan  1 10:00:00 2001\n"
      "Subject: one\n\nbody\n";
  auto r = scan(file);
  REQUIRE(r.messages.size() == 1);
  CHECK(r.bodies[0] == "From c@d Mon Jan  1 10:00:00 2001\r\nSubject: one\r\n\r\nbody\r\n");
}

TEST_CASE("mbox scanner: data before the first From_ line") {
  SUBCASE("blank lines and a byte order mark are skipped silently") {
    auto r = scan("\xEF\xBB\xBF  \n\t\n\nFrom a@b Mon Jan  1 10:00:00 2001\nSubject: s\n\nb\n");
    REQUIRE(r.messages.size() == 1);
    CHECK(r.problems.empty());
    CHECK(r.bodies[0] == "Subject: s\r\n\r\nb\r\n");
  }
  SUBCASE("garbage is an error with its offset, and the rest is read") {
    auto r = scan("junk line\nmore junk\n\nFrom a@b Mon Jan  1 10:00:00 2001\nSubject: s\n\nb\n");
    REQUIRE(r.messages.size() == 1);
    REQUIRE(r.errors() == 1);
    CHECK(r.problems[0].ordinal == 0);
    CHECK(r.problems[0].offset == 0);
    CHECK(r.problems[0].text.find("20 bytes") != std::string::npos);
    CHECK(r.problems[0].text.find("before the first message") != std::string::npos);
    CHECK(r.messages[0].ordinal == 1);
  }
  SUBCASE("a file that is no mbox at all gives one error and no message") {
    auto r = scan("Subject: just a message\n\nbody\n");
    CHECK(r.messages.empty());
    CHECK(r.errors() == 1);
  }
  SUBCASE("an empty file has no messages and no problems") {
    auto r = scan("");
    CHECK(r.messages.empty());
    CHECK(r.problems.empty());
  }
}

TEST_CASE("mbox scanner: truncated files") {
  SUBCASE("ends inside the header: uploaded, with a warning") {
    auto r = scan(
        "From a@b Mon Jan  1 10:00:00 2001\nSubject: s\n\nb\n\n"
        "From c@d Mon Jan  1 10:00:00 2001\nSubject: cut\nTo: x@");
    REQUIRE(r.messages.size() == 2);
    CHECK(r.errors() == 0);
    REQUIRE(r.warnings() == 1);
    CHECK(r.problems[0].ordinal == 2);
    CHECK(r.bodies[1] == "Subject: cut\r\nTo: x@");
  }
  SUBCASE("ends inside a body line: uploaded, with a warning") {
    auto r = scan("From a@b Mon Jan  1 10:00:00 2001\nSubject: s\n\nhalf a li");
    REQUIRE(r.messages.size() == 1);
    CHECK(r.warnings() == 1);
    CHECK(r.bodies[0] == "Subject: s\r\n\r\nhalf a li");
  }
  SUBCASE("ends right after a From_ line: an error for that message") {
    auto r = scan(
        "From a@b Mon Jan  1 10:00:00 2001\nSubject: s\n\nb\n\n"
        "From c@d Mon Jan  1 10:00:00 2001\n");
    REQUIRE(r.messages.size() == 1);
    REQUIRE(r.errors() == 1);
    CHECK(r.problems[0].ordinal == 2);
  }
  SUBCASE("Content-Length beyond the end of the file") {
    auto r = scan("From a@b Mon Jan  1 10:00:00 2001\nSubject: s\nContent-Length: 500\n\nshort\n");
    REQUIRE(r.messages.size() == 1);
    CHECK_FALSE(r.messages[0].content_length_framed);
    CHECK(r.bodies[0] == "Subject: s\r\nContent-Length: 500\r\n\r\nshort\r\n");
  }
}

TEST_CASE("mbox scanner: bad messages are reported by ordinal and skipped") {
  const std::string big_header = "X-Big: " + std::string(300, 'x') + "\n";
  const std::string file =
      "From a@b Mon Jan  1 10:00:00 2001\nSubject: good\n\n1\n\n"
      "From a@b Mon Jan  1 10:00:01 2001\nno header here\n\nbody\n\n"
      "From a@b Mon Jan  1 10:00:02 2001\n" +
      big_header +
      "\nbody\n\n"
      "From a@b Mon Jan  1 10:00:03 2001\n\n"
      "From a@b Mon Jan  1 10:00:04 2001\nSubject: also good\n\n5\n";
  auto r = scan(file, Variant::Auto, 1 << 20, 200);
  REQUIRE(r.messages.size() == 2);
  CHECK(r.messages[0].ordinal == 1);
  CHECK(r.messages[1].ordinal == 5);
  CHECK(r.bodies[1] == "Subject: also good\r\n\r\n5\r\n");
  REQUIRE(r.errors() == 3);
  CHECK(r.problems[0].ordinal == 2);
  CHECK(r.problems[0].text.find("no header") != std::string::npos);
  CHECK(r.problems[1].ordinal == 3);
  CHECK(r.problems[1].text.find("larger than 200") != std::string::npos);
  CHECK(r.problems[2].ordinal == 4);
}

TEST_CASE("mbox scanner: NUL bytes, 8-bit headers and long lines are kept") {
  std::string file = "From a@b Mon Jan  1 10:00:00 2001\nSubject: caf\xC3\xA9 \xE9\n\n";
  file += std::string("nul") + '\0' + "byte\n";
  file += std::string(5000, 'L') + "\n";
  auto r = scan(file);
  REQUIRE(r.messages.size() == 1);
  CHECK(r.errors() == 0);
  CHECK(r.warnings() == 1);  // the NUL
  CHECK(r.bodies[0] == "Subject: caf\xC3\xA9 \xE9\r\n\r\n" + std::string("nul") + '\0' +
                           "byte\r\n" + std::string(5000, 'L') + "\r\n");
}

TEST_CASE("mbox scanner: lines longer than the buffer") {
  const std::string line(50000, 'q');
  const std::string file = "From a@b Mon Jan  1 10:00:00 2001\nSubject: s\n\n" + line + "\n" +
                           ">From " + line +
                           "\n\nFrom c@d Mon Jan  1 10:00:00 2001\nSubject: t\n\n" + line;
  auto r = scan(file, Variant::Auto, 8192);
  REQUIRE(r.messages.size() == 2);
  CHECK(r.bodies[0] == "Subject: s\r\n\r\n" + line + "\r\nFrom " + line + "\r\n");
  CHECK(r.bodies[1] == "Subject: t\r\n\r\n" + line);
}

TEST_CASE("mbox scanner: the buffer size does not change the result") {
  // A few hundred KB of varied messages, so that buffer boundaries fall everywhere.
  std::string file;
  for (int i = 0; i < 400; ++i) {
    file += "From sender" + std::to_string(i) + "@example.com Mon Jan  1 10:00:00 2001\n";
    const char* eol = i % 3 == 0 ? "\r\n" : "\n";
    file += "Subject: message " + std::to_string(i) + eol;
    if (i % 5 == 0) file += "Content-Length: 17\n";  // mostly wrong: From_ lines decide
    file += eol;
    for (int j = 0; j < i % 17; ++j) {
      file += std::string(static_cast<std::size_t>(j * 37 % 300), 'a' + static_cast<char>(j % 26));
      file += eol;
      if (j % 4 == 1) file += ">From quoted\n>>From twice\n";
      if (j % 6 == 2) file += "From body text\n";
    }
    file += eol;
  }
  auto big = scan(file, Variant::Auto, 1 << 20);
  auto small = scan(file, Variant::Auto, 8192);
  REQUIRE(big.messages.size() == 400);
  CHECK(big.problems.empty());
  REQUIRE(small.messages.size() == big.messages.size());
  for (std::size_t i = 0; i < big.messages.size(); ++i) {
    CAPTURE(i);
    CHECK(small.messages[i].offset == big.messages[i].offset);
    CHECK(small.messages[i].length == big.messages[i].length);
    CHECK(small.messages[i].size == big.messages[i].size);
    CHECK(small.bodies[i] == big.bodies[i]);
    CHECK(small.messages[i].header == big.messages[i].header);
  }
}

TEST_CASE("mbox message stream: a message that is no longer in the file") {
  mailferry::testing::TempDir dir("mbox-stream");
  const std::string file = dir.write_file("box", "From a@b Mon Jan  1 10:00:00 2001\nS: x\n");
  CHECK_THROWS_AS(MessageStream(file, 30, 100, mailferry::mbox::Quoting::None,
                                mailferry::mbox::Bookkeeping::Drop),
                  mailferry::core::SourceError);
  CHECK_THROWS_AS(MessageStream(dir.file("missing"), 0, 1, mailferry::mbox::Quoting::None,
                                mailferry::mbox::Bookkeeping::Drop),
                  mailferry::core::SourceError);
}

TEST_CASE("mbox scanner: random mbox-like input keeps every promise") {
  // Deterministic pseudo-random files built from the pieces that matter to the
  // scanner; each must scan without error from the scanner itself, and every
  // message must read back with exactly its scanned size (checked in scan()).
  static const std::string_view kPieces[] = {"From a@b Mon Jan  1 10:00:00 2001\n",
                                             "From \n",
                                             "From - \n",
                                             "From me to you\n",
                                             ">From x\n",
                                             ">>From y\n",
                                             ">",
                                             "From ",
                                             "Subject: s\n",
                                             "X: y\n",
                                             " folded\n",
                                             "\n",
                                             "\r\n",
                                             "\r",
                                             "text",
                                             "Content-Length: 5\n",
                                             "Content-Length: 0\n",
                                             std::string_view("\0", 1),
                                             "\xEF\xBB\xBF",
                                             "\xff\xfe",
                                             "Date: Mon, 1 Jan 2001\n"};
  std::uint32_t state = 12345;
  auto next = [&] {
    state = state * 1103515245u + 12345u;
    return (state >> 16) & 0x7fff;
  };
  for (int round = 0; round < 150; ++round) {
    std::string file;
    const int pieces = static_cast<int>(next() % 400);
    for (int i = 0; i < pieces; ++i) {
      std::size_t k = next() % (sizeof kPieces / sizeof kPieces[0]);
      file += kPieces[k];
    }
    CAPTURE(round);
    for (Variant v : {Variant::Auto, Variant::Mboxo, Variant::Mboxcl2}) {
      auto big = scan(file, v);
      auto small = scan(file, v, 8192);
      REQUIRE(big.messages.size() == small.messages.size());
      for (std::size_t i = 0; i < big.messages.size(); ++i) CHECK(big.bodies[i] == small.bodies[i]);
      for (const auto& p : big.problems) CHECK(p.text.find("internal error") == std::string::npos);
    }
  }
}
