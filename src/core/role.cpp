#include "mailferry/core/role.hpp"

#include <strings.h>

#include <array>

namespace mailferry::core {
namespace {

struct RoleNames {
  Role role;
  std::string_view name;
  std::string_view special_use;
};

constexpr std::array<RoleNames, 10> kRoles{{
    {Role::None, "none", ""},
    {Role::Inbox, "inbox", ""},
    {Role::Sent, "sent", "\\Sent"},
    {Role::Drafts, "drafts", "\\Drafts"},
    {Role::Trash, "trash", "\\Trash"},
    {Role::Junk, "junk", "\\Junk"},
    {Role::Archive, "archive", "\\Archive"},
    {Role::Outbox, "outbox", ""},
    {Role::All, "all", "\\All"},
    {Role::Flagged, "flagged", "\\Flagged"},
}};

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::string_view role_name(Role role) {
  for (const auto& r : kRoles)
    if (r.role == role) return r.name;
  return "none";
}

std::optional<Role> parse_role(std::string_view name) {
  for (const auto& r : kRoles)
    if (iequals(r.name, name)) return r.role;
  return std::nullopt;
}

std::string_view special_use_attribute(Role role) {
  for (const auto& r : kRoles)
    if (r.role == role) return r.special_use;
  return "";
}

Role role_from_special_use(std::string_view attribute) {
  for (const auto& r : kRoles)
    if (!r.special_use.empty() && iequals(r.special_use, attribute)) return r.role;
  return Role::None;
}

}  // namespace mailferry::core
