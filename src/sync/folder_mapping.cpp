#include "mailferry/sync/folder_mapping.hpp"

#include <strings.h>

namespace mailferry::sync {
namespace {

bool is_inbox_name(const std::string& name) { return strcasecmp(name.c_str(), "INBOX") == 0; }

const target::TargetFolder* find_by_name(const std::vector<target::TargetFolder>& targets,
                                         const std::string& name) {
  for (const auto& t : targets) {
    if (t.name == name || (is_inbox_name(name) && is_inbox_name(t.name))) return &t;
  }
  return nullptr;
}

const target::TargetFolder* find_by_role(const std::vector<target::TargetFolder>& targets,
                                         core::Role role) {
  for (const auto& t : targets)
    if (t.role == role && t.selectable) return &t;
  return nullptr;
}

std::string join_path(const std::vector<std::string>& path, char delimiter) {
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    std::string part = path[i];
    if (i == 0 && is_inbox_name(part)) part = "INBOX";
    if (delimiter != '\0')
      for (char& c : part)
        if (c == delimiter) c = '_';
    if (!out.empty()) out += delimiter == '\0' ? '_' : delimiter;
    out += part;
  }
  return out;
}

}  // namespace

char target_delimiter(const std::vector<target::TargetFolder>& targets) {
  for (const auto& t : targets)
    if (is_inbox_name(t.name)) return t.delimiter;
  return targets.empty() ? '/' : targets.front().delimiter;
}

std::vector<FolderAssignment> map_folders(const std::vector<source::SourceFolder>& sources,
                                          const std::vector<target::TargetFolder>& targets,
                                          const MappingOptions& options) {
  const char delimiter = target_delimiter(targets);
  std::vector<FolderAssignment> out;
  for (const auto& folder : sources) {
    if (options.only_role && folder.role != *options.only_role) continue;
    FolderAssignment a;
    a.source = folder;
    a.role = folder.role;
    if (options.single_folder_source && sources.size() == 1 && !options.only_role) {
      a.target = options.to_folder;
    } else if (folder.role == core::Role::Inbox && folder.path.size() <= 1) {
      a.target = "INBOX";
    } else if (folder.role != core::Role::None && folder.path.size() <= 1 &&
               find_by_role(targets, folder.role) != nullptr) {
      a.target = find_by_role(targets, folder.role)->name;
    } else {
      a.target = join_path(folder.path, delimiter);
    }
    a.exists = find_by_name(targets, a.target) != nullptr;
    if (a.exists && is_inbox_name(a.target)) a.target = "INBOX";
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace mailferry::sync
