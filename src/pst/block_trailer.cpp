#include "mailferry/pst/block_trailer.hpp"

#include <libpst/libpst.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <string>

#include "mailferry/pst/node_reader.hpp"

namespace mailferry::pst {
namespace {

constexpr std::array<std::uint32_t, 256> make_crc_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}

constexpr std::array<std::uint32_t, 256> kCrcTable = make_crc_table();

// libpst's do_read64: 0 ANSI (32-bit ids), 1 Unicode, 2 Unicode with 4 KiB pages.
constexpr int kAnsi = 0;
constexpr int kUnicode = 1;
constexpr std::uint64_t kAnsiTrailer = 12;     // cb, wSig, bid (4), dwCRC
constexpr std::uint64_t kUnicodeTrailer = 16;  // cb, wSig, dwCRC, bid (8)
constexpr std::uint64_t kBlockAlignment = 64;
constexpr std::uint64_t kMaxBlockSize = 8192;

std::uint32_t le32(const unsigned char* p) {
  return p[0] | p[1] << 8 | p[2] << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

}  // namespace

std::uint32_t pst_crc32(std::string_view bytes) {
  std::uint32_t crc = 0;
  for (unsigned char b : bytes) crc = kCrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
  return crc;
}

std::optional<TrailerLayout> trailer_layout(const pst_file& file, const pst_index_ll& entry) {
  if (file.do_read64 != kAnsi && file.do_read64 != kUnicode) return std::nullopt;
  if (entry.size > kMaxBlockSize) return std::nullopt;
  const bool unicode = file.do_read64 == kUnicode;
  const std::uint64_t trailer = unicode ? kUnicodeTrailer : kAnsiTrailer;
  const std::uint64_t total =
      (entry.size + trailer + kBlockAlignment - 1) / kBlockAlignment * kBlockAlignment;
  const std::uint64_t at = entry.offset + total - trailer;
  return TrailerLayout{at, trailer, at + (unicode ? 4 : 8)};
}

void check_block_trailer(const pst_file& file, const pst_index_ll& entry) {
  if (file.do_read64 != kAnsi && file.do_read64 != kUnicode) return;
  const std::optional<TrailerLayout> layout = trailer_layout(file, entry);
  if (!layout) throw FormatError("block larger than a PST block can be");
  const std::uint64_t total = layout->trailer_at + layout->trailer_size - entry.offset;
  std::string bytes(total, '\0');
  const int fd = fileno(file.fp);
  std::uint64_t done = 0;
  while (done < total) {
    const ssize_t n =
        pread(fd, bytes.data() + done, total - done, static_cast<off_t>(entry.offset + done));
    if (n <= 0) throw FormatError("block runs past the end of the file");
    done += static_cast<std::uint64_t>(n);
  }
  const auto* base = reinterpret_cast<const unsigned char*>(bytes.data());
  const unsigned char* t = base + (layout->trailer_at - entry.offset);
  const std::uint32_t cb = t[0] | t[1] << 8;
  const std::uint32_t crc = le32(base + (layout->crc_at - entry.offset));
  const std::uint64_t bid = file.do_read64 == kUnicode
                                ? le32(t + 8) | static_cast<std::uint64_t>(le32(t + 12)) << 32
                                : le32(t + 4);
  if (cb != entry.size || bid != entry.i_id)
    throw FormatError("block trailer does not match the index (the block was overwritten)");
  if (pst_crc32(std::string_view(bytes).substr(0, entry.size)) != crc)
    throw FormatError("block checksum mismatch (the block was overwritten)");
}

}  // namespace mailferry::pst
