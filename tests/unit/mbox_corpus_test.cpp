// Every mbox file of the shared corpus through MboxSource: message counts,
// exact sizes, CRLF-only output, and the bytes checked against a plain
// reference conversion of the raw file range.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "mailferry/mbox/scanner.hpp"
#include "mailferry/source/mbox_source.hpp"
#include "support/scan_collect.hpp"

namespace fs = std::filesystem;
using mailferry::source::MboxSource;
using mailferry::source::SourceFolder;
using mailferry::source::SourceMessage;
using mailferry::testing::read_body;

namespace {

const fs::path kCorpus = fs::path(MAILFERRY_CORPUS_DIR) / "mbox";

// Message counts under the separator rules of mbox/scanner.hpp. They agree with
// MANIFEST.md ("grep -c ^From" and Python's mailbox.mbox) except where noted.
const std::map<std::string, std::size_t> kExpected{
    {"0012-invalid-header-char.mbox", 1},
    {"0014-with-unencoded-utf8-headers.mbox", 1},
    {"bugs-spamming.mbox", 3},
    {"complex.mbox", 3},
    {"content-length.mbox.txt", 29},
    {"linux-samsung-soc-2020-2000msgs.mboxrd", 2000},
    {"mailarc-1.txt", 16},
    {"mailformed_subject.eml", 1},
    {"mailseparators.txt", 3},
    {"malformed.txt", 54},
    {"mbox.rlug", 5},
    {"mbox.src", 45},
    {"mbox.win", 45},
    {"mbox_mboxrd", 2},
    // MANIFEST: 3. The third "From " line is the body line "From " after
    // "Earlier versions of Thunderbird don't seem to quote things like this:",
    // with no date and no header after it; the file exists to test exactly
    // that it does not split the message.
    {"mbox_unquoted", 2},
    {"sample.mbox", 18},
    // MANIFEST: 3. "From not mangled but this line should have been escaped"
    // follows a body line and carries no date: body text (git's mailsplit
    // reads 2 messages here too).
    {"sample.mboxrd", 2},
    {"vm-emacs.txt", 1},
};

using Sink = mailferry::testing::CollectingSink;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The conversion spelled out line by line: mboxrd unquoting, then bare LF -> CRLF.
std::string reference(std::string_view raw) {
  std::string out;
  std::size_t pos = 0;
  while (pos < raw.size()) {
    std::size_t nl = raw.find('\n', pos);
    std::string_view line = raw.substr(pos, nl == std::string_view::npos ? raw.npos : nl - pos);
    std::size_t gt = line.find_first_not_of('>');
    if (gt != std::string_view::npos && gt > 0 && line.substr(gt, 5) == "From ")
      line.remove_prefix(1);
    out.append(line);
    if (nl == std::string_view::npos) break;
    if (line.empty() || line.back() != '\r') out += '\r';
    out += '\n';
    pos = nl + 1;
  }
  return out;
}

// The header block of converted bytes without the mail store's bookkeeping
// fields (and their continuation lines); Content-Length only when it framed
// the message.
std::string without_bookkeeping(const std::string& crlf, bool content_length_framed) {
  std::set<std::string> names = {
      "status",     "x-status",         "x-keywords",        "x-uid",         "x-imap",
      "x-imapbase", "x-mozilla-status", "x-mozilla-status2", "x-mozilla-keys"};
  if (content_length_framed) names.insert("content-length");
  std::string out;
  std::size_t pos = 0;
  bool dropping = false;
  while (pos < crlf.size()) {
    std::size_t nl = crlf.find('\n', pos);
    std::size_t next = nl == std::string::npos ? crlf.size() : nl + 1;
    std::string line = crlf.substr(pos, next - pos);
    pos = next;
    if (line == "\r\n") {
      out += line + crlf.substr(pos);
      return out;
    }
    if (line[0] != ' ' && line[0] != '\t') {
      std::string name = line.substr(0, line.find(':'));
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      dropping = line.find(':') != std::string::npos && names.count(name) > 0;
    }
    if (!dropping) out += line;
  }
  return out;
}

bool crlf_only(const std::string& s) {
  for (std::size_t i = 0; i < s.size(); ++i)
    if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) return false;
  return true;
}

struct FileResult {
  std::vector<SourceMessage> messages;
  std::vector<std::string> bodies;
};

FileResult check_file(const fs::path& file) {
  CAPTURE(file.string());
  MboxSource source(file);
  auto folders = source.folders();
  REQUIRE(folders.size() == 1);
  Sink sink;
  source.scan(folders[0], sink);
  CHECK(sink.errors.empty());
  const std::string raw = slurp(file);
  FileResult result;
  for (const auto& m : sink.messages) {
    CAPTURE(m.ordinal);
    auto reader = source.open(folders[0], m);
    std::string body = read_body(*reader, 1000);
    CHECK(body.size() == m.size);
    CHECK(crlf_only(body));
    std::size_t plus = m.locator.find('+');
    std::uint64_t offset = std::stoull(m.locator.substr(0, plus));
    std::uint64_t length = std::stoull(m.locator.substr(plus + 1));
    const bool framed = m.locator.size() > 3 && m.locator.substr(m.locator.size() - 3) == "+cl";
    CHECK(body ==
          without_bookkeeping(reference(std::string_view(raw).substr(offset, length)), framed));
    CHECK_FALSE(m.key.empty());
    if (m.message_id.empty()) CHECK(m.key.is_fingerprint());
    result.bodies.push_back(std::move(body));
  }
  result.messages = std::move(sink.messages);
  return result;
}

}  // namespace

TEST_CASE("mbox corpus: every file reads with the expected count, exact sizes and CRLF bytes") {
  std::set<std::string> seen;
  for (const auto& entry : fs::directory_iterator(kCorpus)) {
    const std::string name = entry.path().filename().string();
    CAPTURE(name);
    seen.insert(name);
    auto expected = kExpected.find(name);
    REQUIRE_MESSAGE(expected != kExpected.end(), "a corpus file without an expected count");
    auto result = check_file(entry.path());
    CHECK(result.messages.size() == expected->second);
    for (std::size_t i = 0; i < result.messages.size(); ++i)
      CHECK(result.messages[i].ordinal == i + 1);
  }
  CHECK(seen.size() == kExpected.size());
}

TEST_CASE("mbox corpus: quoting is undone by exactly one level") {
  auto rd = check_file(kCorpus / "sample.mboxrd");
  REQUIRE(rd.bodies.size() == 2);
  CHECK(rd.bodies[0].find("\r\n\r\nFrom the beginning, mbox should have been mboxrd\r\n"
                          ">From escaped\r\n"
                          "From not mangled but this line should have been escaped\r\n") !=
        std::string::npos);
  CHECK(rd.bodies[1].find("\r\n >From unchanged\r\n From also unchanged\r\n") != std::string::npos);
  CHECK(rd.bodies[1].find("\r\n>From\r\n") != std::string::npos);  // no blank after From: kept

  auto tb = check_file(kCorpus / "mbox_mboxrd");
  REQUIRE(tb.bodies.size() == 2);
  CHECK(tb.bodies[0].find("\r\nFrom (should be escaped).\r\n") != std::string::npos);
}

TEST_CASE("mbox corpus: dates, flags and keys from real files") {
  auto seps = check_file(kCorpus / "mailseparators.txt");
  REQUIRE(seps.messages.size() == 3);
  CHECK(seps.messages[0].internal_date.to_imap() == "13-Sep-2001 12:30:05 -0400");
  CHECK(seps.messages[1].internal_date.to_imap() == "01-Sep-2001 20:58:00 -0400");

  // Thunderbird's X-Mozilla-Status 0x1003: read, replied, forwarded.
  auto tb = check_file(kCorpus / "mailformed_subject.eml");
  REQUIRE(tb.messages.size() == 1);
  CHECK(tb.messages[0].flags.to_imap() == "\\Seen \\Answered $Forwarded");
  CHECK(tb.messages[0].internal_date.to_imap() == "09-Nov-2011 20:53:04 +0000");

  // git format-patch's placeholder date is not used: Date: is.
  auto git = check_file(kCorpus / "sample.mboxrd");
  CHECK(git.messages[0].internal_date.to_imap() == "09-Jun-2006 00:44:16 -0700");

  // "From - " lines without a date: Date: it is.
  auto cl = check_file(kCorpus / "content-length.mbox.txt");
  REQUIRE(cl.messages.size() == 29);
  CHECK(cl.messages[0].internal_date.to_imap() == "21-Jul-1996 17:02:55 -0800");
  CHECK(cl.messages[0].flags.to_imap() == "\\Seen");

  // 2000 list messages with 9 cross-posted pairs sharing a Message-ID.
  auto big = check_file(kCorpus / "linux-samsung-soc-2020-2000msgs.mboxrd");
  std::set<std::string> keys;
  for (const auto& m : big.messages) keys.insert(m.key.value);
  CHECK(keys.size() == 2000 - 9);

  // ID-less messages get distinct fingerprints.
  auto unq = check_file(kCorpus / "mbox_unquoted");
  REQUIRE(unq.messages.size() == 2);
  CHECK(unq.messages[0].key.is_fingerprint());
  CHECK(unq.messages[0].key != unq.messages[1].key);
}

TEST_CASE("mbox corpus: CRLF and LF copies of the same folder give the same messages") {
  // mbox.win is mbox.src with CRLF line ends and Content-Length: values
  // counted in CRLF bytes; apart from those values, the uploads are the same.
  auto without_length = [](std::string s) {
    std::size_t at;
    while ((at = s.find("\r\nContent-Length: ")) != std::string::npos)
      s.erase(at + 2, s.find("\r\n", at + 2) - at);
    return s;
  };
  auto lf = check_file(kCorpus / "mbox.src");
  auto crlf = check_file(kCorpus / "mbox.win");
  REQUIRE(lf.messages.size() == crlf.messages.size());
  for (std::size_t i = 0; i < lf.messages.size(); ++i) {
    CAPTURE(i);
    CHECK(without_length(lf.bodies[i]) == without_length(crlf.bodies[i]));
    CHECK(lf.messages[i].key == crlf.messages[i].key);
    CHECK(lf.messages[i].flags == crlf.messages[i].flags);
    CHECK(lf.messages[i].internal_date == crlf.messages[i].internal_date);
  }
}

TEST_CASE("mbox corpus: a small read buffer finds the same messages in every file") {
  struct Collect : mailferry::mbox::ScanHandler {
    std::vector<mailferry::mbox::ScannedMessage> m;
    std::size_t problems = 0;
    void message(mailferry::mbox::ScannedMessage&& x) override { m.push_back(std::move(x)); }
    void problem(mailferry::mbox::ScanProblem&&) override { ++problems; }
  };
  for (const auto& entry : fs::directory_iterator(kCorpus)) {
    CAPTURE(entry.path().string());
    Collect big, small;
    mailferry::mbox::ScanOptions options;
    mailferry::mbox::scan_mbox_file(entry.path(), options, big);
    options.buffer_size = 8192;
    mailferry::mbox::scan_mbox_file(entry.path(), options, small);
    REQUIRE(big.m.size() == small.m.size());
    CHECK(big.problems == small.problems);
    for (std::size_t i = 0; i < big.m.size(); ++i) {
      CHECK(big.m[i].offset == small.m[i].offset);
      CHECK(big.m[i].length == small.m[i].length);
      CHECK(big.m[i].size == small.m[i].size);
      CHECK(big.m[i].header == small.m[i].header);
    }
  }
}

TEST_CASE("mbox corpus: the corpus directory as one folder tree") {
  MboxSource source(kCorpus);
  CHECK_FALSE(source.is_single_file());
  auto folders = source.folders();
  CHECK(folders.size() == kExpected.size());
  std::size_t total = 0, expected_total = 0;
  std::set<std::string> names;
  for (const auto& [name, count] : kExpected) expected_total += count;
  for (const auto& f : folders) {
    REQUIRE(f.path.size() == 1);
    names.insert(f.path[0]);
    Sink sink;
    source.scan(f, sink);
    total += sink.messages.size();
  }
  CHECK(total == expected_total);
  CHECK(names.size() == folders.size());  // sample.mbox and sample.mboxrd stay apart
  CHECK(names.count("content-length"));
  CHECK(names.count("sample"));
  CHECK(names.count("sample.mboxrd"));
}
