// From files and directories to mail folders.
//
// A directory becomes a folder tree:
//  - every mbox file (recognized by content: after blank lines, the first line
//    starts with "From ") is a folder named after the file without its
//    extension (.mbox, .mboxrd, .mbx, .txt, ...);
//  - an empty file is a folder when Thunderbird keeps an index (Name.msf) or
//    sub-folders (Name.sbd/) for it, or its extension says mbox;
//  - Thunderbird's "Name.sbd/" holds the sub-folders of "Name";
//  - Apple Mail's "Name.mbox/" bundle holds its messages in a file "mbox";
//  - any other directory is a path component;
//  - dot files, .msf indexes and links to directories are skipped silently;
//    other files are skipped with a note.
// Entries are visited in byte order of their names, so the result is stable.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "mailferry/core/role.hpp"

namespace mailferry::mbox {

struct MboxFolderFile {
  std::vector<std::string> path;  // folder path components, outermost first
  std::filesystem::path file;
};

struct FolderNote {
  std::filesystem::path file;
  std::string text;
};

enum class MboxProbe { Mbox, Empty, NotMbox, Unreadable };

// Looks at the first 64 KiB of `file`. Never throws.
MboxProbe probe_mbox_file(const std::filesystem::path& file);

// "Inbox.mbox" -> "Inbox", "list.mbox.txt" -> "list", "Sent" -> "Sent".
std::string folder_name_for_file(const std::filesystem::path& file);

// Walks `root` (a directory). Notes about skipped entries go to `notes`.
// Throws core::SourceError if `root` itself cannot be listed.
std::vector<MboxFolderFile> discover_mbox_folders(const std::filesystem::path& root,
                                                  std::vector<FolderNote>& notes);

// The role a top-level folder plays, guessed from its name in any language
// of core/role_names.hpp (Thunderbird's Sent, Drafts, Trash, Junk, Archives,
// "Unsent Messages", Outlook's, Apple Mail's, ... and their translations).
// Everything else (Templates included) is None.
core::Role guess_role_from_name(std::string_view name);

}  // namespace mailferry::mbox
