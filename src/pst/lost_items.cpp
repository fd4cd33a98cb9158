#include "mailferry/pst/lost_items.hpp"

#include <libpst/libpst.h>

#include <optional>
#include <set>

#include "mailferry/pst/pst_file.hpp"

namespace mailferry::pst {
namespace {

constexpr std::uint32_t kNidContentsTable = 0x0E;  // [MS-PST] 2.2.2.1 NID_TYPE_CONTENTS_TABLE
constexpr std::uint16_t kPropRowId = 0x67F2;       // PidTagLtpRowId: the row's node id
constexpr std::uint16_t kPropMessageClass = 0x001A;

}  // namespace

std::vector<LostItem> items_missing_from_index(const PstFile& file, const pst_desc_tree& folder) {
  const pst_desc_tree* table = file.node((folder.d_id & ~std::uint64_t{0x1F}) | kNidContentsTable);
  if (!table || !table->desc) return {};
  std::vector<PropertyMap> rows;
  try {
    rows = file.reader().table(table->desc->i_id, file.subnodes(table));
  } catch (const FormatError&) {
    return {};
  }
  std::set<std::uint64_t> present;
  for (const pst_desc_tree* c = folder.child; c; c = c->next) present.insert(c->d_id);
  std::vector<LostItem> lost;
  for (const PropertyMap& row : rows) {
    auto id = row.find(kPropRowId);
    if (id == row.end()) continue;
    const std::optional<std::int32_t> nid = id->second.as_int32();
    if (!nid || nid_type(static_cast<std::uint32_t>(*nid)) != kNidMessage) continue;
    const std::uint64_t node = static_cast<std::uint32_t>(*nid);
    if (present.count(node)) continue;
    LostItem item;
    item.nid = node;
    if (auto cls = row.find(kPropMessageClass); cls != row.end())
      item.message_class = cls->second.as_utf8(file.ansi_codepage()).value_or("");
    lost.push_back(std::move(item));
  }
  return lost;
}

}  // namespace mailferry::pst
