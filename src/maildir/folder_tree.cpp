#include "mailferry/maildir/folder_tree.hpp"

#include <algorithm>
#include <system_error>

#include "mailferry/core/error.hpp"
#include "mailferry/imap/mutf7.hpp"
#include "mailferry/mbox/folder_tree.hpp"

namespace fs = std::filesystem;

namespace mailferry::maildir {
namespace {

// Dovecot keeps names in modified UTF-7 on disk; a name that is not valid
// modified UTF-7 was written by something else and is taken as it is.
std::string decoded(std::string_view name) {
  if (name.find('&') == std::string_view::npos) return std::string(name);
  try {
    return imap::mutf7_decode(name);
  } catch (const imap::Mutf7Error&) {
    return std::string(name);
  }
}

bool is_dir(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

bool is_reserved(std::string_view name) { return name == "cur" || name == "new" || name == "tmp"; }

// The sub-directories of `dir` (no links to directories), in byte order.
// Throws core::SourceError when `dir` cannot be listed.
std::vector<fs::path> sub_directories(const fs::path& dir, std::vector<FolderNote>& notes) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code sec;
    if (it->is_symlink(sec)) {
      if (is_dir(it->path()))
        notes.push_back({it->path(), "skipped: a link to a directory (it could loop)"});
      continue;
    }
    if (it->is_directory(sec)) out.push_back(it->path());
  }
  if (ec)
    throw core::SourceError(
        "maildir:" + dir.string() + ": cannot list the directory: " + ec.message(),
        core::ErrorScope::Account);
  std::sort(out.begin(), out.end(), [](const fs::path& a, const fs::path& b) {
    return a.filename().native() < b.filename().native();
  });
  return out;
}

// ".Archive.2019" -> {"Archive", "2019"}; empty for names that are no folder.
std::vector<std::string> plus_plus_path(std::string_view name) {
  std::vector<std::string> out;
  name.remove_prefix(1);
  while (true) {
    const std::size_t dot = name.find('.');
    const std::string_view part = name.substr(0, dot);
    if (part.empty()) return {};  // "..", ".a..b", ".a."
    out.push_back(decoded(part));
    if (dot == std::string_view::npos) return out;
    name.remove_prefix(dot + 1);
  }
}

void walk_fs(const fs::path& dir, std::vector<std::string>& prefix, std::vector<Folder>& out,
             std::vector<FolderNote>& notes) {
  std::vector<fs::path> subs;
  try {
    subs = sub_directories(dir, notes);
  } catch (const core::SourceError& e) {
    notes.push_back({dir, std::string(e.what()) + "; skipped"});
    return;
  }
  for (const auto& sub : subs) {
    const std::string name = sub.filename().string();
    if (name.empty() || name.front() == '.' || is_reserved(name)) continue;
    prefix.push_back(decoded(name));
    if (is_maildir(sub)) out.push_back({prefix, sub});
    walk_fs(sub, prefix, out, notes);
    prefix.pop_back();
  }
}

std::vector<Folder> plus_plus_folders(const fs::path& root, std::vector<FolderNote>& notes) {
  std::vector<Folder> out;
  for (const auto& sub : sub_directories(root, notes)) {
    const std::string name = sub.filename().string();
    if (name.size() < 2 || name.front() != '.') {
      if (!is_reserved(name) && is_maildir(sub))
        notes.push_back({sub,
                         "skipped: a Maildir that is not a Maildir++ folder (its name has "
                         "no leading '.'; --maildir-layout fs reads it)"});
      continue;
    }
    if (!is_maildir(sub)) continue;  // .git, .cache, ...
    std::vector<std::string> path = plus_plus_path(name);
    if (path.empty()) {
      notes.push_back({sub, "skipped: not a Maildir++ folder name"});
      continue;
    }
    out.push_back({std::move(path), sub});
  }
  return out;
}

}  // namespace

std::optional<Layout> parse_layout(std::string_view text) {
  if (text == "auto") return Layout::Auto;
  if (text == "maildir++") return Layout::MaildirPlusPlus;
  if (text == "fs") return Layout::Fs;
  return std::nullopt;
}

std::string_view layout_name(Layout layout) {
  switch (layout) {
    case Layout::Auto:
      return "auto";
    case Layout::MaildirPlusPlus:
      return "maildir++";
    case Layout::Fs:
      return "fs";
  }
  return "auto";
}

bool is_maildir(const fs::path& dir) { return is_dir(dir / "cur") || is_dir(dir / "new"); }

Layout detect_layout(const fs::path& root) {
  std::error_code ec;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() > 1 && name.front() == '.' && name != ".." && is_maildir(it->path()))
      return Layout::MaildirPlusPlus;
  }
  return Layout::Fs;
}

std::vector<Folder> discover_folders(const fs::path& root, Layout layout,
                                     std::vector<FolderNote>& notes) {
  if (layout == Layout::Auto) layout = detect_layout(root);
  std::vector<Folder> subs;
  if (layout == Layout::MaildirPlusPlus) {
    subs = plus_plus_folders(root, notes);
  } else {
    sub_directories(root, notes);  // throws when the root cannot be listed
    std::vector<std::string> prefix;
    walk_fs(root, prefix, subs, notes);
  }
  std::sort(subs.begin(), subs.end(),
            [](const Folder& a, const Folder& b) { return a.path < b.path; });

  std::vector<Folder> out;
  if (is_maildir(root)) {
    std::string name = fs::path(root).lexically_normal().filename().string();
    if (name.empty()) name = fs::path(root).lexically_normal().parent_path().filename().string();
    if (!name.empty() && name.front() == '.') name.erase(0, 1);
    const bool lone_role_folder =
        subs.empty() && !name.empty() && mbox::guess_role_from_name(name) != core::Role::None;
    out.push_back({{lone_role_folder ? decoded(name) : "INBOX"}, root});
  }
  for (auto& f : subs) out.push_back(std::move(f));
  if (out.empty())
    throw core::SourceError("maildir:" + root.string() +
                                ": no Maildir here (neither it nor a folder below it holds cur/ "
                                "or new/)",
                            core::ErrorScope::Account);
  return out;
}

}  // namespace mailferry::maildir
