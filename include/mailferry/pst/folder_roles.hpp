// Which PST folder is Inbox, Sent, Drafts, Trash, Junk or Outbox.
//
// Roles come from the store's own entry ids first, so a Japanese, Korean or
// German Outlook's PST works the same as an English one:
//   Sent, Trash, Outbox  the message store's PR_IPM_SENTMAIL_ENTRYID,
//                        PR_IPM_WASTEBASKET_ENTRYID, PR_IPM_OUTBOX_ENTRYID;
//   Inbox                the receive folder table (the folder mail of class
//                        "IPM" is delivered to, as IMsgStore::GetReceiveFolder);
//   Drafts               PR_IPM_DRAFTS_ENTRYID on the Inbox or the root folder;
//   Junk                 PR_ADDITIONAL_REN_ENTRYIDS[4] on the Inbox or the root.
// Only a role whose entry id the file does not hold (data files exported from
// another mailbox, files made by third-party tools) falls back to well-known
// folder names in several languages; the shallowest matching folder wins.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "mailferry/core/role.hpp"

namespace mailferry::pst {

class PstFile;

// How a role was found, for `list` output and reports.
enum class RoleSource { EntryId, Name };

struct RoleAssignment {
  core::Role role = core::Role::None;
  RoleSource source = RoleSource::EntryId;
};

// Folder node id -> role, from the store's entry ids only.
std::unordered_map<std::uint64_t, RoleAssignment> roles_from_entry_ids(const PstFile& file);

// The role a folder name suggests (core/role_names.hpp: any language, after
// Unicode normalization and case folding), or Role::None.
core::Role role_from_folder_name(const std::string& utf8_name);

}  // namespace mailferry::pst
