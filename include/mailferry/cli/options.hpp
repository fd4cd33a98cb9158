// Command-line options shared by the verbs, and how they become Jobs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mailferry/job/job.hpp"

namespace mailferry::cli {

// Folder rules (core/folder_rules.hpp) from flags; each replaces the job
// file's key of the same name.
struct FolderRuleFlags {
  std::vector<std::string> maps;  // "SOURCE=TARGET"
  std::vector<std::string> includes, excludes;
  std::string prefix;
  bool merge = false;
  std::string gmail_labels;
};

struct CommonOptions {
  std::string job_file;  // positional: a JSON job file
  std::string accounts;  // --accounts: a CSV account list (job/accounts_file.hpp)
  std::string from, to;
  std::string from_password_file, to_password_file;
  std::string from_auth, to_auth;                    // password | xoauth2 | oauthbearer
  std::string from_token_command, to_token_command;  // OAuth2 access token printers
  std::string ca_file;
  bool insecure_plaintext = false;
  bool ignore_pst_password = false;
  bool include_virtual_folders = false;
  bool allow_empty = false;
  bool dry_run = false;
  std::string report_path;
  std::string to_folder;
  std::string mbox_format;
  std::string maildir_layout;
  std::string only_role;
  bool unread = false;  // POP3: migrated mail arrives unread
  bool delete_after_copy = false;
  int keep_days = -1;
  std::string state_path;
  FolderRuleFlags folder_rules;
  bool missing_only = false;  // check: print only what is missing
  bool verbose = false;
  bool quiet = false;
  std::string log_format = "text";      // text | json
  std::string max_bytes_per_second;     // "500000", "2M" ("" = the job's own)
  double max_messages_per_second = -1;  // < 0: the job's own
  int connections = 0;                  // 0: the job's own
  // Batches (batch.hpp).
  unsigned parallel = 1;
  std::string shard;                   // "K/M"
  std::vector<std::string> job_names;  // --job: only these jobs of the file
  std::string worker_dir;              // hidden: a batch worker, its reports go here
};

// Folder-rule flags on top of a job's rules. Throws core::UsageError.
void apply_folder_rules(const FolderRuleFlags& flags, core::FolderRules& rules);

// "500000", "512K", "2M", "1G" (K, M, G: 1024, 1024², 1024³) -> bytes.
// Throws core::UsageError naming `option`.
std::uint64_t parse_byte_size(const std::string& text, const std::string& option);

// The jobs the command line asks for: those of the job file and/or the
// account list (with the flags applied on top; only those named by --job,
// only those of --shard), or one job built from --from/--to. Throws
// core::UsageError.
std::vector<job::Job> jobs_from_options(const CommonOptions& options);

}  // namespace mailferry::cli
