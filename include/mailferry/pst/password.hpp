// The PST password, checked as Outlook checks it.
//
// Outlook stores no password and encrypts nothing with it: the message store
// keeps PR_PST_PASSWORD (0x67FF), the CRC-32 of the password, and Outlook
// compares the CRC-32 of what the user types with it before it shows the
// folders. The data blocks are the same with or without a password. So a
// password is a lock on Outlook's door, not on the file: mailferry checks it
// when one is given, and opens the file without it when told to.
#pragma once

#include <cstdint>
#include <string_view>

namespace mailferry::pst {

// PR_PST_PASSWORD is the PST's own CRC-32 (pst_crc32 of pst/block_trailer.hpp,
// the one its blocks carry) of the password.
//
// True when Outlook would accept `password` (UTF-8, as given) for a store
// whose PR_PST_PASSWORD is `stored`. Outlook hashes the bytes of its own
// Windows code page; a password with characters beyond ASCII is therefore
// also tried in `ansi_codepage`. Like Outlook, a different password with the
// same CRC-32 is accepted: the CRC is all the file keeps.
bool password_matches(std::uint32_t stored, std::string_view password, int ansi_codepage);

}  // namespace mailferry::pst
