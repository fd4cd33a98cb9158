#include "mailferry/target/role_discovery.hpp"

#include <strings.h>

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>

#include "mailferry/core/role_names.hpp"

namespace mailferry::target {
namespace {

bool is_inbox(std::string_view name) {
  return name.size() == 5 && strncasecmp(name.data(), "INBOX", 5) == 0;
}

struct Candidate {
  std::size_t index = 0;  // into folders
  int level = 0;          // 0: in the namespace, 1: below a container
  std::size_t rank = 0;   // the name's row in the table
};

// The folder's place below the namespace as (level, leaf name), or nullopt
// when it is too deep or outside the personal namespace.
std::optional<std::pair<int, std::string>> position(const TargetFolder& f,
                                                    const TargetNamespace& ns) {
  std::string_view rest = f.name;
  if (!ns.prefix.empty()) {
    if (rest.size() <= ns.prefix.size() || rest.compare(0, ns.prefix.size(), ns.prefix) != 0)
      return std::nullopt;
    rest.remove_prefix(ns.prefix.size());
  }
  const char delimiter = f.delimiter;
  const std::size_t cut = delimiter == '\0' ? std::string_view::npos : rest.find(delimiter);
  if (cut == std::string_view::npos) return std::make_pair(0, std::string(rest));
  const std::string_view parent = rest.substr(0, cut);
  const std::string_view leaf = rest.substr(cut + 1);
  if (leaf.empty() || leaf.find(delimiter) != std::string_view::npos) return std::nullopt;
  const bool bracketed = parent.size() > 2 && parent.front() == '[' && parent.back() == ']';
  const bool under_inbox = ns.prefix.empty() && is_inbox(parent);
  if (!bracketed && !under_inbox) return std::nullopt;
  return std::make_pair(1, std::string(leaf));
}

}  // namespace

std::vector<std::string> assign_roles_by_name(std::vector<TargetFolder>& folders,
                                              const TargetNamespace& ns) {
  std::map<core::Role, std::vector<Candidate>> candidates;
  std::map<core::Role, bool> marked;
  for (std::size_t i = 0; i < folders.size(); ++i) {
    TargetFolder& f = folders[i];
    if (is_inbox(f.name)) {
      f.role = core::Role::Inbox;
      continue;
    }
    if (f.role != core::Role::None) {
      marked[f.role] = true;
      continue;
    }
    if (!f.selectable) continue;
    auto place = position(f, ns);
    if (!place) continue;
    const core::RoleMatch match = core::role_from_folder_name(place->second);
    if (match.role == core::Role::None || match.role == core::Role::Inbox) continue;
    candidates[match.role].push_back({i, place->first, match.rank});
  }

  std::vector<std::string> notes;
  for (auto& [role, list] : candidates) {
    if (marked[role]) continue;
    std::sort(list.begin(), list.end(), [&](const Candidate& a, const Candidate& b) {
      return std::tie(a.level, a.rank, folders[a.index].name) <
             std::tie(b.level, b.rank, folders[b.index].name);
    });
    TargetFolder& chosen = folders[list.front().index];
    chosen.role = role;
    chosen.role_by_name = true;
    if (list.size() > 1) {
      std::string note = std::string(core::role_name(role)) + ": using \"" + chosen.name + "\"";
      for (std::size_t k = 1; k < list.size(); ++k)
        note += std::string(k == 1 ? "; " : ", ") + "\"" + folders[list[k].index].name + "\"";
      note += list.size() == 2 ? " also looks like it" : " also look like it";
      notes.push_back(std::move(note));
    }
  }
  return notes;
}

}  // namespace mailferry::target
