// Text decoding for PST strings.
//
// Unicode PSTs store strings as UTF-16LE (libpst hands them over as UTF-8);
// ANSI PSTs (Outlook 97-2002) store bytes in the Windows code page of the item
// (PR_MESSAGE_CODEPAGE / PR_INTERNET_CPID) or, for folder names, of the machine
// that wrote the file. Everything leaving this module is UTF-8.
//
// None of these functions throw: bytes that cannot be decoded become U+FFFD.
#pragma once

#include <string>
#include <string_view>

struct pst_string;

namespace mailferry::pst {

// The iconv name of a Windows code page ("CP932", "ISO-8859-2", "UTF-8");
// "" for 0 or a code page iconv does not know.
std::string charset_for_codepage(int codepage);

// The MIME (IANA) charset name for a Windows code page ("windows-1252",
// "shift_jis", "iso-2022-jp"); "" when unknown.
std::string mime_charset_for_codepage(int codepage);

// `bytes` in `charset` (an iconv name) to UTF-8; invalid input becomes U+FFFD.
// An empty or unknown charset decodes as windows-1252.
std::string to_utf8(std::string_view bytes, const std::string& charset);

std::string utf16le_to_utf8(std::string_view bytes);

bool is_valid_utf8(std::string_view bytes);

// A libpst string as UTF-8: already-UTF-8 strings are checked (invalid bytes
// replaced), 8-bit strings are decoded with `codepage` (0: unknown).
std::string decode(const pst_string& s, int codepage);

}  // namespace mailferry::pst
