#include "mailferry/mbox/folder_tree.hpp"

#include <strings.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <system_error>

#include "mailferry/core/error.hpp"
#include "mailferry/core/role_names.hpp"
#include "mailferry/mbox/file_handle.hpp"

namespace fs = std::filesystem;

namespace mailferry::mbox {
namespace {

constexpr std::array<std::string_view, 8> kMboxExtensions{
    ".mbox", ".mboxrd", ".mboxo", ".mboxcl", ".mboxcl2", ".mbx", ".mbs", ".txt"};

bool iends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         strncasecmp(s.data() + s.size() - suffix.size(), suffix.data(), suffix.size()) == 0;
}

bool has_mbox_extension(std::string_view name) {
  for (auto ext : kMboxExtensions)
    if (ext != ".txt" && iends_with(name, ext)) return true;
  return false;
}

class Walker {
 public:
  Walker(const fs::path& root, std::vector<FolderNote>& notes) : root_(root), notes_(notes) {}

  std::vector<MboxFolderFile> run() {
    std::vector<std::string> prefix;
    walk(root_, prefix, is_apple_bundle(root_), true);
    return std::move(found_);
  }

 private:
  static bool is_apple_bundle(const fs::path& dir) {
    std::error_code ec;
    return iends_with(dir.filename().string(), ".mbox") && fs::is_regular_file(dir / "mbox", ec);
  }

  void walk(const fs::path& dir, const std::vector<std::string>& prefix, bool bundle,
            bool is_root) {
    std::error_code ec;
    std::vector<fs::directory_entry> entries;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
      entries.push_back(*it);
    if (ec) {
      if (is_root) throw core::SourceError("cannot list " + dir.string() + ": " + ec.message());
      notes_.push_back({dir, "cannot list the directory (" + ec.message() + "); skipped"});
      return;
    }
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
      return a.path().filename().string() < b.path().filename().string();
    });
    std::set<std::string> names;
    for (const auto& e : entries) names.insert(e.path().filename().string());

    for (const auto& e : entries) {
      const std::string name = e.path().filename().string();
      if (name.empty() || name[0] == '.') continue;
      if (e.is_symlink(ec) && e.is_directory(ec)) continue;  // links could loop
      if (e.is_directory(ec)) {
        std::vector<std::string> sub = prefix;
        if (iends_with(name, ".sbd") && name.size() > 4)
          sub.push_back(name.substr(0, name.size() - 4));
        else if (is_apple_bundle(e.path()))
          sub.push_back(folder_name_for_file(name));
        else
          sub.push_back(name);
        walk(e.path(), sub, is_apple_bundle(e.path()), false);
        continue;
      }
      if (!e.is_regular_file(ec)) {
        notes_.push_back({e.path(), "not a regular file; skipped"});
        continue;
      }
      if (iends_with(name, ".msf")) continue;  // Thunderbird's index of a folder
      if (bundle) {
        // An Apple Mail bundle keeps its messages in "mbox"; the rest is metadata.
        if (name == "mbox") {
          std::vector<std::string> path = prefix;
          if (path.empty()) path.push_back(folder_name_for_file(root_.filename()));
          add(std::move(path), e.path());
        }
        continue;
      }
      std::vector<std::string> path = prefix;
      path.push_back(folder_name_for_file(name));
      switch (probe_mbox_file(e.path())) {
        case MboxProbe::Mbox:
        case MboxProbe::Unreadable:  // scanning it reports the error, as a folder error
          add(std::move(path), e.path());
          break;
        case MboxProbe::Empty:
          if (names.count(name + ".msf") || names.count(name + ".sbd") || has_mbox_extension(name))
            add(std::move(path), e.path());
          else
            notes_.push_back({e.path(), "empty file without mbox extension; skipped"});
          break;
        case MboxProbe::NotMbox:
          notes_.push_back(
              {e.path(), "not an mbox file (does not start with a From line); skipped"});
          break;
      }
    }
  }

  void add(std::vector<std::string> path, const fs::path& file) {
    if (seen_.count(path)) {
      // "Inbox" and "Inbox.mbox" side by side: keep both, the later one under its full name.
      notes_.push_back({file, "another file already gives the folder name \"" + path.back() +
                                  "\"; this one is named \"" + file.filename().string() + "\""});
      path.back() = file.filename().string();
    }
    seen_.insert(path);
    found_.push_back({std::move(path), file});
  }

  fs::path root_;
  std::vector<FolderNote>& notes_;
  std::vector<MboxFolderFile> found_;
  std::set<std::vector<std::string>> seen_;
};

}  // namespace

MboxProbe probe_mbox_file(const fs::path& file) {
  try {
    FileHandle handle(file, core::ErrorScope::Folder);
    std::string head(64 * 1024, '\0');
    std::size_t n = handle.read_at(0, head.data(), head.size());
    head.resize(n);
    std::string_view rest = head;
    if (rest.substr(0, 3) == "\xEF\xBB\xBF") rest.remove_prefix(3);
    while (!rest.empty()) {
      std::size_t nl = rest.find('\n');
      std::string_view line = rest.substr(0, nl);
      if (line.find_first_not_of(" \t\r\f\v") != std::string_view::npos)
        return line.substr(0, 5) == "From " ? MboxProbe::Mbox : MboxProbe::NotMbox;
      if (nl == std::string_view::npos) break;
      rest.remove_prefix(nl + 1);
    }
    return MboxProbe::Empty;
  } catch (const core::SourceError&) {
    return MboxProbe::Unreadable;
  }
}

std::string folder_name_for_file(const fs::path& file) {
  std::string name = file.filename().string();
  for (bool stripped = true; stripped;) {
    stripped = false;
    for (auto ext : kMboxExtensions) {
      if (name.size() > ext.size() && iends_with(name, ext)) {
        name.resize(name.size() - ext.size());
        stripped = true;
        break;
      }
    }
  }
  return name;
}

std::vector<MboxFolderFile> discover_mbox_folders(const fs::path& root,
                                                  std::vector<FolderNote>& notes) {
  return Walker(root, notes).run();
}

core::Role guess_role_from_name(std::string_view name) {
  // The shared table of well-known names, any language. All Mail and Starred
  // are server views, not folders a mail program keeps.
  const core::Role role = core::role_from_folder_name(name).role;
  return role == core::Role::All || role == core::Role::Flagged ? core::Role::None : role;
}

}  // namespace mailferry::mbox
