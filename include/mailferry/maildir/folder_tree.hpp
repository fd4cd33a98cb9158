// From a Maildir directory to mail folders, in either common layout:
//
//  - Maildir++ (Courier, Dovecot's default): sub-folders are directories
//    beside cur/ whose names start with '.', the hierarchy joined by '.'
//    (".Sent", ".Archive.2019" is "Archive" / "2019");
//  - fs (Dovecot's LAYOUT=fs, mbsync's "SubFolders Verbatim"): sub-folders
//    are plain directories ("Sent/", "Archive/2019/"); a directory without
//    cur/ or new/ is only a path component.
//
// A directory is a Maildir when it holds cur/ or new/. The root's own
// messages are the folder "INBOX", as both layouts mean them; a lone Maildir
// without sub-folders whose name is a well-known folder name ("Sent",
// ".Sent", "Gesendet") is that folder instead. Names written in modified
// UTF-7 (as Dovecot stores "Entw&APw-rfe") are decoded; tmp/, dot files and
// links to directories are skipped. Folders come in byte order of their
// paths, so the result is stable.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailferry::maildir {

enum class Layout { Auto, MaildirPlusPlus, Fs };

// "auto", "maildir++", "fs"; nullopt for anything else.
std::optional<Layout> parse_layout(std::string_view text);
std::string_view layout_name(Layout layout);

// Whether `dir` holds cur/ or new/.
bool is_maildir(const std::filesystem::path& dir);

// Maildir++ when a directory beside cur/ is a dot-named Maildir, else fs.
Layout detect_layout(const std::filesystem::path& root);

struct Folder {
  std::vector<std::string> path;  // folder path components in UTF-8, outermost first
  std::filesystem::path dir;      // the Maildir holding its cur/ and new/
};

struct FolderNote {
  std::filesystem::path dir;
  std::string text;
};

// The folders under `root` in `layout` (Auto: detect_layout). Notes about
// skipped entries go to `notes`. Throws core::SourceError (scope Account)
// when `root` cannot be listed or holds no Maildir at all.
std::vector<Folder> discover_folders(const std::filesystem::path& root, Layout layout,
                                     std::vector<FolderNote>& notes);

}  // namespace mailferry::maildir
