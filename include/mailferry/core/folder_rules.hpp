// The job's rules for which source folders go where (job keys "map",
// "include", "exclude", "prefix", "merge", "gmail_labels"). Plain values: the
// job module fills them, sync::plan_folders (sync/folder_mapping.hpp) applies
// them, the Gmail Takeout source reads gmail_labels.
//
// Paths in rules are UTF-8 with '/' between folder levels, whatever the
// server's delimiter ("Archives/2019", "Imported/2019 PST").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailferry::core {

// "map": source folder (and everything below it) -> target folder. The target
// is a path, or a role in SPECIAL-USE spelling ("\Sent", "\Archive") for
// "the server's folder of that role", or "INBOX".
struct FolderMapRule {
  std::string source;
  std::string target;
};

// Gmail Takeout mbox files (messages with X-Gmail-Labels):
enum class GmailLabels {
  Each,    // every label is a folder; a message goes into each of its labels once
  First,   // a message goes once, into its first label that is a folder
  Ignore,  // labels are ignored: the file is one folder like any mbox file
};

std::string_view gmail_labels_name(GmailLabels mode);  // "each", "first", "ignore"
std::optional<GmailLabels> parse_gmail_labels(std::string_view name);

struct FolderRules {
  std::vector<FolderMapRule> map;
  // Globs over source folder paths ('*' within a level, '**' across levels,
  // '?' one character; case-insensitive). A pattern that matches a folder
  // also matches everything below it. Empty include: every folder.
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  // Puts the whole import below this folder (role folders too, unmarked);
  // "map" rules still win.
  std::string prefix;
  // Allows two source folders to go into one target folder. Without it, only
  // folders of one role share the server's folder of that role; any other
  // collision stops the job before anything is uploaded.
  bool merge = false;
  GmailLabels gmail_labels = GmailLabels::Each;

  bool empty() const {
    return map.empty() && include.empty() && exclude.empty() && prefix.empty() && !merge;
  }
};

// Whether `path` ('/'-separated, UTF-8) matches the glob `pattern` or one of
// its parent paths does (see FolderRules::include).
bool folder_glob_matches(std::string_view pattern, std::string_view path);

}  // namespace mailferry::core
