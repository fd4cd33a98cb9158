// Which server folder has which role when the server does not say (no
// SPECIAL-USE, or SPECIAL-USE without a folder for some role).
//
// For each role no folder is marked with, the folders whose name is a
// well-known name of that role (core/role_names.hpp, any language) compete:
//  - only folders directly in the personal namespace ("Sent Items",
//    "INBOX.Sent Items") or directly below a container: a bracketed top-level
//    folder ("[Gmail]/Sent Mail", "[Google Mail]/Gesendet") or, on a server
//    without a namespace prefix, INBOX ("INBOX/Sent");
//  - a folder in the namespace beats one below a container; then the more
//    usual name (its row in the table) wins, then the name in byte order;
//  - a folder keeps a role the server marked, and gets at most one role;
//    INBOX is always the Inbox and no other folder is.
// Pure: no I/O. Used by ImapTarget::list_folders().
#pragma once

#include <string>
#include <vector>

#include "mailferry/target/target.hpp"

namespace mailferry::target {

// Sets role (and role_by_name) on the folders chosen by name. Returns a
// note for each role where more than one folder qualified, naming the one
// chosen and the others ("Sent: using "Sent"; "Sent Items" also looks like it").
std::vector<std::string> assign_roles_by_name(std::vector<TargetFolder>& folders,
                                              const TargetNamespace& ns);

}  // namespace mailferry::target
