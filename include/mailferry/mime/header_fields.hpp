// Header scanning: the few fields the diff, the flags and the dates need,
// read from a message's header block (everything before the first empty line).
//
// Tolerant by design: unfolds continuation lines, accepts LF or CRLF, 8-bit
// bytes and missing fields; never throws on malformed input.
#pragma once

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
};

// Scans a header block. Stops at the first empty line if the block has a body.
HeaderFields scan_header_fields(std::string_view header_block);

// RFC 5322 date (with the obsolete forms and common breakage: missing weekday,
// two-digit years, named zones, no seconds). nullopt when unparsable.
std::optional<core::InternalDate> parse_rfc5322_date(std::string_view text);

}  // namespace mailferry::mime
