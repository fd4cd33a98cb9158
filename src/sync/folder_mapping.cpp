// The folder plan: make_plan() (pure). Listing, checking and creating are in
// folder_mapping_prepare.cpp.
#include "mailferry/sync/folder_mapping.hpp"

#include <strings.h>

#include <map>
#include <set>

#include "mailferry/core/plural.hpp"
#include "mailferry/core/role_names.hpp"

namespace mailferry::sync {
namespace {

using core::Role;

bool is_inbox_name(std::string_view name) {
  return name.size() == 5 && strncasecmp(name.data(), "INBOX", 5) == 0;
}

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80           ? 1
                    : (c >> 5) == 0x6  ? 2
                    : (c >> 4) == 0xE  ? 3
                    : (c >> 3) == 0x1E ? 4
                                       : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

std::string quoted(std::string_view s) { return std::string("\"").append(s).append("\""); }

std::vector<std::string> split(std::string_view s, char a, char b) {
  std::vector<std::string> out;
  std::string part;
  for (char c : s) {
    if (c == a || (b != '\0' && c == b)) {
      if (!part.empty()) out.push_back(std::move(part));
      part.clear();
    } else {
      part += c;
    }
  }
  if (!part.empty()) out.push_back(std::move(part));
  return out;
}

// Turns folder levels into the server's name for them.
class Namer {
 public:
  Namer(const target::TargetNamespace& ns) : ns_(ns) {
    prefix_levels_ = split(ns.prefix, '/', ns.delimiter);
  }

  // Levels from a source (may hold any character). Sets `problem` when a
  // level cannot be a folder name; records replaced delimiters in `notes`.
  // `at_root`: the levels start at the top of the namespace (not below a folder).
  std::string from_source(const std::vector<std::string>& levels, std::string& problem,
                          std::set<std::string>& replaced, bool at_root = true) const {
    std::vector<std::string> clean;
    for (const auto& level : levels) {
      if (level.empty()) {
        problem = "a folder level has an empty name";
        return "";
      }
      if (!valid_utf8(level)) {
        problem = "the name " + quoted(level) + " is not UTF-8";
        return "";
      }
      for (char c : level) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
          problem = "the name " + quoted(level) + " holds a control character";
          return "";
        }
      }
      std::string part = level;
      if (ns_.delimiter != '\0' && part.find(ns_.delimiter) != std::string::npos) {
        for (char& c : part)
          if (c == ns_.delimiter) c = '_';
        replaced.insert(level);
      }
      clean.push_back(std::move(part));
    }
    return join(clean, at_root);
  }

  // Levels written by the user ('/' or the server's delimiter between levels).
  std::string from_user(std::string_view path, std::string& problem) const {
    std::vector<std::string> levels = split(path, '/', ns_.delimiter);
    if (levels.empty()) {
      problem = "the folder name " + quoted(path) + " is empty";
      return "";
    }
    std::set<std::string> unused;
    return from_source(levels, problem, unused);
  }

  // Levels below an existing server folder `base` (already a server name).
  std::string below(const std::string& base, const std::vector<std::string>& levels,
                    std::string& problem, std::set<std::string>& replaced) const {
    if (levels.empty()) return base;
    std::string rest = from_source(levels, problem, replaced, false);
    if (!problem.empty()) return "";
    return base + separator() + rest;
  }

 private:
  char separator() const { return ns_.delimiter == '\0' ? '_' : ns_.delimiter; }

  std::string join(std::vector<std::string> levels, bool at_root) const {
    std::string out;
    if (!at_root) {
      // Below another folder: the levels as they are.
    } else if (is_inbox_name(levels.front())) {
      levels.front() = "INBOX";
    } else if (!ns_.prefix.empty()) {
      // A path the user already wrote with the prefix does not get it twice.
      bool has_prefix = levels.size() > prefix_levels_.size();
      for (std::size_t i = 0; has_prefix && i < prefix_levels_.size(); ++i)
        has_prefix = levels[i] == prefix_levels_[i];
      if (has_prefix) levels.erase(levels.begin(), levels.begin() + prefix_levels_.size());
      out = ns_.prefix;
    }
    for (std::size_t i = 0; i < levels.size(); ++i) {
      if (i > 0) out += separator();
      out += levels[i];
    }
    return out;
  }

  target::TargetNamespace ns_;
  std::vector<std::string> prefix_levels_;
};

const target::TargetFolder* find_by_name(const std::vector<target::TargetFolder>& targets,
                                         const std::string& name) {
  for (const auto& t : targets)
    if (t.name == name || (is_inbox_name(name) && is_inbox_name(t.name))) return &t;
  return nullptr;
}

const target::TargetFolder* find_by_role(const std::vector<target::TargetFolder>& targets,
                                         Role role) {
  for (const auto& t : targets)
    if (t.role == role && t.selectable) return &t;
  return nullptr;
}

bool same_levels(const std::vector<std::string>& rule, const std::vector<std::string>& path,
                 std::size_t count) {
  if (rule.size() != count || path.size() < count) return false;
  for (std::size_t i = 0; i < count; ++i)
    if (core::fold_case(rule[i]) != core::fold_case(path[i])) return false;
  return true;
}

std::optional<Role> role_reference(std::string_view target) {
  if (is_inbox_name(target)) return Role::Inbox;
  if (target.empty() || target.front() != '\\') return std::nullopt;
  Role role = core::role_from_special_use(target);
  if (role == Role::None) return std::nullopt;
  return role;
}

class Planner {
 public:
  Planner(const std::vector<target::TargetFolder>& targets, const target::TargetNamespace& ns,
          const MappingOptions& options)
      : targets_(targets), ns_(ns), namer_(ns), options_(options) {
    for (const auto& rule : options.rules.map)
      map_.push_back({split(rule.source, '/', '\0'), &rule});
  }

  FolderLayout run(const std::vector<source::SourceFolder>& sources) {
    FolderLayout plan;
    std::vector<const source::SourceFolder*> kept;
    for (const auto& folder : sources) {
      if (options_.only_role && folder.role != *options_.only_role) continue;
      if (!included(folder)) {
        plan.left_out.push_back(folder.display_name());
        continue;
      }
      kept.push_back(&folder);
    }
    const bool single = options_.single_folder_source && sources.size() == 1 && !options_.only_role;
    // Role folders first, so that folders below them can follow them.
    std::vector<FolderAssignment> out(kept.size());
    std::vector<bool> own_name(kept.size(), false);
    for (int pass = 0; pass < 2; ++pass) {
      for (std::size_t i = 0; i < kept.size(); ++i) {
        const source::SourceFolder& folder = *kept[i];
        const bool role_pass = folder.role != Role::None;
        if ((pass == 0) != role_pass) continue;
        FolderAssignment& a = out[i];
        a.source = folder;
        if (single)
          a.target = namer_.from_user(options_.to_folder, a.problem);
        else
          own_name[i] = place(folder, a);
        if (!a.problem.empty()) a.target.clear();
        // A \Noselect name (a placeholder parent) cannot hold messages: it is
        // created like a missing folder, which makes it selectable where the
        // server can (Dovecot's Maildir); where it cannot, CREATE says so.
        const target::TargetFolder* on_server =
            a.target.empty() ? nullptr : find_by_name(targets_, a.target);
        a.exists = on_server != nullptr && on_server->selectable;
        if (a.exists && is_inbox_name(a.target)) a.target = "INBOX";
        if (a.by_role && pass == 0) role_paths_[folder.path] = a.target;
      }
    }
    plan.assignments = std::move(out);
    check_collisions(plan, own_name);
    for (const auto& m : map_)
      if (used_rules_.count(m.rule) == 0)
        plan.notes.push_back("map rule " + quoted(m.rule->source) + " matches no source folder");
    if (!plan.left_out.empty())
      plan.notes.push_back(core::counted(plan.left_out.size(), "source folder", "source folders") +
                           " left out by include/exclude");
    for (const auto& name : replaced_)
      plan.notes.push_back("the folder name " + quoted(name) + " holds the server's delimiter " +
                           quoted(std::string(1, ns_.delimiter)) + ", replaced by '_'");
    return plan;
  }

 private:
  struct MapEntry {
    std::vector<std::string> levels;
    const core::FolderMapRule* rule;
  };

  // Two source folders into one target folder: fine for folders of one role
  // (that is what roles are for), for folders whose own name is that target
  // (a PST may hold two "Inbox" folders, or a user's "Inbox" beside its
  // Chinese-named real one: the server has one INBOX), or when the job says
  // merge. A collision a rule or a replaced delimiter made is a problem.
  void check_collisions(FolderLayout& plan, const std::vector<bool>& own_name) const {
    std::map<std::string, std::vector<std::size_t>> by_target;
    for (std::size_t i = 0; i < plan.assignments.size(); ++i) {
      const auto& a = plan.assignments[i];
      if (!a.target.empty()) by_target[is_inbox_name(a.target) ? "INBOX" : a.target].push_back(i);
    }
    for (const auto& [target, members] : by_target) {
      if (members.size() < 2) continue;
      std::set<Role> roles;
      bool natural = true;
      std::string names;
      for (std::size_t k = 0; k < members.size(); ++k) {
        const auto& a = plan.assignments[members[k]];
        if (a.by_role)
          roles.insert(a.role);
        else
          natural = natural && own_name[members[k]];
        names += (k == 0                    ? ""
                  : k + 1 == members.size() ? " and "
                                            : ", ") +
                 quoted(a.source.display_name());
      }
      natural = natural && roles.size() <= 1;
      if (natural || options_.rules.merge) {
        plan.notes.push_back(names + " go into one folder, " + quoted(target));
        continue;
      }
      for (auto i : members)
        plan.assignments[i].problem =
            names + " would all go into " + quoted(target) +
            "; give them different targets with \"map\", or allow it with \"merge\": true";
    }
  }

  bool included(const source::SourceFolder& folder) const {
    const std::string path = folder.display_name();
    const auto& rules = options_.rules;
    bool in = rules.include.empty();
    for (const auto& p : rules.include) in = in || core::folder_glob_matches(p, path);
    for (const auto& p : rules.exclude) in = in && !core::folder_glob_matches(p, path);
    return in;
  }

  const MapEntry* map_rule_for(const source::SourceFolder& folder) const {
    const MapEntry* best = nullptr;
    for (const auto& m : map_) {
      if (!same_levels(m.levels, folder.path, m.levels.size())) continue;
      if (!best || m.levels.size() > best->levels.size()) best = &m;
    }
    return best;
  }

  // The server folder of `role`: the server's own, or one to create, shared by
  // every source folder of that role.
  std::string role_folder(Role role, const std::string& source_name, std::string& problem) {
    if (role == Role::Inbox) return "INBOX";
    if (const auto* t = find_by_role(targets_, role)) return t->name;
    auto it = new_role_folders_.find(role);
    if (it != new_role_folders_.end()) return it->second;
    std::string name = core::is_name_of_role(source_name, role)
                           ? source_name
                           : std::string(core::default_role_folder_name(role));
    std::string server_name = namer_.from_user(name, problem);
    if (problem.empty()) new_role_folders_[role] = server_name;
    return server_name;
  }

  // Returns whether the folder went where its own path says (below a prefix,
  // a rule's or a role's folder at most; no character replaced).
  bool place(const source::SourceFolder& folder, FolderAssignment& a) {
    const auto& path = folder.path;
    if (const MapEntry* m = map_rule_for(folder)) {
      used_rules_.insert(m->rule);
      const std::vector<std::string> rest(path.begin() + static_cast<long>(m->levels.size()),
                                          path.end());
      std::string base;
      if (auto role = role_reference(m->rule->target)) {
        base = role_folder(*role, path.empty() ? "" : path.back(), a.problem);
        a.role = *role;
        a.by_role = rest.empty();
      } else {
        base = namer_.from_user(m->rule->target, a.problem);
      }
      if (a.problem.empty()) a.target = namer_.below(base, rest, a.problem, replaced_);
      if (!rest.empty()) a.role = Role::None;
      return !rest.empty() && verbatim(path);  // the rule itself picked the name
    }
    if (!options_.rules.prefix.empty()) {
      std::string base = namer_.from_user(options_.rules.prefix, a.problem);
      if (a.problem.empty()) a.target = namer_.below(base, path, a.problem, replaced_);
      return verbatim(path);
    }
    if (folder.role != Role::None) {
      a.target = role_folder(folder.role, path.empty() ? "" : path.back(), a.problem);
      a.role = folder.role;
      a.by_role = true;
      return false;
    }
    // Below a role folder of the source: below the server's folder of that role.
    for (std::size_t n = path.size(); n-- > 1;) {
      auto it = role_paths_.find(
          std::vector<std::string>(path.begin(), path.begin() + static_cast<long>(n)));
      if (it == role_paths_.end()) continue;
      a.target = namer_.below(
          it->second, std::vector<std::string>(path.begin() + static_cast<long>(n), path.end()),
          a.problem, replaced_);
      return verbatim(path);
    }
    a.target = namer_.from_source(path, a.problem, replaced_);
    return verbatim(path);
  }

  // Whether the levels keep their names on the server (no delimiter replaced,
  // no levels joined on a flat server).
  bool verbatim(const std::vector<std::string>& levels) const {
    if (ns_.delimiter == '\0') return levels.size() <= 1;
    for (const auto& level : levels)
      if (level.find(ns_.delimiter) != std::string::npos) return false;
    return true;
  }

  const std::vector<target::TargetFolder>& targets_;
  target::TargetNamespace ns_;
  Namer namer_;
  const MappingOptions& options_;
  std::vector<MapEntry> map_;
  std::set<const core::FolderMapRule*> used_rules_;
  std::map<Role, std::string> new_role_folders_;
  std::map<std::vector<std::string>, std::string> role_paths_;
  std::set<std::string> replaced_;
};

}  // namespace

char target_delimiter(const std::vector<target::TargetFolder>& targets) {
  for (const auto& t : targets)
    if (is_inbox_name(t.name)) return t.delimiter;
  return targets.empty() ? '/' : targets.front().delimiter;
}

FolderLayout make_plan(const std::vector<source::SourceFolder>& sources,
                       const std::vector<target::TargetFolder>& targets,
                       const target::TargetNamespace& ns, const MappingOptions& options) {
  FolderLayout plan = Planner(targets, ns, options).run(sources);
  plan.ns = ns;
  return plan;
}

}  // namespace mailferry::sync
