#include "mailferry/pst/pst_file.hpp"

#include <libpst/libpst.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <new>

#include "mailferry/core/error.hpp"

// libpst allocates through pst_malloc/pst_realloc, which print and exit(1)
// when an allocation fails, and a corrupt size field in a damaged PST asks for
// absurd sizes. These definitions take the place of libpst's (it calls them
// through the PLT): an absurd request becomes a FormatError that unwinds out
// of libpst into the caller, which skips the item; a real shortage becomes
// std::bad_alloc. libpst leaks what it held at that point, once per bad item.
namespace {
constexpr std::size_t kMaxLibpstAllocation = std::size_t{1} << 31;
}  // namespace

extern "C" void* pst_malloc(std::size_t size) {
  if (size > kMaxLibpstAllocation)
    throw mailferry::pst::FormatError("corrupt size field (" + std::to_string(size) + " bytes)");
  void* p = std::malloc(size ? size : 1);
  if (!p) throw std::bad_alloc();
  return p;
}

extern "C" void* pst_realloc(void* ptr, std::size_t size) {
  if (size > kMaxLibpstAllocation)
    throw mailferry::pst::FormatError("corrupt size field (" + std::to_string(size) + " bytes)");
  void* p = std::realloc(ptr, size ? size : 1);
  if (!p) throw std::bad_alloc();
  return p;
}

namespace mailferry::pst {
namespace {

constexpr std::uint16_t kPropDisplayName = 0x3001;
constexpr std::uint16_t kPropMessageCodepage = 0x3FFD;
constexpr std::uint16_t kPropLocaleId = 0x3FF1;
constexpr std::uint16_t kPropPstPassword = 0x67FF;  // PR_PST_PASSWORD
constexpr std::uint64_t kNidMessageStore = 0x21;
constexpr std::uint64_t kNidNameToIdMap = 0x61;
// How many messages to look at for the file's ANSI code page.
constexpr int kCodepageProbes = 64;

[[noreturn]] void fail(const std::string& path, const std::string& why) {
  throw core::SourceError(path + ": " + why);
}

std::string file_base_name(const std::string& path) {
  std::string name = path.substr(path.find_last_of('/') + 1);
  if (name.size() > 4) {
    std::string ext = name.substr(name.size() - 4);
    std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
    if (ext == ".pst" || ext == ".ost") name.resize(name.size() - 4);
  }
  return name;
}

void index_nodes(pst_desc_tree* d, std::unordered_map<std::uint64_t, pst_desc_tree*>& out) {
  // Iterative walk: the node tree can be deep and wide.
  while (d) {
    out.emplace(d->d_id, d);
    d = pst_getNextDptr(d);
  }
}

}  // namespace

void ItemDeleter::operator()(pst_item* item) const noexcept { pst_freeItem(item); }

int codepage_for_locale(std::uint32_t lcid) {
  const std::uint32_t lang = lcid & 0x3FF;
  switch (lang) {
    case 0x00:
      return 0;
    case 0x11:  // Japanese
      return 932;
    case 0x12:  // Korean
      return 949;
    case 0x04:  // Chinese: Taiwan, Hong Kong, Macao use Big5
      return (lcid == 0x0404 || lcid == 0x0C04 || lcid == 0x1404) ? 950 : 936;
    case 0x1E:  // Thai
      return 874;
    case 0x08:  // Greek
      return 1253;
    case 0x0D:  // Hebrew
      return 1255;
    case 0x01:
    case 0x20:
    case 0x29:  // Arabic, Urdu, Farsi
      return 1256;
    case 0x25:
    case 0x26:
    case 0x27:  // Estonian, Latvian, Lithuanian
      return 1257;
    case 0x2A:  // Vietnamese
      return 1258;
    case 0x1F:
    case 0x2C:
    case 0x43:  // Turkish, Azeri (Latin), Uzbek (Latin)
      return 1254;
    case 0x19:
    case 0x22:
    case 0x23:
    case 0x02:
    case 0x2F:
    case 0x3F:
    case 0x40:
    case 0x44:
    case 0x50:  // Russian, Ukrainian, Belarusian, Bulgarian, Macedonian, Kazakh, ...
      return 1251;
    case 0x1A:  // Croatian / Serbian / Bosnian: Cyrillic variants use 1251
      return (lcid == 0x0C1A || lcid == 0x201A || lcid == 0x1C1A) ? 1251 : 1250;
    case 0x05:
    case 0x0E:
    case 0x15:
    case 0x18:
    case 0x1B:
    case 0x1C:
    case 0x24:  // Czech, Hungarian, Polish, Romanian, Slovak, Albanian, Slovenian
      return 1250;
    default:
      return 1252;
  }
}

PstFile::Handle::Handle() : file(std::make_unique<pst_file>()) {
  std::memset(file.get(), 0, sizeof(pst_file));
}

PstFile::Handle::~Handle() {
  if (open) pst_close(file.get());
}

PstFile::PstFile(std::string path) : path_(std::move(path)) {
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) fail(path_, std::strerror(errno));
  if (!S_ISREG(st.st_mode)) fail(path_, "not a regular file");
  {
    // Checked here so that a wrong file gets a clear message (libpst only says -1).
    std::ifstream in(path_, std::ios::binary);
    char magic[4] = {};
    if (!in.read(magic, 4)) fail(path_, "cannot read the file header (empty or unreadable file)");
    if (std::memcmp(magic, "!BDN", 4) != 0) fail(path_, "not a PST file (no !BDN signature)");
  }
  // The charset argument is kept by pointer; a literal lives forever.
  if (pst_open(file_.get(), path_.c_str(), "utf-8") != 0)
    fail(path_, "unsupported PST format (unknown index type in the header)");
  file_.open = true;
  const std::uint64_t actual = static_cast<std::uint64_t>(st.st_size);
  if (file_->size > actual)
    truncation_ = "truncated: " + std::to_string(actual) + " of " + std::to_string(file_->size) +
                  " bytes present; items stored past the end are missing";
  const std::string damage = truncation_.empty() ? std::string() : " (" + truncation_ + ")";
  if (pst_load_index(file_.get()) != 0 || file_->d_head == nullptr)
    fail(path_, "the PST index cannot be read; the file is damaged" + damage);
  if (!truncation_.empty()) drop_blocks_past(actual);

  reader_ = std::make_unique<NodeReader>(file_.get());
  // libpst trusts the lengths in the named-property map; check them first.
  if (name_map_is_sound()) {
    try {
      pst_load_extended_attributes(file_.get());
    } catch (const FormatError&) {
    }
  }
  index_nodes(file_->d_head, nodes_);

  pst_desc_tree* store_node = node(kNidMessageStore);
  try {
    // Checked with the bounds-checked reader before libpst parses it; libpst
    // copies entry ids into 24-byte structs whatever their stored size.
    store_props_ = properties(store_node);
    bool sound = true;
    for (const auto& [id, value] : store_props_)
      if (((id >= 0x35E0 && id <= 0x35E7) || id == 0x7C07) && value.bytes.size() != 24)
        sound = false;
    if (sound) store_.reset(pst_parse_item(file_.get(), store_node, nullptr));
  } catch (const FormatError&) {
  }
  if (!store_ || !store_->message_store)
    fail(path_, "the message store record cannot be read; the file is damaged" + damage);

  top_ = pst_getTopOfFolders(file_.get(), store_.get());
  if (!top_)
    fail(path_, "the top of the folder tree cannot be found; the file is damaged" + damage);
  // pst_getTopOfFolders may have added a placeholder node.
  nodes_.emplace(top_->d_id, top_);
  ansi_codepage_ = unicode() ? 1252 : guess_ansi_codepage();
}

PstFile::~PstFile() = default;

std::optional<std::uint32_t> PstFile::password_crc() const {
  auto password = store_props_.find(kPropPstPassword);
  if (password == store_props_.end()) return std::nullopt;
  const auto crc = password->second.as_int32();
  if (!crc || *crc == 0) return std::nullopt;
  return static_cast<std::uint32_t>(*crc);
}

bool PstFile::unicode() const { return file_->do_read64 != 0; }

void PstFile::drop_blocks_past(std::uint64_t actual_size) {
  // libpst's node tree points into i_table; remember each node's block ids,
  // compact the table, then point the nodes at the surviving entries.
  struct Refs {
    pst_desc_tree* node;
    std::uint64_t desc, assoc;
  };
  std::vector<Refs> refs;
  for (pst_desc_tree* d = file_->d_head; d; d = pst_getNextDptr(d))
    refs.push_back({d, d->desc ? d->desc->i_id : 0, d->assoc_tree ? d->assoc_tree->i_id : 0});

  pst_index_ll* table = file_->i_table;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < file_->i_count; ++i) {
    const pst_index_ll& e = table[i];
    if (e.offset < actual_size && e.size <= actual_size - e.offset) table[kept++] = e;
  }
  file_->i_count = kept;
  for (const Refs& r : refs) {
    r.node->desc = r.desc ? pst_getID(file_.get(), r.desc) : nullptr;
    r.node->assoc_tree = r.assoc ? pst_getID(file_.get(), r.assoc) : nullptr;
  }
}

bool PstFile::name_map_is_sound() const {
  // [MS-PST] 2.4.7: entries (property 0x0003) are 8 bytes; a string entry
  // (bit 0 of its second word) points into the string stream (0x0004) at a
  // 4-byte length followed by that many bytes.
  try {
    PropertyMap props = properties(node(kNidNameToIdMap));
    auto entries = props.find(0x0003), strings = props.find(0x0004);
    if (entries == props.end()) return true;
    const std::string& e = entries->second.bytes;
    const std::string empty;
    const std::string& str = strings == props.end() ? empty : strings->second.bytes;
    for (std::size_t at = 0; at + 8 <= e.size(); at += 8) {
      if (!(static_cast<unsigned char>(e[at + 4]) & 1)) continue;
      std::uint32_t offset = 0, length = 0;
      std::memcpy(&offset, e.data() + at, 4);
      if (std::uint64_t{offset} + 4 > str.size()) return false;
      std::memcpy(&length, str.data() + offset, 4);
      if (std::uint64_t{offset} + 4 + length > str.size()) return false;
    }
    return true;
  } catch (const FormatError&) {
    return false;
  }
}

int PstFile::guess_ansi_codepage() const {
  int probes = 0;
  for (const auto& [nid, d] : nodes_) {
    if (nid_type(nid) != kNidMessage || !d->desc) continue;
    if (++probes > kCodepageProbes) break;
    try {
      const std::vector<std::uint16_t> none;
      PropertyMap props = properties(d, &none);
      if (auto it = props.find(kPropMessageCodepage); it != props.end())
        if (auto cp = it->second.as_int32(); cp && *cp > 0 && *cp != 1200) return *cp;
      if (auto it = props.find(kPropLocaleId); it != props.end())
        if (auto lcid = it->second.as_int32(); lcid && *lcid > 0)
          return codepage_for_locale(static_cast<std::uint32_t>(*lcid));
    } catch (const FormatError&) {
    }
  }
  return 1252;
}

std::string PstFile::display_name() const {
  if (auto it = store_props_.find(kPropDisplayName); it != store_props_.end())
    if (auto name = it->second.as_utf8(ansi_codepage_); name && !name->empty()) return *name;
  return file_base_name(path_);
}

pst_desc_tree* PstFile::node(std::uint64_t nid) const {
  auto it = nodes_.find(nid);
  return it == nodes_.end() ? nullptr : it->second;
}

ItemPtr PstFile::parse(pst_desc_tree* node) const {
  if (!node || !node->desc) return nullptr;
  return ItemPtr(pst_parse_item(file_.get(), node, nullptr));
}

ItemPtr PstFile::parse_embedded(const pst_item_attach& attach) const {
  pst_index_ll* desc = pst_getID(file_.get(), attach.i_id);
  if (!desc) return nullptr;
  // libpst parses an embedded message from a stand-in node whose subnodes are
  // the attachment's own (readpst does the same).
  pst_desc_tree stand_in{};
  stand_in.desc = desc;
  return ItemPtr(pst_parse_item(file_.get(), &stand_in, attach.id2_head));
}

std::string PstFile::attachment_bytes(pst_item_attach& attach) const {
  if (!attach.data.data && (attach.i_id == 0 || attach.i_id == static_cast<std::uint64_t>(-1) ||
                            !pst_getID(file_.get(), attach.i_id)))
    return {};
  pst_binary bin = pst_attach_to_mem(file_.get(), &attach);
  std::string out;
  if (bin.data && bin.size) out.assign(bin.data, bin.size);
  // pst_attach_to_mem hands over either its own buffer or the item's (and
  // clears the item's pointer), so the result is always ours to free.
  std::free(bin.data);
  return out;
}

std::vector<Subnode> PstFile::subnodes(const pst_desc_tree* node) const {
  if (!node || !node->assoc_tree) return {};
  return reader_->subnodes(node->assoc_tree->i_id);
}

PropertyMap PstFile::properties(const pst_desc_tree* node,
                                const std::vector<std::uint16_t>* large) const {
  if (!node || !node->desc) throw FormatError("node has no data");
  return reader_->properties(node->desc->i_id, subnodes(node), large);
}

}  // namespace mailferry::pst
