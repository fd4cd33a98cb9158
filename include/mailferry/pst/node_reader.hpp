// Raw access to PST nodes for the properties libpst does not hand out.
//
// libpst parses a fixed list of MAPI properties into pst_item and drops the rest;
// among the dropped ones are the recipient rows (type, SMTP address), the
// Drafts/Junk entry ids of the root folder, and the reply/forward/follow-up
// state of a message. This reader decodes the generic on-disk structures of
// [MS-PST] 2.3 (heap-on-node, BTree-on-heap, property and table contexts) on top
// of libpst's exported block reader (pst_ff_getIDblock_dec, which also undoes
// the PST's byte scrambling). The only bytes it reads by itself are block
// trailers (pst/block_trailer.hpp): every block it reads or checks must match
// its trailer's size, id and CRC.
//
// Contract: every offset read from the file is bounds-checked; malformed or
// overwritten data throws FormatError (never reads out of bounds, never loops
// forever). Not
// thread-safe (libpst's block reader shares the FILE*). The reader borrows the
// pst_file, which must outlive it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

struct pst_file;
struct pst_id2_tree;

namespace mailferry::pst {

class FormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One entry of a node's subnode tree (attachments, recipient table, large values).
struct Subnode {
  std::uint32_t nid = 0;
  std::uint64_t data_bid = 0;
  std::vector<Subnode> children;
};

// MAPI property types used below.
enum PropType : std::uint16_t {
  kPtShort = 0x0002,
  kPtLong = 0x0003,
  kPtBoolean = 0x000B,
  kPtString8 = 0x001E,
  kPtUnicode = 0x001F,
  kPtSystime = 0x0040,
  kPtBinary = 0x0102,
  kPtMvBinary = 0x1102,
};

// A property value as stored: little-endian bytes of fixed-size values, the
// raw bytes of strings (UTF-16LE for kPtUnicode, code-page bytes for
// kPtString8) and binaries.
struct PropValue {
  std::uint16_t type = 0;
  std::string bytes;

  std::optional<std::int32_t> as_int32() const;  // kPtLong / kPtShort / kPtBoolean
  // Strings decoded to UTF-8; `codepage` applies to kPtString8 only.
  std::optional<std::string> as_utf8(int codepage) const;
  // Values of a multi-valued binary (kPtMvBinary).
  std::vector<std::string> as_binaries() const;
};

// Property id (upper 16 bits of the tag) -> value.
using PropertyMap = std::map<std::uint16_t, PropValue>;

class NodeReader {
 public:
  explicit NodeReader(pst_file* file);

  // The data blocks of a block tree (XBLOCK/XXBLOCK expanded), in order.
  std::vector<std::string> data_blocks(std::uint64_t bid) const;
  // Checks a block tree (every block it names exists and matches its
  // trailer) without decoding the data blocks; throws FormatError.
  void check_data_tree(std::uint64_t bid) const;
  // The subnode tree rooted at an SLBLOCK/SIBLOCK bid (0: none), children expanded.
  std::vector<Subnode> subnodes(std::uint64_t bid) const;
  // The same tree from libpst's copy (embedded messages carry one).
  static std::vector<Subnode> subnodes(const pst_id2_tree* head);

  // Property context of a node (data block tree `bid`, subnodes for large values).
  // Values stored in subnodes are loaded only when `large` is null or lists
  // their property id; the others are present with empty bytes (their block
  // tree is still checked).
  PropertyMap properties(std::uint64_t bid, const std::vector<Subnode>& subnodes,
                         const std::vector<std::uint16_t>* large = nullptr) const;
  // Table context rows of a node; each row maps property id -> value.
  std::vector<PropertyMap> table(std::uint64_t bid, const std::vector<Subnode>& subnodes) const;

  bool unicode() const { return unicode_; }

 private:
  // The block exists and matches its trailer; throws FormatError.
  void check_block(std::uint64_t bid) const;
  std::string read_block(std::uint64_t bid) const;
  void collect_subnodes(std::uint64_t bid, int depth, std::vector<Subnode>& out,
                        std::size_t& budget) const;
  std::string subnode_bytes(std::uint32_t nid, const std::vector<Subnode>& subnodes) const;

  pst_file* file_;
  bool unicode_;
};

// Checks, without decoding bodies or attachment data, every structure libpst
// parses for a message: its property context, recipient and attachment
// tables, attachment objects and embedded messages (recursively), and every
// block of the message (bodies and attachment data included) against its
// trailer. libpst does not bounds-check these structures nor read the
// trailers, so a message that fails here is never handed to it, and a message
// with an overwritten block is never delivered as if intact.
// Throws FormatError.
void check_message_node(const NodeReader& reader, std::uint64_t bid,
                        const std::vector<Subnode>& subnodes);

// A folder entry id as the message store holds it: 24 bytes, the node id last.
std::optional<std::uint32_t> entry_id_nid(std::string_view entry_id);

}  // namespace mailferry::pst
