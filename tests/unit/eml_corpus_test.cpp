// EmlSource on every file of the shared corpus's eml/ directory: each file is
// one message whose bytes are the file with CRLF line ends, or one error that
// names the file.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "mailferry/mime/header_fields.hpp"
#include "mailferry/source/eml_source.hpp"
#include "support/scan_collect.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using mailferry::core::ErrorRecord;
using mailferry::source::EmlSource;
using mailferry::source::SourceMessage;
using mailferry::testing::read_body;

namespace {

const fs::path kCorpus = fs::path(MAILFERRY_CORPUS_DIR) / "eml";

using Sink = mailferry::testing::CollectingSink;

// Written independently of mbox::LineTranscoder on purpose: the reference
// must not share the code it checks.
std::string crlf_reference(const std::string& file) {
  std::string_view in(file);
  if (in.substr(0, 5) == "From ") in.remove_prefix(in.find('\n') + 1);  // msg_25.txt, msg_43.txt
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r')) out += '\r';
    out += in[i];
  }
  return out;
}

std::string file_name(const std::string& path) { return fs::path(path).filename().string(); }

}  // namespace

TEST_CASE("eml corpus: every file is a byte-exact CRLF message or an error naming it") {
  REQUIRE(fs::is_directory(kCorpus));
  std::set<std::string> files;
  for (const auto& entry : fs::directory_iterator(kCorpus)) files.insert(entry.path().string());
  REQUIRE(files.size() >= 30);

  EmlSource source(kCorpus);
  auto folders = source.folders();
  REQUIRE(folders.size() == 1);
  CHECK(folders[0].display_name() == "eml");
  CHECK(source.notes().empty());
  Sink sink;
  source.scan(folders[0], sink);
  CHECK(sink.messages.size() + sink.errors.size() == files.size());

  std::set<std::string> seen;
  for (const auto& e : sink.errors) {
    INFO(e.where << ": " << e.message);
    CHECK(files.count(e.where) == 1);
    CHECK(seen.insert(e.where).second);
  }
  // The one file of the corpus that has no header block at all.
  REQUIRE(sink.errors.size() == 1);
  CHECK(file_name(sink.errors[0].where) == "malformedHeader-noheader.msg");
  CHECK(sink.errors[0].message.find("header field") != std::string::npos);

  std::uint64_t previous = 0;
  for (const auto& m : sink.messages) {
    auto reader = source.open(folders[0], m);
    const std::string bytes = read_body(*reader, 1000);
    const std::string path = m.locator.substr(m.locator.find(':') + 1);
    INFO(path);
    CHECK(files.count(path) == 1);
    CHECK(seen.insert(path).second);
    CHECK(m.ordinal > previous);  // files come in name order
    previous = m.ordinal;
    CHECK(bytes.size() == m.size);
    CHECK(bytes == crlf_reference(mailferry::testing::read_file(path)));
    CHECK_FALSE(m.key.empty());
    CHECK(m.internal_date.utc > 0);
  }
  CHECK(seen.size() == files.size());
}

TEST_CASE("eml corpus: keys, dates and the two duplicate Message-ID pairs") {
  EmlSource source(kCorpus);
  auto folders = source.folders();
  Sink sink;
  source.scan(folders[0], sink);
  std::map<std::string, SourceMessage> by_name;
  for (const auto& m : sink.messages) by_name[file_name(m.locator)] = m;

  // Same Message-ID, different messages: one key, as the diff is designed
  // (the second copy counts as already there).
  CHECK(by_name.at("msg-1-1.eml").key == by_name.at("msg-1-2.eml").key);
  CHECK(by_name.at("openbmc-2e8e12cde9bf.eml").key == by_name.at("openbmc-de12990118b0.eml").key);
  // Without a Message-ID the key is a fingerprint, different per message.
  CHECK(by_name.at("utf8_headers.eml").key.is_fingerprint());
  CHECK(by_name.at("testRFC822_i18nheaders").key.is_fingerprint());
  CHECK(by_name.at("utf8_headers.eml").key != by_name.at("testRFC822_i18nheaders").key);

  // Date: "Wed, 10 Nov 2010 ..." wins; an empty Date: falls back to the last Received:.
  const auto received = mailferry::mime::parse_rfc5322_date("Fri, 10 Dec 2010 22:08:27 -0800");
  REQUIRE(received);
  CHECK(by_name.at("bad_date_header.eml").internal_date == *received);
  // Saved messages arrive as read.
  CHECK(by_name.at("nodemailer.eml").flags.has(mailferry::core::Flag::Seen));
}
