// Where each source folder goes on the target: the folder plan.
//
// Rules, in order (the first that applies decides):
//  0. include/exclude (FolderRules) and --only-role leave folders out.
//  1. A single-folder source (an mbox file, a POP3 mailbox) goes to `to_folder`.
//  2. A "map" rule for the folder or one of its parents: the rule's target
//     (a path, or "\Sent"-style: the server's folder of that role), with the
//     levels below the rule's folder kept.
//  3. With a prefix, every folder goes below the prefix with its source path
//     (role folders too: an import kept apart is not the live Sent).
//  4. A folder with a role goes to the server's folder of that role (Inbox is
//     INBOX); folders below it in the source go below it on the server. A
//     server without such a folder gets one: named as in the source when that
//     is a well-known name of the role, else "Sent", "Drafts", ...; marked
//     with its role where the server can (CREATE-SPECIAL-USE).
//  5. Any other folder keeps its path.
// Paths are placed in the server's personal namespace ("INBOX." on Courier or
// Cyrus style servers) and joined with its delimiter. A source name holding
// the delimiter has it replaced by '_' ("a.b" is "a_b" on a '.' server); on
// a flat server (no delimiter) the levels are joined with '_'.
//
// Problems are found before anything is written: a name that cannot be a
// folder name (empty, control characters, not UTF-8), and two source folders
// going into one target folder (unless both reach it through their role, or
// the rules say "merge"). Names are UTF-8; the IMAP layer converts them to
// modified UTF-7.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mailferry/core/error.hpp"
#include "mailferry/core/folder_rules.hpp"
#include "mailferry/core/role.hpp"
#include "mailferry/source/source.hpp"
#include "mailferry/target/target.hpp"

namespace mailferry::sync {

struct MappingOptions {
  bool single_folder_source = false;
  std::string to_folder = "INBOX";
  std::optional<core::Role> only_role;
  core::FolderRules rules{};
};

struct FolderAssignment {
  source::SourceFolder source;
  std::string target;
  // The role the target folder has on the server (Role::None for a plain
  // folder, and for role folders placed below a prefix): what a CREATE marks.
  core::Role role = core::Role::None;
  bool exists = false;   // the target folder is on the server already
  bool by_role = false;  // it goes there because of its role
  std::string problem;   // non-empty: this folder cannot be migrated as planned
};

struct FolderLayout {
  std::vector<FolderAssignment> assignments;  // in source order, left-out folders omitted
  std::vector<std::string> left_out;          // source folders include/exclude dropped
  std::vector<std::string> notes;             // facts worth showing (not errors)
  target::TargetNamespace ns;
  // Target folders the server refused to create -> its words: each is that
  // folder's error, and the other folders go on.
  std::map<std::string, std::string> refused;

  bool ok() const;
  // Every problem, one per line, for an error message.
  std::string problems() const;
};

// The plan for `sources` on a server with `targets` in namespace `ns`. Pure.
FolderLayout make_plan(const std::vector<source::SourceFolder>& sources,
                       const std::vector<target::TargetFolder>& targets,
                       const target::TargetNamespace& ns, const MappingOptions& options);

// Lists the target's folders and namespace, and plans. Throws what the target
// throws (connection, refused LIST).
FolderLayout plan_folders(const std::vector<source::SourceFolder>& sources, target::Target& target,
                          const MappingOptions& options);

// The step before any upload: plans, refuses a plan with problems
// (FolderPlanError, naming every problem), and, when `create` is set, creates
// every target folder the server lacks (marked with its role where the server
// allows, and subscribed). A CREATE the server refuses lands in `refused`;
// when the refusal teaches where the server keeps folders (an uncertain
// namespace, Target::namespace_after_refusal), the plan is made again there
// first. The returned plan still says exists=false for the folders it created.
FolderLayout prepare_folders(const std::vector<source::SourceFolder>& sources,
                             target::Target& target, const MappingOptions& options, bool create);

// A plan that cannot be carried out: the job stops, nothing is uploaded.
class FolderPlanError : public core::Error {
 public:
  explicit FolderPlanError(const std::string& what)
      : core::Error(core::ErrorScope::Account, core::kExitUsage, what) {}
};

// The plan without its notes and problems (as before plans had them).
std::vector<FolderAssignment> map_folders(const std::vector<source::SourceFolder>& sources,
                                          const std::vector<target::TargetFolder>& targets,
                                          const MappingOptions& options);

// The server's hierarchy delimiter as its folder list shows it ('/' if unknown).
char target_delimiter(const std::vector<target::TargetFolder>& targets);

}  // namespace mailferry::sync
