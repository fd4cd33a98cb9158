// The compressed RTF body of a message (PR_RTF_COMPRESSED, [MS-OXRTFCP]).
//
// The stored value is a 16-byte header (compressed size, raw size, magic,
// CRC) followed by LZFu-compressed or plain RTF. libpst's decompressor trusts
// the header: it allocates whatever raw size the header names. This checks
// the header first, so a damaged value is refused instead of asking for
// gigabytes.
//
// Never throws (but std::bad_alloc); bounded: the result is at most the raw
// size the header names, which is at most 9 bytes per stored byte.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mailferry::pst {

// The decompressed RTF; nullopt when the header is not a sound LZFu header.
std::optional<std::string> decompress_rtf(std::string_view stored);

// The most bytes decompress_rtf gives for `stored_size` stored bytes.
std::size_t max_decompressed_rtf(std::size_t stored_size);

}  // namespace mailferry::pst
