// Header scanning: the few fields the diff, the flags and the dates need,
// read from a message's header block (everything before the first empty line).
//
// Tolerant by design: unfolds continuation lines, accepts LF or CRLF, 8-bit
// bytes and missing fields; never throws on malformed input.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "mailferry/core/internal_date.hpp"

namespace mailferry::mime {

struct HeaderFields {
  // Unfolded raw values (leading/trailing white space trimmed), empty when absent.
  std::string message_id;
  std::string date;
  std::string from;
  std::string to;
  std::string cc;
  std::string subject;
  std::string last_received_date;  // the date after ';' in the last Received: field
  std::string status;              // mbox Status:
  std::string x_status;            // mbox X-Status:
  std::string x_mozilla_status;    // Thunderbird X-Mozilla-Status: (hex)
  std::string x_gmail_labels;      // Gmail Takeout X-Gmail-Labels:
  bool has_disposition_notification_to = false;
  // Bytes the block's bookkeeping fields take (mime/bookkeeping_fields.hpp),
  // every occurrence with its continuation lines and line ends.
  std::uint64_t bookkeeping_bytes = 0;
};

// Scans a header block. Stops at the first empty line if the block has a body.
// Where a field appears more than once, the first occurrence counts (except
// Received:, where the last one does).
HeaderFields scan_header_fields(std::string_view header_block);

// Calls `visit(name, value)` for every field of the header block, in order, with
// the value unfolded (CR/LF of folding removed) and trimmed. Lines that are not
// "name: value" (a stray mbox From_ line, garbage) are skipped, and so are the
// continuation lines that follow them. Stops at the first empty line.
void for_each_header_field(
    std::string_view header_block,
    const std::function<void(std::string_view name, std::string_view value)>& visit);

// The unfolded, trimmed value of the first field called `name` (case-insensitive).
std::optional<std::string> find_header_field(std::string_view header_block, std::string_view name);

// The name of the field that `line` starts (without the colon and the blanks
// before it); empty when the line does not start a field.
std::string_view header_field_name(std::string_view line);

// Whether a line starts like a header field: a name of printable ASCII without
// ':' (at most 256 octets), optional blanks, then ':'.
bool looks_like_header_field(std::string_view line);

// RFC 5322 date (with the obsolete forms and common breakage: missing weekday,
// two-digit years, named zones, military zones, no seconds, comments, extra
// blanks, garbage after the date; also the asctime order "Wed Feb  1 19:06:09
// 2006" that some archivers write into Date:). A missing zone counts as UTC;
// a missing time as midnight. nullopt when day, month or year cannot be found
// or a value is out of range.
std::optional<core::InternalDate> parse_rfc5322_date(std::string_view text);

// The same, but a time of day is required (used for mbox From_ lines, where a
// bare day and month in free text must not pass for a date).
std::optional<core::InternalDate> parse_date_with_time(std::string_view text);

}  // namespace mailferry::mime
