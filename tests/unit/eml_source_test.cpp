// EmlSource: one file or a directory of message files; what is left out in
// front of a message, what is not a message, dates, flags, and files that
// change between scan and upload.
#include "mailferry/source/eml_source.hpp"

#include <doctest/doctest.h>
#include <utime.h>

#include <filesystem>
#include <string>
#include <vector>

#include "mailferry/mime/header_fields.hpp"
#include "support/scan_collect.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using mailferry::core::Flag;
using mailferry::core::Role;
using mailferry::source::EmlSource;
using mailferry::source::EmlSourceOptions;
using mailferry::source::SourceMessage;
using mailferry::testing::TempDir;

namespace {

using Sink = mailferry::testing::CollectingSink;

Sink scan(EmlSource& source) {
  Sink sink;
  auto folders = source.folders();
  REQUIRE(folders.size() == 1);
  source.scan(folders[0], sink);
  return sink;
}

std::string read_all(EmlSource& source, const SourceMessage& m, std::size_t chunk = 7) {
  return mailferry::testing::read_body(*source.open(source.folders()[0], m), chunk);
}

void set_mtime(const std::string& path, std::time_t when) {
  utimbuf times{when, when};
  REQUIRE(::utime(path.c_str(), &times) == 0);
}

const std::string kPlain =
    "From: a@example.com\nSubject: hello\nMessage-ID: <1@example.com>\n\nbody\n";
const std::string kPlainCrlf =
    "From: a@example.com\r\nSubject: hello\r\nMessage-ID: <1@example.com>\r\n\r\nbody\r\n";

}  // namespace

TEST_CASE("eml source: a single file is one message in a folder called INBOX") {
  TempDir dir("eml-single");
  const std::string path = dir.write_file("saved.eml", kPlain);
  EmlSource source(path);
  CHECK(source.is_single_file());
  CHECK(source.describe() == "eml:" + path);
  auto folders = source.folders();
  REQUIRE(folders.size() == 1);
  CHECK(folders[0].display_name() == "INBOX");
  CHECK(folders[0].role == Role::Inbox);
  Sink sink = scan(source);
  REQUIRE(sink.messages.size() == 1);
  CHECK(sink.errors.empty());
  const SourceMessage& m = sink.messages[0];
  CHECK(m.key.value == "<1@example.com>");
  CHECK(m.message_id == "<1@example.com>");
  CHECK(m.size == kPlainCrlf.size());
  CHECK(read_all(source, m) == kPlainCrlf);
  CHECK(read_all(source, m, 1) == kPlainCrlf);
}

TEST_CASE("eml source: a directory is one folder of its files in name order") {
  TempDir dir("eml-dir");
  dir.write_file("Sent/b.eml", "Subject: b\n\nb\n");
  dir.write_file("Sent/a.msg", "Subject: a\r\n\r\na\r\n");
  dir.write_file("Sent/C.txt", "Subject: C\n\nC\n");
  dir.write_file("Sent/README", "These are the messages Bob saved.\n");
  dir.write_file("Sent/.DS_Store", "\0\0\0\1Bud1");
  dir.write_file("Sent/nested/d.eml", "Subject: d\n\nd\n");
  EmlSource source(dir.path() / "Sent");
  CHECK_FALSE(source.is_single_file());
  auto folders = source.folders();
  REQUIRE(folders.size() == 1);
  CHECK(folders[0].display_name() == "Sent");
  CHECK(folders[0].role == Role::Sent);

  // Hidden files and sub-directories are notes, not failures.
  REQUIRE(source.notes().size() == 2);
  CHECK(source.notes()[0].where.find(".DS_Store") != std::string::npos);
  CHECK(source.notes()[0].message.find("hidden") != std::string::npos);
  CHECK(source.notes()[1].where.find("nested") != std::string::npos);
  CHECK(source.notes()[1].message.find("sub-directory") != std::string::npos);

  Sink sink = scan(source);
  REQUIRE(sink.messages.size() == 3);
  // Byte order: upper case before lower case, whatever the locale.
  CHECK(read_all(source, sink.messages[0]) == "Subject: C\r\n\r\nC\r\n");
  CHECK(read_all(source, sink.messages[1]) == "Subject: a\r\n\r\na\r\n");
  CHECK(read_all(source, sink.messages[2]) == "Subject: b\r\n\r\nb\r\n");
  CHECK(sink.messages[0].ordinal == 1);
  CHECK(sink.messages[1].ordinal == 3);  // README (2nd by name) failed in between
  CHECK(sink.messages[2].ordinal == 4);
  // A file that is not a message is a per-message error that names it.
  REQUIRE(sink.errors.size() == 1);
  CHECK(sink.errors[0].scope == mailferry::core::ErrorScope::Message);
  CHECK(sink.errors[0].where == (dir.path() / "Sent" / "README").string());
  CHECK(sink.errors[0].message.find("not a message") != std::string::npos);
}

TEST_CASE("eml source: the folder is named after the directory, however the path is written") {
  TempDir dir("eml-names");
  dir.write_file("Drafts/1.eml", "Subject: d\n\n");
  for (const std::string& path :
       {(dir.path() / "Drafts").string(), (dir.path() / "Drafts").string() + "/",
        (dir.path() / "Drafts" / ".").string()}) {
    INFO(path);
    EmlSource source(path);
    auto folders = source.folders();
    REQUIRE(folders.size() == 1);
    CHECK(folders[0].display_name() == "Drafts");
    CHECK(folders[0].role == Role::Drafts);
    CHECK(scan(source).messages.size() == 1);
  }
}

TEST_CASE("eml source: a byte order mark and an mbox From_ line are not part of the message") {
  TempDir dir("eml-front");
  dir.write_file("m/1-bom.eml", "\xEF\xBB\xBFSubject: bom\n\nx\n");
  dir.write_file("m/2-from.eml",
                 "From MAILER-DAEMON Fri Apr 06 16:46:09 2001\nSubject: from\n\nFrom me\n");
  dir.write_file("m/3-both.eml",
                 "\xEF\xBB\xBF"
                 "From - Wed Nov 09 20:53:04 2011\r\nSubject: both\r\n\r\n");
  EmlSource source(dir.path() / "m");
  Sink sink = scan(source);
  REQUIRE(sink.messages.size() == 3);
  CHECK(sink.errors.empty());
  CHECK(read_all(source, sink.messages[0]) == "Subject: bom\r\n\r\nx\r\n");
  CHECK(read_all(source, sink.messages[1]) == "Subject: from\r\n\r\nFrom me\r\n");
  CHECK(read_all(source, sink.messages[2]) == "Subject: both\r\n\r\n");
  for (const auto& m : sink.messages) CHECK(m.size == read_all(source, m).size());
}

TEST_CASE("eml source: files that are not messages are errors naming the file") {
  TempDir dir("eml-bad");
  dir.write_file("m/empty.eml", "");
  dir.write_file("m/only-from-line.eml", "From a@b Mon Jan  1 10:00:00 2001\n");
  dir.write_file("m/outlook.msg", std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0\0", 12));
  dir.write_file("m/text.eml", "Dear Bob,\nno header here.\n");
  dir.write_file("m/huge-header.eml", "Subject: " + std::string(5000, 'x'));
  dir.write_file("m/ok.eml", "Subject: ok\n\n");
  EmlSourceOptions options;
  options.max_header_bytes = 4096;
  EmlSource source(dir.path() / "m", options);
  Sink sink = scan(source);
  REQUIRE(sink.messages.size() == 1);
  CHECK(read_all(source, sink.messages[0]) == "Subject: ok\r\n\r\n");
  REQUIRE(sink.errors.size() == 5);
  auto error_of = [&](const std::string& name) {
    for (const auto& e : sink.errors)
      if (e.where == (dir.path() / "m" / name).string()) return e.message;
    return std::string("(no error)");
  };
  CHECK(error_of("empty.eml").find("empty") != std::string::npos);
  CHECK(error_of("only-from-line.eml").find("nothing follows") != std::string::npos);
  CHECK(error_of("outlook.msg").find("Outlook") != std::string::npos);
  CHECK(error_of("text.eml").find("header field") != std::string::npos);
  CHECK(error_of("huge-header.eml").find("4096") != std::string::npos);
}

TEST_CASE("eml source: INTERNALDATE from Date:, else the last Received:, else the file time") {
  TempDir dir("eml-dates");
  const std::string with_date = dir.write_file(
      "m/1.eml",
      "Received: by b; Tue, 3 Mar 2020 10:00:00 +0000\nDate: Mon, 2 Mar 2020 09:00:00 +0100\n\n");
  const std::string received = dir.write_file("m/2.eml",
                                              "Received: by mx2; Wed, 4 Mar 2020 12:00:00 "
                                              "+0000\nReceived: by mx1; Wed, 4 Mar 2020 11:59:00 "
                                              "+0000 (UTC)\nDate: not a date\n\n");
  const std::string nothing = dir.write_file("m/3.eml", "Subject: undated\n\n");
  set_mtime(nothing, 1'000'000'000);
  EmlSource source(dir.path() / "m");
  Sink sink = scan(source);
  REQUIRE(sink.messages.size() == 3);
  CHECK(sink.messages[0].internal_date ==
        *mailferry::mime::parse_rfc5322_date("Mon, 2 Mar 2020 09:00:00 +0100"));
  CHECK(sink.messages[0].internal_date.offset_minutes == 60);
  CHECK(sink.messages[1].internal_date ==
        *mailferry::mime::parse_rfc5322_date("Wed, 4 Mar 2020 11:59:00 +0000"));
  CHECK(sink.messages[2].internal_date.utc == 1'000'000'000);
}

TEST_CASE("eml source: \\Seen unless told otherwise, and status fields win") {
  TempDir dir("eml-flags");
  dir.write_file("m/1.eml", "Subject: plain\n\n");
  dir.write_file("m/2.eml", "Subject: unread in Thunderbird\nX-Mozilla-Status: 0000\n\n");
  dir.write_file("m/3.eml", "Subject: answered\nStatus: RO\nX-Status: A\n\n");
  dir.write_file("m/4.eml", "Subject: receipt\nDisposition-Notification-To: a@b\n\n");
  {
    EmlSource source(dir.path() / "m");
    Sink sink = scan(source);
    REQUIRE(sink.messages.size() == 4);
    CHECK(sink.messages[0].flags == mailferry::core::Flags(Flag::Seen));
    CHECK(sink.messages[1].flags.empty());
    CHECK(sink.messages[2].flags.has(Flag::Seen));
    CHECK(sink.messages[2].flags.has(Flag::Answered));
    CHECK(sink.messages[3].requests_read_receipt);
  }
  EmlSourceOptions unread;
  unread.mark_seen = false;
  EmlSource source(dir.path() / "m", unread);
  Sink sink = scan(source);
  REQUIRE(sink.messages.size() == 4);
  CHECK(sink.messages[0].flags.empty());
  CHECK(sink.messages[2].flags.has(Flag::Answered));
}

TEST_CASE("eml source: keys without Message-ID depend on the exact CRLF size") {
  TempDir dir("eml-keys");
  dir.write_file("m/lf.eml", "Subject: same\nDate: Mon, 2 Mar 2020 09:00:00 +0100\n\nbody\n");
  dir.write_file("m/crlf.eml",
                 "Subject: same\r\nDate: Mon, 2 Mar 2020 09:00:00 +0100\r\n\r\nbody\r\n");
  dir.write_file("m/longer.eml", "Subject: same\nDate: Mon, 2 Mar 2020 09:00:00 +0100\n\nbody!\n");
  EmlSource source(dir.path() / "m");
  Sink sink = scan(source);
  REQUIRE(sink.messages.size() == 3);
  // crlf.eml, lf.eml, longer.eml: the same upload bytes give the same key.
  CHECK(sink.messages[0].key.is_fingerprint());
  CHECK(sink.messages[0].key == sink.messages[1].key);
  CHECK(sink.messages[1].key != sink.messages[2].key);
}

TEST_CASE("eml source: a file changed after the scan is not uploaded with a wrong size") {
  TempDir dir("eml-changed");
  const std::string path = dir.write_file("m.eml", kPlain);
  EmlSource source(path);
  Sink sink = scan(source);
  REQUIRE(sink.messages.size() == 1);
  dir.write_file("m.eml", kPlain + "appended\n");
  try {
    read_all(source, sink.messages[0]);
    FAIL("a changed file was read");
  } catch (const mailferry::core::SourceError& e) {
    CHECK(e.scope() == mailferry::core::ErrorScope::Message);
    CHECK(std::string(e.what()).find(path) != std::string::npos);
    CHECK(std::string(e.what()).find("changed") != std::string::npos);
  }
  fs::remove(path);
  CHECK_THROWS_AS(source.open(mailferry::source::SourceFolder{}, sink.messages[0]),
                  mailferry::core::SourceError);
  SourceMessage forged = sink.messages[0];
  forged.locator = "garbage";
  CHECK_THROWS_AS(source.open(mailferry::source::SourceFolder{}, forged),
                  mailferry::core::SourceError);
}

TEST_CASE("eml source: a path that does not exist is a source error") {
  TempDir dir("eml-missing");
  try {
    EmlSource source(dir.path() / "nope");
    FAIL("no error");
  } catch (const mailferry::core::SourceError& e) {
    CHECK(e.exit_code() == mailferry::core::kExitSource);
    CHECK(std::string(e.what()).find("nope") != std::string::npos);
  }
}
