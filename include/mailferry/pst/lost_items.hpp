// Items a folder's contents table lists that the file's node index does not
// hold under that folder.
//
// libpst builds the folder tree from the node index (the NBT) and checks none
// of its pages: a damaged index page loses the nodes it held without an
// error, and the scan, which walks the index, would never see them. The
// folder's contents table is a node of its own, usually stored elsewhere, and
// still names them (its row id is the item's node id), so they can at least
// be reported by folder and node.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

struct pst_desc_tree;

namespace mailferry::pst {

class PstFile;

struct LostItem {
  std::uint64_t nid = 0;
  std::string message_class;  // from the table row; empty when it has none
};

// Empty when nothing is lost, and when the contents table itself is missing or
// unreadable (then there is nothing to compare with).
std::vector<LostItem> items_missing_from_index(const PstFile& file, const pst_desc_tree& folder);

}  // namespace mailferry::pst
