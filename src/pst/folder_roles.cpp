#include "mailferry/pst/folder_roles.hpp"

#include <libpst/libpst.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <string_view>

#include "mailferry/core/role_names.hpp"
#include "mailferry/pst/pst_file.hpp"

namespace mailferry::pst {
namespace {

using core::Role;

constexpr std::uint64_t kNidRootFolder = 0x122;
constexpr std::uint64_t kNidReceiveFolderTable = 0x62B;
constexpr std::uint16_t kPropMessageClass = 0x001A;
constexpr std::uint16_t kPropRecordKey = 0x0FF9;
constexpr std::uint16_t kPropOutboxEntryId = 0x35E2;       // PR_IPM_OUTBOX_ENTRYID
constexpr std::uint16_t kPropWastebasketEntryId = 0x35E3;  // PR_IPM_WASTEBASKET_ENTRYID
constexpr std::uint16_t kPropSentItemsEntryId = 0x35E4;    // PR_IPM_SENTMAIL_ENTRYID
constexpr std::uint16_t kPropReceiveFolderNid = 0x6605;
constexpr std::uint16_t kPropDraftsEntryId = 0x36D7;
constexpr std::uint16_t kPropAdditionalRenEntryIds = 0x36D8;
constexpr std::size_t kJunkRenIndex = 4;  // [MS-OXOSFLD] 2.2.4: Conflicts, Sync Issues,
                                          // Local Failures, Server Failures, Junk E-mail

bool is_folder(const PstFile& file, std::uint64_t nid) {
  return nid != 0 && nid != kNidRootFolder && nid_type(nid) == kNidFolder &&
         file.node(nid) != nullptr &&
         (!file.top_of_folders() || nid != file.top_of_folders()->d_id);
}

std::optional<std::uint64_t> receive_folder(const PstFile& file) {
  pst_desc_tree* table_node = file.node(kNidReceiveFolderTable);
  if (!table_node || !table_node->desc) return std::nullopt;
  try {
    std::vector<PropertyMap> rows =
        file.reader().table(table_node->desc->i_id, file.subnodes(table_node));
    std::optional<std::uint64_t> fallback;
    for (const PropertyMap& row : rows) {
      auto cls = row.find(kPropMessageClass);
      auto nid = row.find(kPropReceiveFolderNid);
      if (cls == row.end() || nid == row.end()) continue;
      std::string name = cls->second.as_utf8(file.ansi_codepage()).value_or("");
      auto value = nid->second.as_int32();
      if (!value) continue;
      std::transform(name.begin(), name.end(), name.begin(), ::toupper);
      if (name == "IPM") return static_cast<std::uint32_t>(*value);
      if (name.empty()) fallback = static_cast<std::uint32_t>(*value);
    }
    return fallback;
  } catch (const FormatError&) {
    return std::nullopt;
  }
}

// The folder an entry id names, if it names one of this store's folders (files
// copied between stores keep entry ids that point into the old store).
std::optional<std::uint64_t> own_folder(const PstFile& file, std::string_view entry_id) {
  auto nid = entry_id_nid(entry_id);
  if (!nid) return std::nullopt;
  auto key = file.store_properties().find(kPropRecordKey);
  if (key != file.store_properties().end() && key->second.bytes.size() == 16 &&
      entry_id.substr(4, 16) != key->second.bytes)
    return std::nullopt;
  return *nid;
}

// The first folder holding `prop` (an entry id, or a list of them at `index`).
std::optional<std::uint64_t> special_folder(const PstFile& file,
                                            const std::vector<std::uint64_t>& holders,
                                            std::uint16_t prop, std::optional<std::size_t> index) {
  for (std::uint64_t holder : holders) {
    pst_desc_tree* node = file.node(holder);
    if (!node) continue;
    try {
      PropertyMap props = file.properties(node);
      auto it = props.find(prop);
      if (it == props.end()) continue;
      std::optional<std::uint64_t> nid;
      if (index) {
        std::vector<std::string> ids = it->second.as_binaries();
        if (*index < ids.size()) nid = own_folder(file, ids[*index]);
      } else {
        nid = own_folder(file, it->second.bytes);
      }
      if (nid && is_folder(file, *nid)) return *nid;
    } catch (const FormatError&) {
    }
  }
  return std::nullopt;
}

}  // namespace

std::unordered_map<std::uint64_t, RoleAssignment> roles_from_entry_ids(const PstFile& file) {
  std::unordered_map<std::uint64_t, RoleAssignment> out;
  auto assign = [&](std::optional<std::uint64_t> nid, Role role) {
    if (nid && is_folder(file, *nid)) out.emplace(*nid, RoleAssignment{role, RoleSource::EntryId});
  };
  // The store's entry ids, from the raw properties (sizes checked).
  auto store_id = [&](std::uint16_t prop) -> std::optional<std::uint64_t> {
    auto it = file.store_properties().find(prop);
    if (it == file.store_properties().end()) return std::nullopt;
    return own_folder(file, it->second.bytes);
  };

  std::optional<std::uint64_t> inbox = receive_folder(file);
  if (inbox && !is_folder(file, *inbox)) inbox.reset();

  std::vector<std::uint64_t> holders;
  if (inbox) holders.push_back(*inbox);
  holders.push_back(kNidRootFolder);

  // Order matters only when two roles name the same folder: the first wins.
  assign(inbox, Role::Inbox);
  assign(store_id(kPropSentItemsEntryId), Role::Sent);
  assign(special_folder(file, holders, kPropDraftsEntryId, std::nullopt), Role::Drafts);
  assign(store_id(kPropWastebasketEntryId), Role::Trash);
  assign(special_folder(file, holders, kPropAdditionalRenEntryIds, kJunkRenIndex), Role::Junk);
  assign(store_id(kPropOutboxEntryId), Role::Outbox);
  return out;
}

Role role_from_folder_name(const std::string& utf8_name) {
  // The shared table of well-known names (data/folder-role-names.tsv); the
  // roles a PST store has entry ids for, plus Archive.
  const Role role = core::role_from_folder_name(utf8_name).role;
  return role == Role::All || role == Role::Flagged ? Role::None : role;
}

}  // namespace mailferry::pst
