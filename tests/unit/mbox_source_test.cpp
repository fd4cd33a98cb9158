// MboxSource: folder trees, roles, flags, dates, reading back, and errors.
#include "mailferry/source/mbox_source.hpp"

#include <doctest/doctest.h>
#include <utime.h>

#include <filesystem>
#include <string>
#include <vector>

#include "mailferry/mbox/folder_tree.hpp"
#include "mailferry/sync/state_store.hpp"
#include "support/scan_collect.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using mailferry::core::Flag;
using mailferry::core::Role;
using mailferry::source::MboxSource;
using mailferry::source::SourceFolder;
using mailferry::source::SourceMessage;
using mailferry::testing::read_body;
using mailferry::testing::TempDir;

namespace {

using Sink = mailferry::testing::CollectingSink;

std::string one(const std::string& subject, const std::string& extra = "") {
  return "From a@example.com Mon Jan  1 10:00:00 2001\nSubject: " + subject + "\n" + extra +
         "\nbody of " + subject + "\n\n";
}

const SourceFolder* find(const std::vector<SourceFolder>& folders, const std::string& name) {
  for (const auto& f : folders)
    if (f.display_name() == name) return &f;
  return nullptr;
}

}  // namespace

TEST_CASE("mbox source: a Thunderbird Local Folders tree") {
  TempDir dir("mbox-tree");
  dir.write_file("Inbox", one("in 1") + one("in 2"));
  dir.write_file("Inbox.msf", "// mork index, not mail");
  dir.write_file("Sent", one("sent"));
  dir.write_file("Sent.msf", "");
  dir.write_file("Trash", "");  // empty, but Thunderbird knows it (Trash.msf)
  dir.write_file("Trash.msf", "");
  dir.write_file("Drafts", one("draft", "X-Mozilla-Status: 0000\n"));
  dir.write_file("Unsent Messages", one("outgoing"));
  dir.write_file("Templates", one("template"));
  dir.write_file("Junk", one("spam"));
  dir.write_file("Archives", "");
  dir.write_file("Archives.msf", "");
  dir.write_file("Archives.sbd/2019", one("old"));
  dir.write_file("Archives.sbd/2019.msf", "");
  dir.write_file("Archives.sbd/2019.sbd/Inbox", one("deep"));  // not a role: not top-level
  dir.write_file("Projects/alpha.mbox", one("alpha"));
  dir.write_file("Old.mbox/mbox", one("apple"));  // Apple Mail export bundle
  dir.write_file("Old.mbox/Info.plist", "<plist/>");
  dir.write_file("msgFilterRules.dat", "version=\"9\"\n");
  dir.write_file("notes.txt", "Just some notes.\n");
  dir.write_file("stray-empty", "");
  dir.write_file(".hidden", one("hidden"));

  MboxSource source(dir.path());
  CHECK_FALSE(source.is_single_file());
  auto folders = source.folders();
  std::vector<std::string> names;
  for (const auto& f : folders) names.push_back(f.display_name());
  CHECK(names == std::vector<std::string>{"Archives", "Archives/2019", "Archives/2019/Inbox",
                                          "Drafts", "Inbox", "Junk", "Old", "Projects/alpha",
                                          "Sent", "Templates", "Trash", "Unsent Messages"});
  CHECK(find(folders, "Inbox")->role == Role::Inbox);
  CHECK(find(folders, "Sent")->role == Role::Sent);
  CHECK(find(folders, "Drafts")->role == Role::Drafts);
  CHECK(find(folders, "Trash")->role == Role::Trash);
  CHECK(find(folders, "Junk")->role == Role::Junk);
  CHECK(find(folders, "Archives")->role == Role::Archive);
  CHECK(find(folders, "Unsent Messages")->role == Role::Outbox);
  CHECK(find(folders, "Templates")->role == Role::None);
  CHECK(find(folders, "Archives/2019/Inbox")->role == Role::None);
  REQUIRE(find(folders, "Archives/2019/Inbox")->path.size() == 3);

  // Skipped entries are explained; .msf files and dot files silently.
  std::vector<std::string> noted;
  for (const auto& n : source.notes()) noted.push_back(fs::path(n.where).filename().string());
  CHECK(noted == std::vector<std::string>{"msgFilterRules.dat", "notes.txt", "stray-empty"});

  Sink inbox;
  source.scan(*find(folders, "Inbox"), inbox);
  CHECK(inbox.messages.size() == 2);
  Sink trash;
  source.scan(*find(folders, "Trash"), trash);
  CHECK(trash.messages.empty());
  CHECK(trash.errors.empty());
  Sink apple;
  source.scan(*find(folders, "Old"), apple);
  REQUIRE(apple.messages.size() == 1);
  CHECK(read_body(*source.open(*find(folders, "Old"), apple.messages[0]), 7) ==
        "Subject: apple\r\n\r\nbody of apple\r\n");
}

TEST_CASE("mbox source: a single file is one folder named after it") {
  TempDir dir("mbox-single");
  auto check_name = [&](const std::string& file, const std::string& folder, Role role) {
    CAPTURE(file);
    MboxSource source(dir.write_file(file, one("x")));
    CHECK(source.is_single_file());
    auto folders = source.folders();
    REQUIRE(folders.size() == 1);
    CHECK(folders[0].display_name() == folder);
    CHECK(folders[0].role == role);
    CHECK(source.describe() == "mbox:" + dir.file(file));
  };
  check_name("Inbox.mbox", "Inbox", Role::Inbox);
  check_name("Sent Items.mboxrd", "Sent Items", Role::Sent);
  check_name("list.mbox.txt", "list", Role::None);
  check_name("Archive", "Archive", Role::Archive);
  check_name("data.eml", "data.eml", Role::None);
}

TEST_CASE("mbox source: flags from Status, X-Status and X-Mozilla-Status") {
  TempDir dir("mbox-flags");
  const std::string file = dir.write_file(
      "box", one("none") + one("read", "Status: RO\n") + one("old unread", "Status: O\n") +
                 one("answered flagged", "X-Status: AF\n") +
                 one("deleted draft", "X-Status: DT\n") +
                 one("moz read replied", "X-Mozilla-Status: 0003\n") +
                 one("moz marked expunged", "X-Mozilla-Status: 000c\n") +
                 one("moz forwarded", "X-Mozilla-Status: 1000\n") +
                 one("moz garbage", "X-Mozilla-Status: zz\n") +
                 one("all three", "Status: R\nX-Status: F\nX-Mozilla-Status: 0002\n") +
                 one("receipt", "Disposition-Notification-To: a@example.com\n"));
  MboxSource source(file);
  Sink sink;
  source.scan(source.folders()[0], sink);
  REQUIRE(sink.messages.size() == 11);
  auto flags = [&](std::size_t i) { return sink.messages[i].flags.to_imap(); };
  CHECK(flags(0).empty());
  CHECK(flags(1) == "\\Seen");
  CHECK(flags(2).empty());
  CHECK(flags(3) == "\\Answered \\Flagged");
  CHECK(flags(4) == "\\Deleted \\Draft");
  CHECK(flags(5) == "\\Seen \\Answered");
  CHECK(flags(6) == "\\Flagged \\Deleted");
  CHECK(flags(7) == "$Forwarded");
  CHECK(flags(8).empty());
  CHECK(flags(9) == "\\Seen \\Answered \\Flagged");
  CHECK_FALSE(sink.messages[9].requests_read_receipt);
  CHECK(sink.messages[10].requests_read_receipt);
  // The status fields are not uploaded: their meaning travels as flags.
  CHECK(read_body(*source.open(source.folders()[0], sink.messages[3]), 4096) ==
        "Subject: answered flagged\r\n\r\nbody of answered flagged\r\n");
}

TEST_CASE("mbox source: the store's bookkeeping fields are dropped, a framing Content-Length too") {
  TempDir dir("mbox-bookkeeping");
  const std::string framed_body = "framed\n";
  const std::string file = dir.write_file(
      "box", one("thunderbird",
                 "X-Mozilla-Status: 0001\nX-Mozilla-Status2: 00000000\nX-Mozilla-Keys: "
                 "$label1\n  more\nX-Keep: yes\n") +
                 one("dovecot",
                     "status: RO\nX-Status: A\nX-Keywords: $Junk\nX-UID: 3\nX-IMAP: 1 2\n"
                     "X-IMAPbase: 1 2\n") +
                 one("unframed", "Content-Length: 999\nLines: 1\n") +
                 "From a@example.com Mon Jan  1 10:00:00 2001\nSubject: framed\nStatus: O\n"
                 "Content-Length: " +
                 std::to_string(framed_body.size()) + "\n\n" + framed_body);
  MboxSource source(file);
  Sink sink;
  source.scan(source.folders()[0], sink);
  REQUIRE(sink.messages.size() == 4);
  std::vector<std::string> bodies;
  for (const auto& m : sink.messages) {
    bodies.push_back(read_body(*source.open(source.folders()[0], m), 7));
    CHECK(bodies.back().size() == m.size);
  }
  CHECK(bodies[0] == "Subject: thunderbird\r\nX-Keep: yes\r\n\r\nbody of thunderbird\r\n");
  CHECK(bodies[1] == "Subject: dovecot\r\n\r\nbody of dovecot\r\n");
  // The reader found its end by the From_ lines: Content-Length is the message's.
  CHECK(bodies[2] ==
        "Subject: unframed\r\nContent-Length: 999\r\nLines: 1\r\n\r\nbody of unframed\r\n");
  CHECK(bodies[3] == "Subject: framed\r\n\r\nframed\r\n");
  // What they said is in the flags.
  CHECK(sink.messages[0].flags.to_imap() == "\\Seen");
  CHECK(sink.messages[1].flags.to_imap() == "\\Seen \\Answered");
}

TEST_CASE(
    "mbox source: a message with NUL bytes is named in the report notes, also when the scan "
    "is replayed") {
  TempDir dir("mbox-nul");
  const std::string file = dir.write_file(
      "box", one("clean") + one("with nul", "X-Odd: a" + std::string(1, '\0') + "b\n"));
  MboxSource source(file);
  Sink sink;
  source.scan(source.folders()[0], sink);
  source.scan(source.folders()[0], sink);  // one note, however often it is scanned
  REQUIRE(sink.messages.size() == 4);
  const auto notes = source.report_notes();
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].find("message 2") != std::string::npos);
  CHECK(notes[0].find("NUL") != std::string::npos);

  // The next run replays the kept scan without reading the file: same note.
  mailferry::sync::StateStore store(dir.file("state.sqlite"));
  mailferry::source::MboxSourceOptions options;
  options.scan_cache = &store;
  for (int run = 0; run < 2; ++run) {
    MboxSource cached(file, options);
    Sink again;
    cached.scan(cached.folders()[0], again);
    CHECK(again.messages.size() == 2);
    CHECK(cached.files_read() == (run == 0 ? 1 : 0));
    CHECK(cached.report_notes() == notes);
  }
}

TEST_CASE("mbox source: INTERNALDATE from the From_ line, else Date:, else the file time") {
  TempDir dir("mbox-dates");
  const std::string file = dir.write_file(
      "box",
      "From a@b Thu Sep 13 12:30:05 2001 -0400\nDate: Mon, 1 Jan 2001 00:00:00 +0000\n"
      "Subject: from line wins\n\nx\n\n"
      "From a@b Mon Sep 17 00:00:00 2001\nDate: Fri, 9 Jun 2006 00:44:16 -0700\n"
      "Subject: git placeholder\n\nx\n\n"
      "From - \nDate: Sat, 2 Feb 2019 11:12:13 +0100\nSubject: no date in From_\n\nx\n\n"
      "From - \nSubject: no date at all\n\nx\n\n"
      "From - \nDate: someday\nSubject: unparsable\n\nx\n");
  struct utimbuf times {};
  times.actime = times.modtime = 1234567890;
  REQUIRE(::utime(file.c_str(), &times) == 0);
  MboxSource source(file);
  Sink sink;
  source.scan(source.folders()[0], sink);
  REQUIRE(sink.messages.size() == 5);
  CHECK(sink.errors.empty());
  CHECK(sink.messages[0].internal_date.to_imap() == "13-Sep-2001 12:30:05 -0400");
  CHECK(sink.messages[1].internal_date.to_imap() == "09-Jun-2006 00:44:16 -0700");
  CHECK(sink.messages[2].internal_date.to_imap() == "02-Feb-2019 11:12:13 +0100");
  CHECK(sink.messages[3].internal_date.utc == 1234567890);
  CHECK(sink.messages[4].internal_date.utc == 1234567890);
}

TEST_CASE("mbox source: references carry key, Message-ID, size and a locator open() uses") {
  TempDir dir("mbox-refs");
  const std::string file =
      dir.write_file("box", one("with id", "Message-ID: <Abc@Example.COM> (c)\n") + one("no id") +
                                one("no id") + one("other"));
  MboxSource source(file);
  auto folder = source.folders()[0];
  Sink sink;
  source.scan(folder, sink);
  REQUIRE(sink.messages.size() == 4);
  CHECK(sink.messages[0].key.value == "<Abc@example.com>");
  CHECK(sink.messages[0].message_id == "<Abc@Example.COM> (c)");
  CHECK(sink.messages[1].key.is_fingerprint());
  CHECK(sink.messages[1].key == sink.messages[2].key);  // identical copies: the differ's business
  CHECK(sink.messages[1].key != sink.messages[3].key);
  for (const auto& m : sink.messages) {
    auto reader = source.open(folder, m);
    CHECK(read_body(*reader, 3).size() == m.size);
  }
  SourceMessage forged = sink.messages[0];
  forged.locator = "nonsense";
  CHECK_THROWS_AS(source.open(folder, forged), mailferry::core::SourceError);
}

TEST_CASE("mbox source: bad messages are errors naming file and message number") {
  TempDir dir("mbox-bad");
  const std::string file = dir.write_file(
      "box", "garbage first\n\n" + one("good") +
                 "From a@b Mon Jan  1 10:00:00 2001\nnot a header\n\nbody\n\n" + one("also good"));
  MboxSource source(file);
  Sink sink;
  source.scan(source.folders()[0], sink);
  REQUIRE(sink.messages.size() == 2);
  CHECK(sink.messages[1].ordinal == 3);
  REQUIRE(sink.errors.size() == 2);
  CHECK(sink.errors[0].where == file);
  CHECK(sink.errors[0].message.find("offset 0") != std::string::npos);
  CHECK(sink.errors[1].where == file + ", message 2");
  CHECK(sink.errors[1].scope == mailferry::core::ErrorScope::Message);
}

TEST_CASE("mbox source: unreadable paths are source errors with exit code 4") {
  TempDir dir("mbox-missing");
  try {
    MboxSource source(dir.file("does-not-exist.mbox"));
    FAIL("no exception");
  } catch (const mailferry::core::SourceError& e) {
    CHECK(e.exit_code() == 4);
    CHECK(std::string(e.what()).find("does-not-exist.mbox") != std::string::npos);
  }

  // A folder whose file went away after listing: a folder-scope error.
  const std::string file = dir.write_file("Inbox", one("x"));
  MboxSource source(dir.path());
  auto folders = source.folders();
  REQUIRE(folders.size() == 1);
  fs::remove(file);
  Sink sink;
  try {
    source.scan(folders[0], sink);
    FAIL("no exception");
  } catch (const mailferry::core::SourceError& e) {
    CHECK(e.scope() == mailferry::core::ErrorScope::Folder);
    CHECK(std::string(e.what()).find(file) != std::string::npos);
  }
}

TEST_CASE("mbox source: a file changed after the scan is a message error on read") {
  TempDir dir("mbox-changed");
  const std::string file = dir.write_file("box", one("first") + one("second"));
  MboxSource source(file);
  auto folder = source.folders()[0];
  Sink sink;
  source.scan(folder, sink);
  REQUIRE(sink.messages.size() == 2);
  dir.write_file("box", one("first"));  // truncated behind our back
  try {
    auto reader = source.open(folder, sink.messages[1]);
    read_body(*reader, 4096);
    FAIL("no exception");
  } catch (const mailferry::core::SourceError& e) {
    CHECK(e.scope() == mailferry::core::ErrorScope::Message);
  }
}

TEST_CASE("mbox folder roles by name") {
  using mailferry::mbox::guess_role_from_name;
  CHECK(guess_role_from_name("INBOX") == Role::Inbox);
  CHECK(guess_role_from_name("sent") == Role::Sent);
  CHECK(guess_role_from_name("Sent Messages") == Role::Sent);
  CHECK(guess_role_from_name("Deleted Items") == Role::Trash);
  CHECK(guess_role_from_name("Spam") == Role::Junk);
  CHECK(guess_role_from_name("Archives") == Role::Archive);
  CHECK(guess_role_from_name("Unsent Messages") == Role::Outbox);
  CHECK(guess_role_from_name("Templates") == Role::None);
  CHECK(guess_role_from_name("Projects") == Role::None);
}
