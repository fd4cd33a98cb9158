#include "mailferry/pst/compressed_rtf.hpp"

#include <libpst/libpst.h>
extern "C" {
#include <libpst/lzfu.h>  // declares without C linkage
}

#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace mailferry::pst {
namespace {

constexpr std::size_t kHeaderSize = 16;
constexpr std::uint32_t kCompressed = 0x75465A4C;    // "LZFu"
constexpr std::uint32_t kUncompressed = 0x414C454D;  // "MELA"

}  // namespace

std::size_t max_decompressed_rtf(std::size_t stored_size) {
  // LZFu expands at most 8.5 bytes per input byte (17 bytes per 2+... chunk).
  return stored_size * 9 + 4096;
}

std::optional<std::string> decompress_rtf(std::string_view stored) {
  if (stored.size() < kHeaderSize || stored.size() > UINT32_MAX) return std::nullopt;
  std::uint32_t raw_size = 0, magic = 0;
  std::memcpy(&raw_size, stored.data() + 4, 4);
  std::memcpy(&magic, stored.data() + 8, 4);
  if (magic != kCompressed && magic != kUncompressed) return std::nullopt;
  if (raw_size > max_decompressed_rtf(stored.size())) return std::nullopt;
  std::size_t size = 0;
  char* rtf = pst_lzfu_decompress(const_cast<char*>(stored.data()),
                                  static_cast<std::uint32_t>(stored.size()), &size);
  std::optional<std::string> out;
  if (rtf) out.emplace(rtf, size);
  std::free(rtf);
  return out;
}

}  // namespace mailferry::pst
