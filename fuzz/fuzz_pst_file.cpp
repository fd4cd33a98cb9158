// Fuzz target: the PST source (source/pst_source.hpp) on a whole PST file:
// libpst's index and item parser behind the bounds-checked node reader
// (pst/node_reader.hpp), the folder tree, the message reader, text decoding,
// transport headers, compressed RTF and the MIME builder.
//
// Input: the file's bytes (held in an in-memory file, memfd_create). Almost
// every mutation breaks the CRC of the block it lands in, and the source
// refuses such a block before anything parses it (pst/block_trailer.hpp; the
// unit tests check that refusal). So that mutations reach the parsers behind
// the check, the harness first rewrites the CRC of every block the mutated
// index lists to match the mutated bytes.
// Invariants checked, beyond "no crash, no hang":
//  - the file opens, or the constructor throws core::SourceError naming it;
//  - scanning a folder throws nothing: what cannot be read is an error
//    record whose "where" names the file (and, for an item, its folder and
//    item number);
//  - every message scanned opens again (the source checks that the rebuilt
//    bytes hash as they did in the scan) and yields exactly its announced
//    size, read in pieces of any size;
//  - the locators of a folder's messages are distinct.
#include <libpst/libpst.h>

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_bytes.hpp"
#include "fuzz_check.hpp"
#include "mailferry/core/error.hpp"
#include "mailferry/core/log.hpp"
#include "mailferry/pst/block_trailer.hpp"
#include "mailferry/pst/node_reader.hpp"
#include "mailferry/source/pst_source.hpp"

namespace {

using namespace mailferry;
using fuzz::memory_file;

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// `bytes` with each indexed block's CRC recomputed (unchanged when libpst
// cannot read the index; the source then refuses the file).
std::string with_checksums_repaired(std::string bytes) {
  if (bytes.substr(0, 4) != "!BDN") return bytes;
  const std::string& path = memory_file(bytes);
  pst_file file{};
  if (pst_open(&file, path.c_str(), "utf-8") != 0) return bytes;
  try {
    if (pst_load_index(&file) == 0) {
      for (std::size_t i = 0; i < file.i_count; ++i) {
        const pst_index_ll& entry = file.i_table[i];
        const auto layout = pst::trailer_layout(file, entry);
        if (!layout || entry.offset > bytes.size() || entry.size > bytes.size() - entry.offset ||
            layout->crc_at + 4 > bytes.size())
          continue;
        const std::uint32_t crc =
            pst::pst_crc32(std::string_view(bytes).substr(entry.offset, entry.size));
        for (int b = 0; b < 4; ++b)
          bytes[layout->crc_at + b] = static_cast<char>((crc >> (8 * b)) & 0xFF);
      }
    }
  } catch (const pst::FormatError&) {
    // A size libpst would have allocated is absurd (pst_file.cpp's pst_malloc).
  }
  pst_close(&file);
  return bytes;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  core::set_log_level(core::LogLevel::Error);  // damaged items are expected
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes =
      with_checksums_repaired(std::string(reinterpret_cast<const char*>(data), size));
  const std::string& path = memory_file(bytes);
  const std::string described = "pst:" + path;

  std::unique_ptr<source::PstSource> source;
  // A mutant that Outlook would guard with a password is read all the same,
  // so the parsers behind the check are reached.
  source::PstSourceOptions options;
  options.password.ignore = true;
  try {
    source = std::make_unique<source::PstSource>(path, options);
  } catch (const core::SourceError& e) {
    FUZZ_CHECK(starts_with(e.what(), path + ": "), "an unopenable file is named");
    return 0;
  }
  for (const source::SourceFolder& folder : source->folders()) {
    FUZZ_CHECK(!folder.locator.empty(), "a folder has a locator");
    fuzz::CollectingSink sink;
    source->scan(folder, sink);
    const std::string item_where = described + ", folder \"" + folder.display_name() + "\", item ";
    for (const core::ErrorRecord& e : sink.errors) {
      FUZZ_CHECK(starts_with(e.where, described), "an error names the file");
      FUZZ_CHECK(!e.message.empty(), "an error says what is wrong");
      if (e.scope == core::ErrorScope::Message)
        FUZZ_CHECK(starts_with(e.where, item_where), "an item's error names folder and item");
    }
    std::set<std::string> locators;
    for (const source::SourceMessage& m : sink.messages) {
      FUZZ_CHECK(locators.insert(m.locator).second, "locators are distinct");
      FUZZ_CHECK(!m.key.empty(), "a message has a key");
      FUZZ_CHECK(fuzz::read_in_pieces(*source->open(folder, m)).size() == m.size,
                 "a message yields exactly its announced size");
    }
  }
  return 0;
}
