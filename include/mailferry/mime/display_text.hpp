// Header values as a person reads them in one line of output: the sender and
// subject that name a message in `check`, `-v` and dry-run lines.
//
// RFC 2047 encoded words are decoded and stray 8-bit text becomes UTF-8;
// control characters (a terminal escape in a subject) become blanks, runs of
// blanks one space; a long value is cut at a character boundary and ends in
// "...". Never throws on malformed input.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mailferry::mime {

// Characters of a sender and a subject kept for display: enough to recognise
// a message, short enough that its line still fits a terminal.
inline constexpr std::size_t kSenderDisplayChars = 40;
inline constexpr std::size_t kSubjectDisplayChars = 60;

// The unstructured text of a header value with its encoded words decoded, in
// UTF-8 (nothing else changed).
std::string decode_header_text(std::string_view value);

// A Subject: value, decoded, on one line, at most `max_chars` characters.
std::string display_subject(std::string_view raw, std::size_t max_chars = kSubjectDisplayChars);

// A From: value as a person names the sender: the display name when there is
// one ("Alice Example"), else the address; decoded, at most `max_chars`.
std::string display_sender(std::string_view raw, std::size_t max_chars = kSenderDisplayChars);

}  // namespace mailferry::mime
