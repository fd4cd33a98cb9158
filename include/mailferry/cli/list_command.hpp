// `mailferry list`: the folders of a source (with roles and message counts),
// the folders of an IMAP target (with roles and counts), or, with --to, the
// folder plan: where each source folder would go, before anything is written.
#pragma once

#include <string>

#include "mailferry/cli/options.hpp"

namespace mailferry::cli {

struct ListOptions {
  std::string endpoint;
  std::string to;
  std::string ca_file;
  std::string password_file;
  std::string to_password_file;
  std::string auth, token_command;        // OAuth2 for ENDPOINT
  std::string to_auth, to_token_command;  // OAuth2 for --to
  bool insecure_plaintext = false;
  bool ignore_pst_password = false;
  std::string mbox_format;
  std::string maildir_layout;
  FolderRuleFlags folder_rules;  // for the plan shown with --to
};

int run_list(const ListOptions& options);

}  // namespace mailferry::cli
