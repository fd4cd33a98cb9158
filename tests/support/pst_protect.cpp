#include "support/pst_protect.hpp"

#include <libpst/libpst.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "mailferry/pst/block_trailer.hpp"
#include "mailferry/pst/pst_file.hpp"

namespace mailferry::testing {
namespace {

constexpr std::uint64_t kNidMessageStore = 0x21;
constexpr std::uint64_t kInternalBlock = 0x02;  // bid bit: an XBLOCK/SLBLOCK, never encoded

std::string read_whole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in) throw std::runtime_error(path + ": cannot read");
  return bytes.str();
}

// A data block as libpst decodes it.
std::string decoded_block(pst_file* file, std::uint64_t bid) {
  char* buffer = nullptr;
  const std::size_t size = pst_ff_getIDblock_dec(file, bid, &buffer);
  std::string out(buffer ? buffer : "", buffer ? size : 0);
  std::free(buffer);
  return out;
}

// The file's byte substitution, decoded byte -> raw byte, from every data
// block: the PST's "permute" encoding maps each byte on its own.
std::array<std::optional<unsigned char>, 256> encoding_of(pst_file* file, const std::string& raw) {
  std::array<std::optional<unsigned char>, 256> encode{};
  for (std::size_t i = 0; i < file->i_count; ++i) {
    const pst_index_ll& entry = file->i_table[i];
    if (entry.i_id & kInternalBlock || entry.offset + entry.size > raw.size()) continue;
    const std::string plain = decoded_block(file, entry.i_id);
    if (plain.size() != entry.size) continue;  // compressed: not a byte-for-byte encoding
    for (std::size_t k = 0; k < plain.size(); ++k)
      encode[static_cast<unsigned char>(plain[k])] =
          static_cast<unsigned char>(raw[entry.offset + k]);
  }
  return encode;
}

void put_le32(std::string& bytes, std::size_t at, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<char>((value >> (8 * i)) & 0xFF);
}

}  // namespace

void copy_pst_with_password(const std::string& from, const std::string& to,
                            std::string_view password) {
  std::string bytes = read_whole(from);
  pst::PstFile pst(from);
  pst_desc_tree* store = pst.node(kNidMessageStore);
  if (!store || !store->desc || store->desc->i_id & kInternalBlock)
    throw std::runtime_error(from + ": the message store is not one data block");
  const pst_index_ll block = *store->desc;
  const std::string plain = decoded_block(pst.raw(), block.i_id);

  // The property's record in the store's BTree-on-heap: id 0x67FF,
  // type PT_LONG (0x0003), value 0, all little-endian.
  const std::string record("\xFF\x67\x03\x00\x00\x00\x00\x00", 8);
  const std::size_t at = plain.find(record);
  if (at == std::string::npos || plain.find(record, at + 1) != std::string::npos)
    throw std::runtime_error(from + ": no single PR_PST_PASSWORD of 0 in the message store");

  const std::uint32_t crc = pst::pst_crc32(password);
  const auto encode = encoding_of(pst.raw(), bytes);
  for (int i = 0; i < 4; ++i) {
    const auto value = static_cast<unsigned char>((crc >> (8 * i)) & 0xFF);
    if (!encode[value]) throw std::runtime_error(from + ": byte encoding not learned");
    bytes[block.offset + at + 4 + i] = static_cast<char>(*encode[value]);
  }
  // The block's trailer keeps a CRC of its stored (encoded) bytes.
  const auto layout = pst::trailer_layout(*pst.raw(), block);
  if (!layout) throw std::runtime_error(from + ": the block trailer's layout is not known");
  put_le32(bytes, layout->crc_at,
           pst::pst_crc32(std::string_view(bytes).substr(block.offset, block.size)));
  std::ofstream out(to, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error(to + ": cannot write");
}

}  // namespace mailferry::testing
