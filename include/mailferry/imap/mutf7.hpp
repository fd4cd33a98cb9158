// Modified UTF-7 (RFC 3501 section 5.1.3): how IMAP folder names travel on
// the wire. Everything above the IMAP code uses UTF-8.
//
// Both functions are pure and throw Mutf7Error with a message that says what
// is wrong and where; they never return a partial result.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace mailferry::imap {

class Mutf7Error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// UTF-8 to modified UTF-7. Throws Mutf7Error when `utf8` is not valid UTF-8
// (overlong forms, surrogates, truncated sequences, code points past U+10FFFF).
std::string mutf7_encode(std::string_view utf8);

// Modified UTF-7 to UTF-8. Strict: rejects 8-bit bytes, an unterminated or
// malformed shift sequence, non-zero padding bits, unpaired surrogates, and
// printable ASCII hidden in base64.
std::string mutf7_decode(std::string_view mutf7);

}  // namespace mailferry::imap
