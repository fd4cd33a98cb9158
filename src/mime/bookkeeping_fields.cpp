#include "mailferry/mime/bookkeeping_fields.hpp"

#include <strings.h>

#include <array>

namespace mailferry::mime {
namespace {

// Dovecot's mbox reader hides the first seven; Thunderbird writes the three
// X-Mozilla ones into every message of its mbox files.
constexpr std::array<std::string_view, 10> kNames = {
    "Status",         "X-Status",         "X-Keywords",
    "X-UID",          "X-IMAP",           "X-IMAPbase",
    "Content-Length", "X-Mozilla-Status", "X-Mozilla-Status2",
    "X-Mozilla-Keys"};

}  // namespace

bool is_bookkeeping_field(std::string_view name) {
  for (std::string_view known : kNames)
    if (known.size() == name.size() && strncasecmp(known.data(), name.data(), name.size()) == 0)
      return true;
  return false;
}

std::string_view bookkeeping_field_names() {
  return "Status X-Status X-Keywords X-UID X-IMAP X-IMAPbase Content-Length X-Mozilla-Status "
         "X-Mozilla-Status2 X-Mozilla-Keys";
}

}  // namespace mailferry::mime
