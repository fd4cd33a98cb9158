// One open PST file: the RAII owner of libpst's pst_file and its index.
//
// Opening reads the header, the two B-trees (block index and node tree; libpst
// keeps both in memory, a few dozen bytes per item, never message content) and
// the named-property map, then parses the message store record. Items are
// parsed one at a time on request and freed by their ItemPtr.
//
// Errors: the constructor throws core::SourceError naming the file when it is
// missing, not a PST, or too damaged to find its folders. A password does not
// stop it (pst/password.hpp): password_crc() says whether Outlook would ask
// for one. A file shorter than its header says is opened anyway: blocks past
// the end are dropped from the index, so libpst sees them as missing (never
// reads past the end), and truncation() describes the damage for the report.
//
// Not thread-safe: libpst shares one FILE* and static conversion buffers.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "mailferry/pst/node_reader.hpp"

struct pst_file;
struct pst_item;
struct pst_item_attach;
struct pst_desc_tree;

namespace mailferry::pst {

struct ItemDeleter {
  void operator()(pst_item* item) const noexcept;
};
using ItemPtr = std::unique_ptr<pst_item, ItemDeleter>;

// NID types ([MS-PST] 2.2.2.1) of the nodes we walk.
enum NidType : std::uint32_t {
  kNidFolder = 0x02,
  kNidSearchFolder = 0x03,
  kNidMessage = 0x04,
  kNidAssocMessage = 0x08,
};
inline std::uint32_t nid_type(std::uint64_t nid) { return static_cast<std::uint32_t>(nid & 0x1F); }

class PstFile {
 public:
  explicit PstFile(std::string path);
  ~PstFile();
  PstFile(const PstFile&) = delete;
  PstFile& operator=(const PstFile&) = delete;

  const std::string& path() const { return path_; }
  bool unicode() const;

  // Empty when the file is intact; else "truncated: N of M bytes present".
  const std::string& truncation() const { return truncation_; }

  // The message store record (folder entry ids, display name).
  const pst_item& store() const { return *store_; }
  // PR_PST_PASSWORD, the CRC-32 of the password Outlook asks for; nothing
  // when the file has none (the property absent or 0).
  std::optional<std::uint32_t> password_crc() const;
  // The store's raw properties (for what libpst does not parse).
  const PropertyMap& store_properties() const { return store_props_; }
  // PR_DISPLAY_NAME of the store, else the file's base name without ".pst".
  std::string display_name() const;

  // The node with this id, or nullptr.
  pst_desc_tree* node(std::uint64_t nid) const;
  // The root of the IPM subtree ("Top of Personal Folders").
  pst_desc_tree* top_of_folders() const { return top_; }

  // libpst's parse of a node; nullptr when libpst cannot parse it.
  ItemPtr parse(pst_desc_tree* node) const;
  // An embedded message (attachment method 5); nullptr when unparsable.
  ItemPtr parse_embedded(const pst_item_attach& attach) const;
  // The bytes of a by-value attachment (empty if it has none).
  std::string attachment_bytes(pst_item_attach& attach) const;

  // Raw access, bounds-checked; throws FormatError on malformed nodes.
  const NodeReader& reader() const { return *reader_; }
  std::vector<Subnode> subnodes(const pst_desc_tree* node) const;
  PropertyMap properties(const pst_desc_tree* node,
                         const std::vector<std::uint16_t>* large = nullptr) const;

  // The Windows code page of 8-bit strings that carry none of their own
  // (folder names in ANSI files): the override, else the first code page or
  // locale found on an item, else 1252.
  int ansi_codepage() const { return ansi_codepage_; }
  void set_ansi_codepage(int codepage) { ansi_codepage_ = codepage; }

  pst_file* raw() const { return file_.get(); }

 private:
  // Owns libpst's pst_file; closes it even when the constructor throws.
  struct Handle {
    std::unique_ptr<pst_file> file;
    bool open = false;
    Handle();
    ~Handle();
    pst_file* get() const { return file.get(); }
    pst_file* operator->() const { return file.get(); }
  };

  void drop_blocks_past(std::uint64_t actual_size);
  int guess_ansi_codepage() const;
  bool name_map_is_sound() const;

  std::string path_;
  Handle file_;
  std::unique_ptr<NodeReader> reader_;
  ItemPtr store_;
  PropertyMap store_props_;
  pst_desc_tree* top_ = nullptr;
  std::unordered_map<std::uint64_t, pst_desc_tree*> nodes_;
  std::string truncation_;
  int ansi_codepage_ = 1252;
};

// The ANSI code page Windows uses for a locale id (PR_MESSAGE_LOCALE_ID), 0 if unknown.
int codepage_for_locale(std::uint32_t lcid);

}  // namespace mailferry::pst
