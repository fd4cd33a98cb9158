// The message files of one Maildir folder: what a scan lists before reading
// anything, and all a re-run with nothing new looks at.
//
// Files of cur/ and new/ (never tmp/, where deliveries are still being
// written), dot files skipped, in byte order of their unique names; when a
// file shows up in both (listed while a mail program moved it), the first
// listed is kept.
#pragma once

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "mailferry/maildir/file_name.hpp"

namespace mailferry::maildir {

struct MessageFile {
  std::string sub;   // "cur" or "new"
  std::string name;  // the file name
  FileName parsed;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;  // modification time, nanoseconds since the epoch
  std::time_t mtime = 0;      // the same in seconds

  std::string relative() const { return sub + "/" + name; }
};

// Lists `dir`/new and `dir`/cur. Throws core::SourceError (scope Folder)
// when either exists but cannot be listed (a folder seen in part would look
// complete); a missing one is empty.
std::vector<MessageFile> list_message_files(const std::filesystem::path& dir);

// The file of `dir`/cur or `dir`/new whose unique name is `unique` (a
// message a mail program renamed), if any.
std::optional<MessageFile> find_by_unique(const std::filesystem::path& dir,
                                          const std::string& unique);

}  // namespace mailferry::maildir
