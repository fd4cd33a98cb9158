// Fuzz target: header scanning, dates and the diff key (mime/header_fields.hpp,
// mime/message_key.hpp).
//
// Input: a header block (or any bytes). Invariants checked, beyond "no crash":
//  - line ends do not matter: the block with every bare LF turned into CRLF
//    (as the upload and the server's copy have it) gives the same fields and
//    the same key, so a file and its uploaded copy are recognised as one;
//  - scan_header_fields agrees with for_each_header_field and
//    find_header_field (first occurrence wins);
//  - a normalized Message-ID is stable: normalizing it again changes nothing;
//  - the key is never empty and depends only on the fields and the size;
//  - a parsed date survives the trip through IMAP's date-time text, and a
//    date with a time of day is also a date;
//  - an mbox From_ line's date agrees with the date parser, and the status
//    fields give flags without undefined behaviour.
#include <strings.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_bytes.hpp"
#include "fuzz_check.hpp"
#include "mailferry/mbox/from_line.hpp"
#include "mailferry/mbox/status_flags.hpp"
#include "mailferry/mime/header_fields.hpp"
#include "mailferry/mime/message_key.hpp"

namespace {

using namespace mailferry;
using fuzz::to_crlf;

bool same(const mime::HeaderFields& a, const mime::HeaderFields& b) {
  return a.message_id == b.message_id && a.date == b.date && a.from == b.from && a.to == b.to &&
         a.cc == b.cc && a.subject == b.subject && a.last_received_date == b.last_received_date &&
         a.status == b.status && a.x_status == b.x_status &&
         a.x_mozilla_status == b.x_mozilla_status && a.x_gmail_labels == b.x_gmail_labels &&
         a.has_disposition_notification_to == b.has_disposition_notification_to;
}

void check_date(std::string_view text) {
  const auto date = mime::parse_rfc5322_date(text);
  const auto timed = mime::parse_date_with_time(text);
  if (timed) {
    FUZZ_CHECK(date.has_value(), "a date with a time is a date");
    FUZZ_CHECK(*date == *timed, "both parsers read the same date");
  }
  if (!date) return;
  FUZZ_CHECK(date->offset_minutes > -24 * 60 && date->offset_minutes < 24 * 60,
             "zones are less than a day");
  const std::string imap = date->to_imap();
  const auto back = core::parse_imap_date(imap);
  FUZZ_CHECK(back.has_value(), "INTERNALDATE text parses again");
  FUZZ_CHECK(*back == *date, "INTERNALDATE text keeps the date");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view block(reinterpret_cast<const char*>(data), size);

  const mime::HeaderFields fields = mime::scan_header_fields(block);
  const std::string crlf = to_crlf(block);
  FUZZ_CHECK(same(fields, mime::scan_header_fields(crlf)), "LF and CRLF give the same fields");

  const core::MessageKey key = mime::message_key(fields, crlf.size());
  FUZZ_CHECK(!key.empty(), "every message has a key");
  FUZZ_CHECK(key == mime::message_key(mime::scan_header_fields(crlf), crlf.size()),
             "LF and CRLF give the same key");

  const std::string id = mime::normalize_message_id(fields.message_id);
  if (!id.empty()) {
    FUZZ_CHECK(id.front() == '<' && id.back() == '>', "a normalized id has angle brackets");
    FUZZ_CHECK(id.find_first_of(" \t\r\n") == std::string::npos, "a normalized id has no blanks");
    // A raw value with a stray '>' ("x@y>") keeps it ("<x@y>>"): the same on
    // both sides of the diff, so only clean ids must be stable.
    if (id.find_first_of("<>", 1) == id.size() - 1 && id.find('(') == std::string::npos)
      FUZZ_CHECK(mime::normalize_message_id(id) == id, "normalizing an id again changes nothing");
    FUZZ_CHECK(key.value == id, "the key of a message with an id is the id");
  } else {
    FUZZ_CHECK(key.is_fingerprint(), "a message without an id gets a fingerprint");
  }

  // The first Date: field, found three ways.
  std::string first_date;
  bool seen = false;
  mime::for_each_header_field(block, [&](std::string_view name, std::string_view value) {
    FUZZ_CHECK(!name.empty() && mime::looks_like_header_field(std::string(name) + ":"),
               "field names look like field names");
    FUZZ_CHECK(value.find('\n') == std::string_view::npos, "values are unfolded");
    if (!seen && name.size() == 4 && strncasecmp(name.data(), "date", 4) == 0) {
      seen = true;
      first_date.assign(value);
    }
  });
  FUZZ_CHECK(first_date == fields.date, "scan_header_fields takes the first Date:");
  const auto found = mime::find_header_field(block, "Date");
  FUZZ_CHECK(found.has_value() == seen && found.value_or("") == first_date,
             "find_header_field finds the first Date:");

  check_date(fields.date);
  check_date(fields.last_received_date);
  check_date(block.substr(0, 256));  // also From_ line dates and free text
  (void)mbox::flags_from_status_headers(fields);
  (void)core::parse_imap_date(block.substr(0, 64));  // what a server sends as INTERNALDATE

  const std::string_view first_line = block.substr(0, block.find('\n'));
  if (first_line.substr(0, 5) == "From ") {
    const mbox::FromLine from = mbox::parse_from_line(first_line);
    if (from.date) FUZZ_CHECK(from.has_date, "a From_ line date is a date");
    if (from.date) check_date(first_line.substr(5));
  }
  return 0;
}
