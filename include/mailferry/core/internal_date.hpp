// The date a message is filed under on the server (IMAP INTERNALDATE).
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace mailferry::core {

struct InternalDate {
  std::time_t utc = 0;     // seconds since the epoch, UTC
  int offset_minutes = 0;  // the sender's zone, kept so the server shows local time
  bool operator==(const InternalDate&) const = default;

  // IMAP date-time: "02-Feb-2019 11:12:13 +0100" (RFC 3501 date-time, without quotes).
  std::string to_imap() const;
};

// Parses IMAP date-time as servers return it in FETCH INTERNALDATE (quotes stripped).
std::optional<InternalDate> parse_imap_date(std::string_view text);

}  // namespace mailferry::core
