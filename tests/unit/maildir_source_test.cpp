// MaildirSource over hand-made Maildirs: both layouts and their detection,
// what a message's bytes, flags and date become, tmp/ and new/, damaged and
// vanishing files, and re-runs that read nothing they read before.
#include "mailferry/source/maildir_source.hpp"

#include <doctest/doctest.h>
#include <sys/time.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "support/scan_collect.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using mailferry::core::Flag;
using mailferry::core::Role;
using mailferry::maildir::Layout;
using mailferry::source::MaildirSource;
using mailferry::source::MaildirSourceOptions;
using mailferry::source::SourceFolder;
using mailferry::testing::CollectingSink;
using mailferry::testing::TempDir;

namespace {

class MemoryCache : public mailferry::source::ScanCache {
 public:
  std::optional<std::string> load_scan(const std::string& key) override {
    auto it = kept_.find(key);
    if (it == kept_.end()) return std::nullopt;
    return it->second;
  }
  void store_scan(const std::string& key, std::string_view bytes) override {
    kept_[key] = std::string(bytes);
    ++writes;
  }
  void erase_scan(const std::string& key) override {
    kept_.erase(key);
    ++writes;
  }
  int writes = 0;

 private:
  std::map<std::string, std::string> kept_;
};

std::string message(const std::string& subject) {
  return "From: a@example.com\nSubject: " + subject + "\nMessage-ID: <" + subject +
         "@example.com>\n\nbody of " + subject + "\n";
}

// An empty Maildir at `dir` (cur/ new/ tmp/).
void make_maildir(const TempDir& d, const std::string& dir) {
  for (const char* sub : {"cur", "new", "tmp"}) fs::create_directories(d.path() / dir / sub);
}

void set_mtime(const std::string& file, std::time_t t) {
  const timeval times[2] = {{t, 0}, {t, 0}};
  REQUIRE(::utimes(file.c_str(), times) == 0);
}

std::vector<std::string> folder_names(MaildirSource& s) {
  std::vector<std::string> out;
  for (const auto& f : s.folders()) out.push_back(f.display_name());
  return out;
}

const SourceFolder& folder(const std::vector<SourceFolder>& folders, const std::string& name) {
  for (const auto& f : folders)
    if (f.display_name() == name) return f;
  FAIL("no folder " << name);
  return folders.front();
}

CollectingSink scan(MaildirSource& s, const SourceFolder& f) {
  CollectingSink sink;
  s.scan(f, sink);
  return sink;
}

}  // namespace

TEST_CASE("maildir source: a Maildir++ tree is detected, its dot folders split at '.'") {
  TempDir d;
  make_maildir(d, "Maildir");
  make_maildir(d, "Maildir/.Sent");
  make_maildir(d, "Maildir/.Archive.2019");
  make_maildir(d, "Maildir/.Entw&APw-rfe");
  fs::create_directories(d.path() / "Maildir/.git/objects");  // not a Maildir: ignored
  MaildirSource s(d.file("Maildir"));
  const auto folders = s.folders();
  CHECK(s.layout() == Layout::MaildirPlusPlus);
  CHECK(folder_names(s) == std::vector<std::string>{"INBOX", "Archive/2019", "Entwürfe", "Sent"});
  CHECK(folder(folders, "INBOX").role == Role::Inbox);
  CHECK(folder(folders, "Sent").role == Role::Sent);
  CHECK(folder(folders, "Entwürfe").role == Role::Drafts);
  CHECK(folder(folders, "Archive/2019").role == Role::None);
}

TEST_CASE(
    "maildir source: an fs-layout tree is detected, directories without cur/ are only path "
    "components") {
  TempDir d;
  make_maildir(d, "mail/INBOX");
  make_maildir(d, "mail/Sent");
  make_maildir(d, "mail/Archive/2019");
  make_maildir(d, "mail/Archive/2019/Q1");
  MaildirSource s(d.file("mail"));
  CHECK(folder_names(s) ==
        std::vector<std::string>{"Archive/2019", "Archive/2019/Q1", "INBOX", "Sent"});
  CHECK(s.layout() == Layout::Fs);

  // The override reads a tree as the layout it is told.
  MaildirSourceOptions plus;
  plus.layout = Layout::MaildirPlusPlus;
  MaildirSource forced(d.file("mail"), plus);
  CHECK_THROWS_AS(forced.folders(), mailferry::core::SourceError);  // no dot folders, no root
}

TEST_CASE("maildir source: a lone Maildir is INBOX unless its name is a well-known folder") {
  TempDir d;
  make_maildir(d, "Maildir");
  make_maildir(d, "backup/.Sent");
  MaildirSource inbox(d.file("Maildir"));
  CHECK(folder_names(inbox) == std::vector<std::string>{"INBOX"});
  MaildirSource sent(d.file("backup/.Sent"));
  const auto folders = sent.folders();
  REQUIRE(folders.size() == 1);
  CHECK(folders[0].display_name() == "Sent");
  CHECK(folders[0].role == Role::Sent);
}

TEST_CASE("maildir source: no Maildir, a missing path and a file are source errors") {
  TempDir d;
  fs::create_directories(d.path() / "empty/sub");
  MaildirSource empty(d.file("empty"));
  CHECK_THROWS_AS(empty.folders(), mailferry::core::SourceError);
  CHECK_THROWS_AS(MaildirSource(d.file("missing")), mailferry::core::SourceError);
  CHECK_THROWS_AS(MaildirSource(d.write_file("file", "x")), mailferry::core::SourceError);
}

TEST_CASE("maildir source: flags from names, new/ unread, tmp/ never read, dates from mtime") {
  TempDir d;
  make_maildir(d, "M");
  d.write_file("M/dovecot-keywords", "0 $Forwarded\n1 Work\n");
  set_mtime(d.write_file("M/cur/1000.a,S=" + std::to_string(message("one").size()) + ":2,FRSab",
                         message("one")),
            1551693600);
  set_mtime(d.write_file("M/cur/1001.b:2,ST", message("two")), 1551780000);
  set_mtime(d.write_file("M/new/1002.c", message("three")), 1551866400);
  set_mtime(d.write_file("M/new/1003.d:2,S", message("four")), 1551952800);
  d.write_file("M/tmp/1004.e", message("half-delivered"));
  d.write_file("M/cur/.hidden", message("hidden"));

  MaildirSource s(d.file("M"));
  const auto folders = s.folders();
  CollectingSink sink = scan(s, folders.at(0));
  CHECK(sink.errors.empty());
  REQUIRE(sink.messages.size() == 4);
  const auto& one = sink.messages[0];
  CHECK(one.message_id == "<one@example.com>");
  CHECK(one.flags.has(Flag::Flagged));
  CHECK(one.flags.has(Flag::Answered));
  CHECK(one.flags.has(Flag::Seen));
  CHECK(one.flags.has(Flag::Forwarded));
  CHECK(one.flags.other_keywords() == std::vector<std::string>{"Work"});
  CHECK(one.internal_date.utc == 1551693600);
  CHECK(sink.messages[1].flags.has(Flag::Seen));
  CHECK(!sink.messages[1].flags.has(Flag::Deleted));  // T: copied, not marked deleted
  CHECK(sink.messages[2].flags.empty());
  CHECK(!sink.messages[3].flags.has(Flag::Seen));  // in new/: nobody has seen it
  CHECK(sink.messages[3].internal_date.utc == 1551952800);

  // LF in the file, CRLF in the upload; size is the upload size.
  const std::string body = mailferry::testing::read_body(*s.open(folders[0], one), 5);
  CHECK(body.size() == one.size);
  CHECK(body.find("Subject: one\r\n") != std::string::npos);
  CHECK(body.find("\n\n") == std::string::npos);

  const auto notes = s.report_notes();
  CHECK(std::any_of(notes.begin(), notes.end(), [](const std::string& n) {
    return n.find("1 message marked trashed (T) in the Maildir was copied") != std::string::npos;
  }));
  CHECK(std::none_of(notes.begin(), notes.end(), [](const std::string& n) {
    return n.find("keywords not carried") != std::string::npos;
  }));
}

TEST_CASE("maildir source: CRLF files pass unchanged") {
  TempDir d;
  make_maildir(d, "M");
  const std::string crlf = "Subject: crlf\r\nMessage-ID: <c@x>\r\n\r\nbody\r\n";
  d.write_file("M/cur/1.a:2,S", crlf);
  MaildirSource s(d.file("M"));
  const auto folders = s.folders();
  CollectingSink sink = scan(s, folders.at(0));
  REQUIRE(sink.messages.size() == 1);
  CHECK(mailferry::testing::read_body(*s.open(folders[0], sink.messages[0]), 3) == crlf);
}

TEST_CASE(
    "maildir source: a file cut shorter than its S= and a file that is no message are "
    "errors of their own, the rest goes on") {
  TempDir d;
  make_maildir(d, "M");
  const std::string whole = message("cut");
  d.write_file("M/cur/1.a,S=" + std::to_string(whole.size()) + ":2,S", whole.substr(0, 20));
  d.write_file("M/cur/2.b:2,S", "");
  d.write_file("M/cur/3.c:2,S", message("fine"));
  MaildirSource s(d.file("M"));
  CollectingSink sink = scan(s, s.folders().at(0));
  REQUIRE(sink.errors.size() == 2);
  CHECK(sink.errors[0].where == d.file("M/cur/1.a,S=" + std::to_string(whole.size()) + ":2,S"));
  CHECK(sink.errors[0].message.find("S=") != std::string::npos);
  CHECK(sink.errors[1].where == d.file("M/cur/2.b:2,S"));
  REQUIRE(sink.messages.size() == 1);
  CHECK(sink.messages[0].message_id == "<fine@example.com>");
}

TEST_CASE(
    "maildir source: a file renamed after the scan is found, a file deleted is that "
    "message's error") {
  TempDir d;
  make_maildir(d, "M");
  d.write_file("M/new/1.a", message("moved"));
  d.write_file("M/cur/2.b:2,S", message("deleted"));
  MaildirSource s(d.file("M"));
  const auto folders = s.folders();
  CollectingSink sink = scan(s, folders.at(0));
  REQUIRE(sink.messages.size() == 2);
  // A mail program reads the first (new/ to cur/, flag S) and deletes the second.
  fs::rename(d.path() / "M/new/1.a", d.path() / "M/cur/1.a:2,S");
  fs::remove(d.path() / "M/cur/2.b:2,S");
  CHECK(mailferry::testing::read_body(*s.open(folders[0], sink.messages[0]), 64).size() ==
        sink.messages[0].size);
  try {
    s.open(folders[0], sink.messages[1]);
    FAIL("a deleted file was opened");
  } catch (const mailferry::core::SourceError& e) {
    CHECK(e.scope() == mailferry::core::ErrorScope::Message);
    CHECK(std::string(e.what()).find(d.file("M/cur/2.b:2,S")) != std::string::npos);
  }
  // A locator that leaves the folder is refused.
  auto forged = sink.messages[0];
  forged.locator = "0+10:cur/../../etc/passwd";
  CHECK_THROWS_AS(s.open(folders[0], forged), mailferry::core::SourceError);
}

TEST_CASE(
    "maildir source: a re-run reads only new and changed files, and sees renames "
    "without reading") {
  TempDir d;
  make_maildir(d, "M");
  d.write_file("M/cur/1.a:2,S", message("one"));
  d.write_file("M/new/2.b", message("two"));
  MemoryCache cache;
  MaildirSourceOptions options;
  options.scan_cache = &cache;

  MaildirSource first(d.file("M"), options);
  CollectingSink a = scan(first, first.folders().at(0));
  CHECK(first.files_read() == 2);

  const int writes = cache.writes;
  MaildirSource second(d.file("M"), options);
  CollectingSink b = scan(second, second.folders().at(0));
  CHECK(second.files_read() == 0);
  CHECK(cache.writes == writes);  // nothing new: nothing written either
  REQUIRE(b.messages.size() == 2);
  CHECK(b.messages[0].key == a.messages[0].key);
  CHECK(b.messages[1].size == a.messages[1].size);

  // Read and flagged in a mail program (renamed), and a new delivery.
  fs::rename(d.path() / "M/new/2.b", d.path() / "M/cur/2.b:2,FS");
  d.write_file("M/new/3.c", message("three"));
  MaildirSource third(d.file("M"), options);
  CollectingSink c = scan(third, third.folders().at(0));
  CHECK(third.files_read() == 1);
  REQUIRE(c.messages.size() == 3);
  CHECK(c.messages[1].flags.has(Flag::Flagged));
  CHECK(c.messages[1].locator.find("cur/2.b:2,FS") != std::string::npos);
  CHECK(c.messages[2].message_id == "<three@example.com>");

  // A file gone is forgotten: the memo is written again without it.
  fs::remove(d.path() / "M/cur/1.a:2,S");
  MaildirSource fourth(d.file("M"), options);
  CHECK(scan(fourth, fourth.folders().at(0)).messages.size() == 2);
  CHECK(fourth.files_read() == 0);
  MaildirSource fifth(d.file("M"), options);
  CHECK(scan(fifth, fifth.folders().at(0)).messages.size() == 2);
  CHECK(fifth.files_read() == 0);
}

TEST_CASE(
    "maildir source: with S= and W= in the name the scan takes the size from W= and the "
    "upload guards it") {
  TempDir d;
  make_maildir(d, "M");
  const std::string body = message("sized");  // LF only: CRLF adds one byte a line
  const std::size_t lines = static_cast<std::size_t>(std::count(body.begin(), body.end(), '\n'));
  const std::string s = std::to_string(body.size());
  d.write_file("M/cur/1.a,S=" + s + ",W=" + std::to_string(body.size() + lines) + ":2,S", body);
  // A W= that does not describe the file: taken by the scan, refused at upload.
  d.write_file("M/cur/2.b,S=" + s + ",W=" + std::to_string(body.size() + lines + 7) + ":2,S", body);
  // Without S=, W= is not trusted: the file is read through.
  d.write_file("M/cur/3.c,W=1:2,S", body);
  MaildirSource source(d.file("M"));
  const auto folders = source.folders();
  CollectingSink sink = scan(source, folders.at(0));
  REQUIRE(sink.messages.size() == 3);
  CHECK(sink.messages[0].size == body.size() + lines);
  CHECK(mailferry::testing::read_body(*source.open(folders[0], sink.messages[0]), 9).size() ==
        body.size() + lines);
  CHECK(sink.messages[1].size == body.size() + lines + 7);
  CHECK_THROWS_AS(mailferry::testing::read_body(*source.open(folders[0], sink.messages[1]), 9),
                  mailferry::core::SourceError);
  CHECK(sink.messages[2].size == body.size() + lines);
}
