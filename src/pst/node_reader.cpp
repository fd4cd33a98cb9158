#include "mailferry/pst/node_reader.hpp"

#include <libpst/libpst.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "mailferry/pst/block_trailer.hpp"
#include "mailferry/pst/text.hpp"

namespace mailferry::pst {
namespace {

// Bounds: a PST block holds at most 8 KiB, a data tree at most 2 levels, a
// subnode tree at most 2 levels; anything deeper is corruption.
constexpr int kMaxSubnodeDepth = 8;
constexpr std::size_t kMaxValueBytes = std::size_t{1} << 30;
constexpr std::size_t kMaxRecords = 1 << 20;
constexpr std::size_t kMaxSubnodeBlocks = 1 << 16;

std::uint16_t u16(std::string_view b, std::size_t at) {
  if (at + 2 > b.size()) throw FormatError("structure runs past the end of its block");
  return static_cast<std::uint16_t>(static_cast<unsigned char>(b[at]) |
                                    static_cast<unsigned char>(b[at + 1]) << 8);
}

std::uint32_t u32(std::string_view b, std::size_t at) {
  return u16(b, at) | static_cast<std::uint32_t>(u16(b, at + 2)) << 16;
}

std::uint64_t u64(std::string_view b, std::size_t at) {
  return u32(b, at) | static_cast<std::uint64_t>(u32(b, at + 4)) << 32;
}

// Heap-on-node ([MS-PST] 2.3.1) over the data blocks of one node.
class Heap {
 public:
  explicit Heap(std::vector<std::string> blocks) : blocks_(std::move(blocks)) {
    if (blocks_.empty()) throw FormatError("empty heap");
    const std::string& first = blocks_.front();
    if (first.size() < 12 || static_cast<unsigned char>(first[2]) != 0xEC)
      throw FormatError("not a heap-on-node");
    client_sig_ = static_cast<unsigned char>(first[3]);
    user_root_ = u32(first, 4);
  }

  unsigned char client_sig() const { return client_sig_; }
  std::uint32_t user_root() const { return user_root_; }

  std::string_view item(std::uint32_t hid) const {
    if ((hid & 0x1F) != 0) throw FormatError("heap id with a node type");
    const std::size_t index = (hid >> 5) & 0x7FF;
    const std::size_t block = hid >> 16;
    if (index == 0 || block >= blocks_.size()) throw FormatError("heap id out of range");
    std::string_view b = blocks_[block];
    const std::size_t map = u16(b, 0);
    const std::size_t count = u16(b, map);
    if (index > count) throw FormatError("heap id past the allocation table");
    const std::size_t from = u16(b, map + 4 + 2 * (index - 1));
    const std::size_t to = u16(b, map + 4 + 2 * index);
    if (from > to || to > b.size()) throw FormatError("heap allocation out of bounds");
    return b.substr(from, to - from);
  }

 private:
  std::vector<std::string> blocks_;
  unsigned char client_sig_ = 0;
  std::uint32_t user_root_ = 0;
};

// BTree-on-heap ([MS-PST] 2.3.2): calls `leaf` for each leaf record.
template <typename Leaf>
void walk_bth(const Heap& heap, std::uint32_t header_hid, std::size_t want_key,
              std::size_t want_entry, Leaf&& leaf) {
  std::string_view h = heap.item(header_hid);
  if (h.size() < 8 || static_cast<unsigned char>(h[0]) != 0xB5)
    throw FormatError("not a BTree-on-heap");
  const std::size_t key = static_cast<unsigned char>(h[1]);
  const std::size_t entry = static_cast<unsigned char>(h[2]);
  const int levels = static_cast<unsigned char>(h[3]);
  const std::uint32_t root = u32(h, 4);
  if (key != want_key || entry != want_entry) throw FormatError("unexpected BTree record size");
  if (root == 0) return;

  // Depth is bounded by `levels` (itself < 256); each level descends once.
  struct Walker {
    const Heap& heap;
    std::size_t key, entry;
    Leaf& leaf;
    std::size_t budget = kMaxRecords;
    void run(std::uint32_t hid, int level) {
      // A cyclic tree would otherwise recurse exponentially.
      if (budget-- == 0) throw FormatError("BTree-on-heap too large or cyclic");
      std::string_view records = heap.item(hid);
      if (level == 0) {
        for (std::size_t at = 0; at + key + entry <= records.size(); at += key + entry)
          leaf(records.substr(at, key + entry));
        return;
      }
      for (std::size_t at = 0; at + key + 4 <= records.size(); at += key + 4)
        run(u32(records, at + key), level - 1);
    }
  };
  Walker{heap, key, entry, leaf}.run(root, levels);
}

bool is_fixed_inline(std::uint16_t type) {
  switch (type) {
    case 0x0002:  // PT_SHORT
    case 0x0003:  // PT_LONG
    case 0x0004:  // PT_FLOAT
    case 0x000A:  // PT_ERROR
    case 0x000B:  // PT_BOOLEAN
      return true;
    default:
      return false;
  }
}

std::size_t fixed_size(std::uint16_t type) {
  switch (type) {
    case 0x0002:
      return 2;
    case 0x0003:
    case 0x0004:
    case 0x000A:
      return 4;
    case 0x000B:
      return 1;
    default:
      return 0;
  }
}

const Subnode* find_subnode(std::uint32_t nid, const std::vector<Subnode>& subnodes) {
  for (const Subnode& s : subnodes)
    if (s.nid == nid) return &s;
  return nullptr;
}

}  // namespace

std::optional<std::int32_t> PropValue::as_int32() const {
  if (type == kPtLong && bytes.size() >= 4) return static_cast<std::int32_t>(u32(bytes, 0));
  if (type == kPtShort && bytes.size() >= 2) return static_cast<std::int16_t>(u16(bytes, 0));
  if (type == kPtBoolean && !bytes.empty()) return bytes[0] != 0 ? 1 : 0;
  return std::nullopt;
}

std::optional<std::string> PropValue::as_utf8(int codepage) const {
  if (type == kPtUnicode) return utf16le_to_utf8(bytes);
  if (type == kPtString8) {
    std::string_view b = bytes;
    if (auto nul = b.find('\0'); nul != std::string_view::npos) b = b.substr(0, nul);
    return to_utf8(b, charset_for_codepage(codepage));
  }
  return std::nullopt;
}

std::vector<std::string> PropValue::as_binaries() const {
  std::vector<std::string> out;
  if (type != kPtMvBinary || bytes.size() < 4) return out;
  const std::size_t count = u32(bytes, 0);
  if (count > bytes.size() / 4) return out;
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t from = u32(bytes, 4 + 4 * i);
    const std::size_t to = i + 1 < count ? u32(bytes, 8 + 4 * i) : bytes.size();
    if (from > to || to > bytes.size()) return {};
    out.push_back(bytes.substr(from, to - from));
  }
  return out;
}

NodeReader::NodeReader(pst_file* file) : file_(file), unicode_(file->do_read64 != 0) {}

void NodeReader::check_block(std::uint64_t bid) const {
  const pst_index_ll* entry = bid == 0 ? nullptr : pst_getID(file_, bid);
  if (!entry) throw FormatError("missing block");
  check_block_trailer(*file_, *entry);
}

std::string NodeReader::read_block(std::uint64_t bid) const {
  check_block(bid);
  char* buf = nullptr;
  std::size_t size = pst_ff_getIDblock_dec(file_, bid, &buf);
  std::string out;
  if (buf && size != 0 && size != static_cast<std::size_t>(-1)) out.assign(buf, size);
  std::free(buf);
  if (out.empty()) throw FormatError("unreadable block");
  return out;
}

std::vector<std::string> NodeReader::data_blocks(std::uint64_t bid) const {
  std::string block = read_block(bid);
  if (!(bid & 0x2)) return {std::move(block)};
  // XBLOCK (level 1) or XXBLOCK (level 2): btype 0x01, level, count, total, bids.
  if (block.size() < 8 || block[0] != 0x01) throw FormatError("bad data tree block");
  const int level = block[1];
  const std::size_t count = u16(block, 2);
  const std::size_t width = unicode_ ? 8 : 4;
  if (8 + count * width > block.size()) throw FormatError("data tree block overflows");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < count; ++i) {
    std::size_t at = 8 + i * width;
    std::uint64_t child = unicode_ ? u64(block, at) : u32(block, at);
    if (level == 1) {
      out.push_back(read_block(child));
    } else if (level == 2 && (child & 0x2)) {
      std::string inner = read_block(child);
      if (inner.size() < 8 || inner[0] != 0x01 || inner[1] != 1)
        throw FormatError("bad data tree block");
      const std::size_t n = u16(inner, 2);
      for (std::size_t j = 0; j < n; ++j) {
        std::size_t a = 8 + j * width;
        out.push_back(read_block(unicode_ ? u64(inner, a) : u32(inner, a)));
      }
    } else {
      throw FormatError("bad data tree level");
    }
  }
  return out;
}

void NodeReader::check_data_tree(std::uint64_t bid) const {
  if (!(bid & 0x2)) {
    check_block(bid);
    return;
  }
  std::string block = read_block(bid);
  if (block.size() < 8 || block[0] != 0x01) throw FormatError("bad data tree block");
  const int level = block[1];
  const std::size_t count = u16(block, 2);
  const std::size_t width = unicode_ ? 8 : 4;
  if (8 + count * width > block.size()) throw FormatError("data tree block overflows");
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint64_t child = unicode_ ? u64(block, 8 + i * width) : u32(block, 8 + i * width);
    if (level == 1) {
      check_block(child);
    } else if (level == 2 && (child & 0x2)) {
      std::string inner = read_block(child);
      if (inner.size() < 8 || inner[0] != 0x01 || inner[1] != 1)
        throw FormatError("bad data tree block");
      const std::size_t n = u16(inner, 2);
      if (8 + n * width > inner.size()) throw FormatError("data tree block overflows");
      for (std::size_t j = 0; j < n; ++j)
        check_block(unicode_ ? u64(inner, 8 + j * width) : u32(inner, 8 + j * width));
    } else {
      throw FormatError("bad data tree level");
    }
  }
}

void NodeReader::collect_subnodes(std::uint64_t bid, int depth, std::vector<Subnode>& out,
                                  std::size_t& budget) const {
  // Depth and a block budget bound a cyclic tree.
  if (depth > kMaxSubnodeDepth) throw FormatError("subnode tree too deep");
  if (budget-- == 0) throw FormatError("subnode tree too large");
  std::string block = read_block(bid);
  // SLBLOCK (level 0) / SIBLOCK (level 1): btype 0x02, level, count, [padding].
  if (block.size() < 4 || block[0] != 0x02) throw FormatError("bad subnode block");
  const int level = block[1];
  const std::size_t count = u16(block, 2);
  const std::size_t header = unicode_ ? 8 : 4;
  const std::size_t id = unicode_ ? 8 : 4;
  for (std::size_t i = 0; i < count; ++i) {
    if (level == 0) {
      const std::size_t at = header + i * 3 * id;
      Subnode s;
      s.nid = u32(block, at);
      s.data_bid = unicode_ ? u64(block, at + 8) : u32(block, at + 4);
      const std::uint64_t sub = unicode_ ? u64(block, at + 16) : u32(block, at + 8);
      if (sub) collect_subnodes(sub, depth + 1, s.children, budget);
      out.push_back(std::move(s));
    } else {
      const std::size_t at = header + i * 2 * id;
      collect_subnodes(unicode_ ? u64(block, at + 8) : u32(block, at + 4), depth + 1, out, budget);
    }
  }
}

std::vector<Subnode> NodeReader::subnodes(std::uint64_t bid) const {
  std::vector<Subnode> out;
  std::size_t budget = kMaxSubnodeBlocks;
  if (bid) collect_subnodes(bid, 0, out, budget);
  return out;
}

std::vector<Subnode> NodeReader::subnodes(const pst_id2_tree* head) {
  std::vector<Subnode> out;
  for (int guard = 0; head && guard < 100000; head = head->next, ++guard) {
    Subnode s;
    s.nid = static_cast<std::uint32_t>(head->id2);
    s.data_bid = head->id ? head->id->i_id : 0;
    s.children = subnodes(head->child);
    out.push_back(std::move(s));
  }
  return out;
}

std::string NodeReader::subnode_bytes(std::uint32_t nid,
                                      const std::vector<Subnode>& subnodes) const {
  const Subnode* s = find_subnode(nid, subnodes);
  if (!s) throw FormatError("missing subnode");
  std::string out;
  for (std::string& b : data_blocks(s->data_bid)) {
    if (out.size() + b.size() > kMaxValueBytes) throw FormatError("value too large");
    out += b;
  }
  return out;
}

PropertyMap NodeReader::properties(std::uint64_t bid, const std::vector<Subnode>& subnodes,
                                   const std::vector<std::uint16_t>* large) const {
  Heap heap(data_blocks(bid));
  if (heap.client_sig() != 0xBC) throw FormatError("not a property context");
  PropertyMap out;
  walk_bth(heap, heap.user_root(), 2, 6, [&](std::string_view r) {
    const std::uint16_t id = u16(r, 0);
    PropValue v;
    v.type = u16(r, 2);
    const std::uint32_t hnid = u32(r, 4);
    if (is_fixed_inline(v.type)) {
      v.bytes.assign(r.substr(4, fixed_size(v.type)));
    } else if (hnid == 0) {
      // present but empty
    } else if ((hnid & 0x1F) == 0) {
      v.bytes.assign(heap.item(hnid));
    } else if (!large || std::find(large->begin(), large->end(), id) != large->end()) {
      v.bytes = subnode_bytes(hnid, subnodes);
    } else if (const Subnode* sub = find_subnode(hnid, subnodes)) {
      check_data_tree(sub->data_bid);
    } else {
      throw FormatError("missing subnode");
    }
    out[id] = std::move(v);
  });
  return out;
}

std::vector<PropertyMap> NodeReader::table(std::uint64_t bid,
                                           const std::vector<Subnode>& subnodes) const {
  Heap heap(data_blocks(bid));
  if (heap.client_sig() != 0x7C) throw FormatError("not a table context");
  std::string_view info = heap.item(heap.user_root());
  if (info.size() < 22 || static_cast<unsigned char>(info[0]) != 0x7C)
    throw FormatError("bad table header");
  const std::size_t columns = static_cast<unsigned char>(info[1]);
  const std::size_t bitmap_at = u16(info, 6);  // TCI_1b: the cell existence bitmap
  const std::size_t row_size = u16(info, 8);   // TCI_bm: end of the row
  const std::uint32_t rows_hnid = u32(info, 14);
  if (info.size() < 22 + 8 * columns) throw FormatError("bad table columns");
  if (row_size == 0 || bitmap_at + (columns + 7) / 8 > row_size)
    throw FormatError("bad table row layout");

  struct Column {
    std::uint16_t id, type, offset;
    std::uint8_t size, bit;
  };
  std::vector<Column> cols;
  for (std::size_t i = 0; i < columns; ++i) {
    const std::size_t at = 22 + 8 * i;
    const std::uint32_t tag = u32(info, at);
    Column c{static_cast<std::uint16_t>(tag >> 16), static_cast<std::uint16_t>(tag & 0xFFFF),
             u16(info, at + 4), static_cast<std::uint8_t>(info[at + 6]),
             static_cast<std::uint8_t>(info[at + 7])};
    if (c.offset + c.size > row_size || bitmap_at + c.bit / 8 >= row_size)
      throw FormatError("table column outside the row");
    cols.push_back(c);
  }

  // The row matrix lives in the heap (small tables) or in a subnode whose
  // blocks each hold a whole number of rows.
  std::vector<std::string> row_blocks;
  if (rows_hnid == 0) return {};
  if ((rows_hnid & 0x1F) == 0) {
    row_blocks.emplace_back(heap.item(rows_hnid));
  } else {
    const Subnode* s = find_subnode(rows_hnid, subnodes);
    if (!s) throw FormatError("missing table rows");
    row_blocks = data_blocks(s->data_bid);
  }

  std::vector<PropertyMap> rows;
  for (const std::string& block : row_blocks) {
    for (std::size_t at = 0; at + row_size <= block.size(); at += row_size) {
      std::string_view row(block.data() + at, row_size);
      PropertyMap map;
      for (const Column& c : cols) {
        const unsigned char bits = static_cast<unsigned char>(row[bitmap_at + c.bit / 8]);
        if (!(bits & (0x80 >> (c.bit % 8)))) continue;
        PropValue v;
        v.type = c.type;
        std::string_view cell = row.substr(c.offset, c.size);
        const bool variable = c.size == 4 && !is_fixed_inline(c.type);
        if (!variable) {
          v.bytes.assign(cell);
        } else {
          const std::uint32_t hnid = u32(cell, 0);
          if (hnid == 0) {
          } else if ((hnid & 0x1F) == 0) {
            v.bytes.assign(heap.item(hnid));
          } else {
            v.bytes = subnode_bytes(hnid, subnodes);
          }
        }
        map[c.id] = std::move(v);
      }
      rows.push_back(std::move(map));
    }
  }
  return rows;
}

namespace {

constexpr std::uint32_t kNidAttachmentTable = 0x671;
constexpr std::uint32_t kNidRecipientTable = 0x692;
constexpr std::uint32_t kNidTypeAttachment = 0x05;
constexpr std::uint16_t kPropAttachDataObject = 0x3701;
constexpr std::uint16_t kPtObject = 0x000D;
constexpr std::uint16_t kPropAttachMethod = 0x3705;
constexpr std::int32_t kAttachEmbeddedMessage = 5;
constexpr int kMaxMessageDepth = 64;

void check_message(const NodeReader& reader, std::uint64_t bid,
                   const std::vector<Subnode>& subnodes, int depth) {
  if (depth > kMaxMessageDepth) throw FormatError("embedded messages nested too deep");
  const std::vector<std::uint16_t> none;
  reader.properties(bid, subnodes, &none);
  for (const Subnode& s : subnodes) {
    if (s.nid == kNidRecipientTable || s.nid == kNidAttachmentTable) {
      reader.table(s.data_bid, s.children);
    } else if ((s.nid & 0x1F) == kNidTypeAttachment) {
      PropertyMap attachment = reader.properties(s.data_bid, s.children, &none);
      auto data = attachment.find(kPropAttachDataObject);
      auto method = attachment.find(kPropAttachMethod);
      // PT_OBJECT data: the node id (and size) of a subnode holding an
      // embedded message (method 5) or an OLE storage (method 6).
      if (data != attachment.end() && data->second.type == kPtObject &&
          data->second.bytes.size() >= 4) {
        const std::uint32_t nid = u32(data->second.bytes, 0);
        const Subnode* inner = find_subnode(nid, s.children);
        if (!inner) throw FormatError("attached object missing");
        if (method != attachment.end() && method->second.as_int32() == kAttachEmbeddedMessage)
          check_message(reader, inner->data_bid, inner->children, depth + 1);
        else
          reader.check_data_tree(inner->data_bid);
      }
    }
  }
}

}  // namespace

void check_message_node(const NodeReader& reader, std::uint64_t bid,
                        const std::vector<Subnode>& subnodes) {
  check_message(reader, bid, subnodes, 0);
}

std::optional<std::uint32_t> entry_id_nid(std::string_view entry_id) {
  if (entry_id.size() != 24) return std::nullopt;
  return u32(entry_id, 20);
}

}  // namespace mailferry::pst
