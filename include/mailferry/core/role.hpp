// Folder roles: what a folder is for, independent of what it is called.
#pragma once

#include <optional>
#include <string_view>

namespace mailferry::core {

enum class Role { None, Inbox, Sent, Drafts, Trash, Junk, Archive, Outbox, All, Flagged };

// Lower-case name used in job files, reports and --only-role ("sent", "drafts", ...).
std::string_view role_name(Role role);
// Parses a role name as role_name prints it; nullopt when unknown.
std::optional<Role> parse_role(std::string_view name);
// The RFC 6154 SPECIAL-USE attribute for a role ("\Sent"), or empty when it has none.
std::string_view special_use_attribute(Role role);
// The role an RFC 6154 attribute names (case-insensitive), or Role::None.
Role role_from_special_use(std::string_view attribute);

}  // namespace mailferry::core
