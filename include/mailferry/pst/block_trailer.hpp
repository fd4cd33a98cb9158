// The trailer every PST block ends in ([MS-PST] 2.2.2.8.1): after the block's
// bytes and padding to 64 bytes come its size, its block id and a CRC-32 of
// its stored bytes.
//
// libpst reads none of it, so a block overwritten in place (a bad sector, a
// partly copied file) would be parsed as if intact and its message delivered
// with whatever the damaged bytes say. Checking the trailer turns that into a
// damaged item that is reported and left out.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

struct pst_file;
struct pst_index_ll;

namespace mailferry::pst {

// The PST's CRC-32 ([MS-PST] 5.3: the reflected 0xEDB88320 table, starting
// from 0, without the final inversion).
std::uint32_t pst_crc32(std::string_view bytes);

// Where a block's trailer and its CRC field lie, from the block's index
// entry; nullopt for files whose trailers this code does not know (4 KiB
// pages) and for sizes no block can have.
struct TrailerLayout {
  std::uint64_t trailer_at = 0;
  std::uint64_t trailer_size = 0;
  std::uint64_t crc_at = 0;
};
std::optional<TrailerLayout> trailer_layout(const pst_file& file, const pst_index_ll& entry);

// Reads the block's stored bytes and trailer from the file (not through
// libpst's stream, which stays where libpst left it) and checks that the
// trailer names this block and its size, and that the CRC matches. Throws
// FormatError when it does not. Files with 4 KiB pages (Outlook 2013 OSTs)
// are not checked.
void check_block_trailer(const pst_file& file, const pst_index_ll& entry);

}  // namespace mailferry::pst
