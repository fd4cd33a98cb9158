// The Source conformance suite: every row of source_conformance_rows.cpp
// (mbox, Thunderbird tree, eml, PST, Gmail Takeout, Maildir, POP3) must keep the
// contract of source/source.hpp, checked the same way for each.
#include <doctest/doctest.h>
#include <strings.h>

#include <algorithm>
#include <string>
#include <vector>

#include "mailferry/mime/bookkeeping_fields.hpp"
#include "mailferry/mime/header_fields.hpp"
#include "mailferry/mime/message_key.hpp"
#include "source_conformance_rows.hpp"
#include "support/scan_collect.hpp"

using namespace mailferry;
using conformance::Opened;
using conformance::Row;
using conformance::rows;
using conformance::Workspace;

namespace {

struct Scanned {
  source::SourceFolder folder;
  source::SourceMessage message;
};

struct Scan {
  std::vector<Scanned> messages;
  std::vector<core::ErrorRecord> errors;
};

Scan scan_all(source::Source& source) {
  Scan out;
  for (const auto& folder : source.folders()) {
    testing::CollectingSink sink;
    source.scan(folder, sink);
    for (auto& m : sink.messages) out.messages.push_back({folder, std::move(m)});
    for (auto& e : sink.errors) out.errors.push_back(std::move(e));
  }
  return out;
}

std::string read_all(source::Source& source, const Scanned& s) {
  auto reader = source.open(s.folder, s.message);
  return testing::read_body(*reader, 4093);  // an odd piece size: pieces end anywhere
}

// What a comparison of two scans looks at, one line per message.
std::vector<std::string> fingerprint_lines(const Scan& scan) {
  std::vector<std::string> out;
  for (const auto& s : scan.messages)
    out.push_back(s.folder.display_name() + " " + s.message.locator + " " + s.message.key.value +
                  " " + std::to_string(s.message.size) + " " +
                  s.message.flags.to_imap() + " " +
                  std::to_string(s.message.internal_date.utc));
  return out;
}

// "" when the body ends every line with CRLF and has no other CR or LF; else
// where the first offender is.
std::string line_end_problem(const std::string& body) {
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '\n' && (i == 0 || body[i - 1] != '\r'))
      return "bare LF at byte " + std::to_string(i);
    if (body[i] == '\r' && (i + 1 == body.size() || body[i + 1] != '\n'))
      return "bare CR at byte " + std::to_string(i);
  }
  return "";
}

bool is_content_length(std::string_view name) {
  return name.size() == 14 && strncasecmp(name.data(), "Content-Length", 14) == 0;
}

// Runs `check` for every row: a workspace of its own, the row's source
// opened and scanned once (a row without messages fails here).
template <class Check>
void for_each_source(Check&& check) {
  for (const Row& row : rows()) {
    CAPTURE(row.name);
    Workspace w;
    Opened opened = row.open(w);
    const Scan scan = scan_all(*opened.source);
    REQUIRE(!scan.messages.empty());
    check(row, w, opened, scan);
  }
}

}  // namespace

TEST_CASE("source conformance: sizes are the bytes read, and bodies end lines with CRLF only") {
  for_each_source([](const Row&, Workspace&, Opened& opened, const Scan& scan) {
    CHECK(scan.errors.empty());
    for (const auto& s : scan.messages) {
      CAPTURE(s.message.ordinal);
      const std::string body = read_all(*opened.source, s);
      CHECK(body.size() == s.message.size);
      CHECK(line_end_problem(body) == "");
    }
  });
}

TEST_CASE("source conformance: keys are stable across scans and equal what the target computes") {
  for_each_source([](const Row& row, Workspace& w, Opened& first, const Scan& scan) {
    // The same object again, and a new one (the next run).
    CHECK(fingerprint_lines(scan_all(*first.source)) == fingerprint_lines(scan));
    Opened second = row.open(w);
    CHECK(fingerprint_lines(scan_all(*second.source)) == fingerprint_lines(scan));
    for (const auto& s : scan.messages) {
      CAPTURE(s.message.ordinal);
      // What the IMAP side computes from the stored copy's header fields and
      // its RFC822.SIZE.
      const std::string body = read_all(*first.source, s);
      CHECK(s.message.key == mime::message_key(mime::scan_header_fields(body), body.size()));
    }
  });
}

TEST_CASE("source conformance: flags and INTERNALDATE come from the format where it has them") {
  for_each_source([](const Row& row, Workspace&, Opened&, const Scan& scan) {
    const bool some_flag = std::any_of(scan.messages.begin(), scan.messages.end(),
                                       [](const Scanned& s) { return !s.message.flags.empty(); });
    if (row.has_flags) CHECK(some_flag);
    if (row.has_dates) {
      // Every message has a date of its own: not 0, and not all the same.
      for (const auto& s : scan.messages) CHECK(s.message.internal_date.utc > 0);
      if (scan.messages.size() > 1)
        CHECK(std::any_of(scan.messages.begin(), scan.messages.end(), [&](const Scanned& s) {
          return s.message.internal_date.utc != scan.messages.front().message.internal_date.utc;
        }));
    }
  });
}

TEST_CASE("source conformance: a damaged item is an error of its own scope, never a crash") {
  for_each_source([](const Row& row, Workspace& w, Opened& opened, const Scan& scan) {
    // A message that is not (or no longer) in the source: its open() fails
    // for that message only.
    Scanned forged = scan.messages.front();
    forged.message.locator = "not-a-locator-of-any-source";
    try {
      read_all(*opened.source, forged);
      FAIL("a forged locator was opened");
    } catch (const core::SourceError& e) {
      CHECK(e.scope() == core::ErrorScope::Message);
    }
    if (!row.open_damaged) return;
    // A truncated copy: everything reported as a SourceError or a scan
    // error (anything else escapes and fails the test), and, where only one
    // item is damaged, the others still come through whole.
    std::size_t reported = 0, delivered = 0;
    try {
      Opened damaged = row.open_damaged(w);
      for (const auto& folder : damaged.source->folders()) {
        testing::CollectingSink sink;
        try {
          damaged.source->scan(folder, sink);
        } catch (const core::SourceError& e) {
          CHECK(e.scope() == core::ErrorScope::Folder);
          ++reported;
        }
        reported += sink.errors.size();
        for (const auto& m : sink.messages) {
          try {
            const std::string body = read_all(*damaged.source, {folder, m});
            CHECK(body.size() == m.size);
            ++delivered;
          } catch (const core::SourceError& e) {
            CHECK(e.scope() == core::ErrorScope::Message);
            ++reported;
          }
        }
      }
    } catch (const core::SourceError&) {
      ++reported;  // the whole source refused: its own scope
    }
    CHECK(reported > 0);
    if (row.damage_spares_the_rest) CHECK(delivered > 0);
  });
}

TEST_CASE(
    "source conformance: a second scan of unchanged input reads nothing again where a "
    "source keeps a scan cache") {
  for_each_source([](const Row& row, Workspace& w, Opened& first, const Scan& scan) {
    if (!first.reads) return;  // no cache promised
    CHECK(first.reads() > 0);
    Opened second = row.open(w);
    const Scan again = scan_all(*second.source);
    CHECK(second.reads() == 0);
    CHECK(fingerprint_lines(again) == fingerprint_lines(scan));
    CHECK(again.errors.size() == scan.errors.size());
  });
}

TEST_CASE("source conformance: removal removes exactly what was asked, where a source can remove") {
  for_each_source([](const Row& row, Workspace& w, Opened& opened, const Scan& scan) {
    REQUIRE(scan.messages.size() >= 3);
    const Scanned& victim = scan.messages[1];
    if (!opened.source->supports_removal()) {
      CHECK_THROWS_AS(opened.source->remove(victim.folder, {victim.message}), core::SourceError);
      CHECK(fingerprint_lines(scan_all(*row.open(w).source)) == fingerprint_lines(scan));
      return;
    }
    const auto result = opened.source->remove(victim.folder, {victim.message});
    CHECK(result.removed == std::vector<std::string>{victim.message.locator});
    CHECK(result.failed.empty());
    std::vector<std::string> expected = fingerprint_lines(scan);
    expected.erase(expected.begin() + 1);
    CHECK(fingerprint_lines(scan_all(*row.open(w).source)) == expected);
  });
}

TEST_CASE(
    "source conformance: the message handed out is the message as sent, without the store's "
    "bookkeeping fields") {
  for_each_source([](const Row&, Workspace&, Opened& opened, const Scan& scan) {
    for (const auto& s : scan.messages) {
      CAPTURE(s.message.ordinal);
      const std::string body = read_all(*opened.source, s);
      // A Content-Length: that did not frame the message in its file is the
      // message's own and stays; the other bookkeeping fields never do.
      std::vector<std::string> bookkeeping;
      mime::for_each_header_field(body, [&](std::string_view name, std::string_view) {
        if (mime::is_bookkeeping_field(name) && !is_content_length(name))
          bookkeeping.emplace_back(name);
      });
      CHECK(bookkeeping.empty());
    }
  });
}
