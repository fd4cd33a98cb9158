// The mail folders of a PST, with paths, roles and item counts.
//
// The walk covers the IPM subtree (what Outlook shows under the file's root);
// search folders, views and the store's hidden folders are not mail. Items are
// classified from their message class alone (one small read per item, no
// bodies): what readpst exports as mail (IPM.Note*, IPM.Schedule.Meeting*,
// REPORT.IPM.Note*) is mail; contacts, appointments, tasks, notes, journal
// entries, distribution lists, posts and the rest are counted as skipped.
//
// A folder is listed when its container class is a mail class or when it holds
// at least one mail item (so no mail is left behind in, say, a Calendar
// folder). Mail stored directly in the IPM root (files made by some tools hold
// it there) gets a folder named after the store, as readpst does.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mailferry/core/role.hpp"
#include "mailferry/pst/folder_roles.hpp"

namespace mailferry::pst {

class PstFile;

struct FolderInfo {
  std::uint64_t nid = 0;
  std::vector<std::string> path;  // UTF-8 components below the IPM root
  core::Role role = core::Role::None;
  RoleSource role_source = RoleSource::EntryId;
  std::string container_class;      // PR_CONTAINER_CLASS ("IPF.Note"), may be empty
  std::uint64_t mail_items = 0;     // message nodes of a mail class
  std::uint64_t skipped_items = 0;  // non-mail message nodes (contacts, appointments, ...)
};

struct FolderTree {
  std::vector<FolderInfo> folders;  // mail folders, depth-first in PST order
  std::uint64_t skipped_items = 0;  // non-mail items in all folders, listed or not
  // Folders that could not be read (the walk went on), and mail items a
  // folder lists that the damaged index lost (pst/lost_items.hpp).
  std::vector<std::string> problems;
};

// Throws core::SourceError only if the IPM root itself is unreadable.
FolderTree read_folder_tree(const PstFile& file);

// Whether a message class is one the migration carries (see above).
bool is_mail_class(const std::string& message_class);

}  // namespace mailferry::pst
