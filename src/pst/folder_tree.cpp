#include "mailferry/pst/folder_tree.hpp"

#include <libpst/libpst.h>
#include <strings.h>

#include <algorithm>
#include <cstdio>

#include "mailferry/pst/lost_items.hpp"
#include "mailferry/pst/pst_file.hpp"

namespace mailferry::pst {
namespace {

using core::Role;

constexpr std::uint16_t kPropMessageClass = 0x001A;
constexpr std::uint16_t kPropDisplayName = 0x3001;
constexpr std::uint16_t kPropContainerClass = 0x3613;
constexpr int kMaxDepth = 256;

bool starts_with_nocase(const std::string& s, const char* prefix) {
  const std::size_t n = std::char_traits<char>::length(prefix);
  return s.size() >= n && strncasecmp(s.data(), prefix, n) == 0;
}

bool is_mail_container(const std::string& container_class) {
  // Folders without a class, IPF.Note and IPF.Imap hold mail (what libpst
  // also treats as mail folders); IPF.Note.OutlookHomepage is an RSS folder
  // that also holds posts as mail.
  return container_class.empty() || strcasecmp(container_class.c_str(), "IPF") == 0 ||
         starts_with_nocase(container_class, "IPF.Note") ||
         starts_with_nocase(container_class, "IPF.Imap");
}

std::string hex_nid(std::uint64_t nid) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(nid));
  return buf;
}

struct Walk {
  const PstFile& file;
  std::unordered_map<std::uint64_t, RoleAssignment> roles;
  FolderTree tree;
  // Candidates for the name fallback: (depth, index in tree.folders).
  std::vector<std::pair<int, std::size_t>> named;

  // Counts the messages directly below `node`.
  void count_items(pst_desc_tree* node, FolderInfo& info) {
    for (pst_desc_tree* c = node->child; c; c = c->next) {
      if (nid_type(c->d_id) != kNidMessage) continue;
      std::string cls;
      try {
        const std::vector<std::uint16_t> none;
        PropertyMap props = file.properties(c, &none);
        if (auto it = props.find(kPropMessageClass); it != props.end())
          cls = it->second.as_utf8(file.ansi_codepage()).value_or("");
      } catch (const FormatError&) {
        // Unreadable here: count it as mail so that the scan reports it.
        cls = "IPM.Note";
      }
      if (is_mail_class(cls))
        ++info.mail_items;
      else
        ++info.skipped_items;
    }
  }

  // Mail items the folder lists but the index lost: reported, as the scan
  // cannot see them (the message class is the table's, as the folder lists it).
  void lost_items(const pst_desc_tree& node, const std::vector<std::string>& path) {
    for (const LostItem& item : items_missing_from_index(file, node)) {
      if (!item.message_class.empty() && !is_mail_class(item.message_class)) continue;
      std::string where;
      for (const std::string& p : path) where += (where.empty() ? "" : "/") + p;
      tree.problems.push_back("folder \"" + where + "\", item (node " + hex_nid(item.nid) +
                              "): listed in the folder but missing from the file's index (the "
                              "index is damaged); it cannot be read");
    }
  }

  void folder(pst_desc_tree* node, std::vector<std::string> path, int depth) {
    FolderInfo info;
    info.nid = node->d_id;
    std::string name;
    try {
      const std::vector<std::uint16_t> none;
      PropertyMap props = file.properties(node, &none);
      if (auto it = props.find(kPropDisplayName); it != props.end())
        name = it->second.as_utf8(file.ansi_codepage()).value_or("");
      if (auto it = props.find(kPropContainerClass); it != props.end())
        info.container_class = it->second.as_utf8(file.ansi_codepage()).value_or("");
    } catch (const FormatError& e) {
      tree.problems.push_back("folder " + hex_nid(node->d_id) + " (below \"" +
                              (path.empty() ? std::string("/") : path.back()) +
                              "\"): unreadable folder properties: " + e.what());
    }
    if (name.empty()) name = "folder-" + hex_nid(node->d_id);
    path.push_back(name);
    info.path = path;
    if (auto it = roles.find(node->d_id); it != roles.end()) {
      info.role = it->second.role;
      info.role_source = it->second.source;
    }
    count_items(node, info);
    lost_items(*node, path);
    tree.skipped_items += info.skipped_items;
    if (is_mail_container(info.container_class) || info.mail_items > 0) {
      if (info.role == Role::None && role_from_folder_name(name) != Role::None)
        named.emplace_back(depth, tree.folders.size());
      tree.folders.push_back(info);
    }
    children(node, path, depth + 1);
  }

  void children(pst_desc_tree* node, const std::vector<std::string>& path, int depth) {
    if (depth > kMaxDepth) {
      tree.problems.push_back("folder tree deeper than " + std::to_string(kMaxDepth) +
                              " levels below \"" + path.back() + "\"; the rest is skipped");
      return;
    }
    for (pst_desc_tree* c = node->child; c; c = c->next)
      if (nid_type(c->d_id) == kNidFolder) folder(c, path, depth);
  }

  // Roles the entry ids left open go to the shallowest folder with a
  // well-known name for them.
  void name_fallback() {
    std::stable_sort(named.begin(), named.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [depth, index] : named) {
      FolderInfo& f = tree.folders[index];
      Role role = role_from_folder_name(f.path.back());
      bool taken = false;
      for (const FolderInfo& other : tree.folders) taken = taken || other.role == role;
      if (taken) continue;
      f.role = role;
      f.role_source = RoleSource::Name;
    }
  }
};

}  // namespace

bool is_mail_class(const std::string& message_class) {
  // The classes libpst maps to PST_TYPE_NOTE, _SCHEDULE and _REPORT, which
  // readpst exports as mail.
  return strcasecmp(message_class.c_str(), "IPM") == 0 ||
         starts_with_nocase(message_class, "IPM.Note") ||
         starts_with_nocase(message_class, "IPM.Schedule.Meeting") ||
         starts_with_nocase(message_class, "REPORT.IPM.Note");
}

FolderTree read_folder_tree(const PstFile& file) {
  Walk walk{file, roles_from_entry_ids(file), {}, {}};
  pst_desc_tree* top = file.top_of_folders();

  // Mail kept directly in the IPM root.
  FolderInfo root;
  root.nid = top->d_id;
  root.path = {file.display_name()};
  walk.count_items(top, root);
  walk.lost_items(*top, root.path);
  walk.tree.skipped_items += root.skipped_items;
  if (root.mail_items > 0) walk.tree.folders.push_back(root);

  walk.children(top, {}, 0);
  walk.name_fallback();
  return std::move(walk.tree);
}

}  // namespace mailferry::pst
