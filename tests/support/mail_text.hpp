// Small helpers for message bytes in tests.
#pragma once

#include <string>
#include <string_view>

namespace mailferry::testing {

// Bare LF line ends become CRLF, as mail travels over IMAP and POP3.
std::string to_crlf(std::string_view bytes);

}  // namespace mailferry::testing
