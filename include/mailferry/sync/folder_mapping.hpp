// Where each source folder goes on the target.
//
// Rules, in order:
//  1. A single-folder source (an mbox file, a POP3 mailbox) goes to `to_folder`.
//  2. A folder with a role goes to the server's folder of that role (SPECIAL-USE);
//     Inbox is always "INBOX". Without such a folder on the server, the role's
//     source name is used and the folder is created (marked with its role where
//     the server allows).
//  3. Any other folder keeps its path, joined with the server's delimiter. A
//     delimiter character inside a source name component is replaced by '_'
//     (a name cannot contain the server's hierarchy separator).
// Names are UTF-8; the IMAP layer converts them to modified UTF-7.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "mailferry/core/role.hpp"
#include "mailferry/source/source.hpp"
#include "mailferry/target/target.hpp"

namespace mailferry::sync {

struct MappingOptions {
  bool single_folder_source = false;
  std::string to_folder = "INBOX";
  std::optional<core::Role> only_role;
};

struct FolderAssignment {
  source::SourceFolder source;
  std::string target;
  core::Role role = core::Role::None;
  bool exists = false;  // the target folder is on the server already
};

std::vector<FolderAssignment> map_folders(const std::vector<source::SourceFolder>& sources,
                                          const std::vector<target::TargetFolder>& targets,
                                          const MappingOptions& options);

// The server's hierarchy delimiter as its folder list shows it ('/' if unknown).
char target_delimiter(const std::vector<target::TargetFolder>& targets);

}  // namespace mailferry::sync
