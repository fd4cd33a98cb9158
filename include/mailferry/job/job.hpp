// A validated job: one source, one target, and how to move mail between them.
// Built from a JSON job file (job_file.hpp) or from command-line flags; every
// command-line option has a job-file key (man/mailferry-job.5 lists them).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mailferry/core/folder_rules.hpp"
#include "mailferry/core/role.hpp"
#include "mailferry/core/secret.hpp"
#include "mailferry/job/endpoint.hpp"

namespace mailferry::job {

// Where a password comes from. Not the password itself (it is read only
// when the connection is made, credentials.hpp), except for the one written
// in an account list's password column, which only a file its owner alone
// can read may hold (accounts_file.hpp).
struct PasswordSource {
  std::string file;     // a file holding the password (first line)
  std::string env;      // an environment variable
  std::string command;  // a shell command printing the password (or an OAuth2 token)
  core::Secret value;   // from an account list's from.password / to.password column
  bool empty() const { return file.empty() && env.empty() && command.empty() && value.empty(); }
};

struct EndpointConfig {
  std::string url;  // as written, for messages
  Endpoint endpoint;
  PasswordSource password;
  std::string ca_file;              // extra PEM CA to trust besides the system store
  bool insecure_plaintext = false;  // allow imap:// / pop3:// without TLS
  // OAuth2 (Gmail, Microsoft 365) instead of a password: auth is "password"
  // (the default), "xoauth2" or "oauthbearer"; token_command prints an access
  // token and runs for every connection, so a reconnect gets a fresh one.
  std::string auth = "password";
  std::string token_command;
  bool oauth2() const { return auth != "password"; }
};

struct Job {
  std::string name;    // "job 1" when the file gives none
  std::string origin;  // "jobs.json" or "command line", for messages
  EndpointConfig from;
  EndpointConfig to;
  bool dry_run = false;
  std::string report_path;              // JSON report ("" = none)
  std::string to_folder = "INBOX";      // target of a single-folder source
  std::string mbox_format = "auto";     // auto, mboxo, mboxrd, mboxcl, mboxcl2
  std::string maildir_layout = "auto";  // auto, maildir++, fs
  std::optional<core::Role> only_role;
  bool mark_read = true;           // POP3 has no flags: migrated mail arrives as read
  bool delete_after_copy = false;  // POP3: DELE what is confirmed on the server
  // pst: open a file Outlook guards with a password without checking it
  // (pst/password.hpp: the password encrypts nothing).
  bool ignore_pst_password = false;
  // An IMAP source: also read the folders that only show messages kept in
  // others (Gmail's All Mail, Starred, Important), left out by default.
  bool include_virtual_folders = false;
  // A file source (mbox:, pst:, eml:) that holds no message is a success only
  // when allowed: otherwise it is more likely the wrong path than an empty mailbox.
  bool allow_empty = false;
  int keep_days = 0;       // with delete_after_copy: keep the last N days
  std::string state_path;  // per-job state store ("" = default location)
  // Which folders go where: map, include, exclude, prefix, merge, gmail_labels.
  core::FolderRules folder_rules;
  // Upload pacing (core/throttle.hpp); 0: no limit.
  std::uint64_t max_bytes_per_second = 0;
  double max_messages_per_second = 0;
  // Connections for independent target folders (sync::ExecutorOptions); 0:
  // the default for the source (default_connections()).
  int connections = 0;
};

}  // namespace mailferry::job
