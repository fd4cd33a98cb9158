#include "mailferry/mbox/status_flags.hpp"

#include <cstdint>

namespace mailferry::mbox {
namespace {

// X-Mozilla-Status is four hex digits; anything else is ignored rather than
// guessed at, since a wrong \Deleted is worse than a missing \Seen.
bool parse_hex(std::string_view text, std::uint32_t& value) {
  if (text.substr(0, 2) == "0x" || text.substr(0, 2) == "0X") text.remove_prefix(2);
  if (text.empty() || text.size() > 8) return false;
  value = 0;
  for (char c : text) {
    int digit;
    if (c >= '0' && c <= '9')
      digit = c - '0';
    else if (c >= 'a' && c <= 'f')
      digit = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      digit = c - 'A' + 10;
    else
      return false;
    value = value * 16 + static_cast<std::uint32_t>(digit);
  }
  return true;
}

}  // namespace

core::Flags flags_from_status_headers(const mime::HeaderFields& fields) {
  core::Flags flags;
  for (char c : fields.status)
    if (c == 'R') flags.add(core::Flag::Seen);
  for (char c : fields.x_status) {
    switch (c) {
      case 'A':
        flags.add(core::Flag::Answered);
        break;
      case 'F':
        flags.add(core::Flag::Flagged);
        break;
      case 'D':
        flags.add(core::Flag::Deleted);
        break;
      case 'T':
        flags.add(core::Flag::Draft);
        break;
      default:
        break;
    }
  }
  std::uint32_t bits = 0;
  if (parse_hex(fields.x_mozilla_status, bits)) {
    if (bits & 0x0001) flags.add(core::Flag::Seen);
    if (bits & 0x0002) flags.add(core::Flag::Answered);
    if (bits & 0x0004) flags.add(core::Flag::Flagged);
    if (bits & 0x0008) flags.add(core::Flag::Deleted);
    if (bits & 0x1000) flags.add(core::Flag::Forwarded);
  }
  return flags;
}

}  // namespace mailferry::mbox
