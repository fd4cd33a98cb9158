#include "mailferry/cli/list_command.hpp"

#include <algorithm>
#include <cstdio>

#include "mailferry/app/run_job.hpp"
#include "mailferry/cli/output_lines.hpp"
#include "mailferry/core/error.hpp"
#include "mailferry/core/log.hpp"
#include "mailferry/job/job_file.hpp"
#include "mailferry/sync/folder_mapping.hpp"

namespace mailferry::cli {
namespace {

// Counts a source folder's messages (and unreadable ones) by scanning it.
class CountingSink : public source::ScanSink {
 public:
  void message(source::SourceMessage) override { ++messages; }
  void error(core::ErrorRecord) override { ++errors; }
  std::uint64_t messages = 0, errors = 0;
};

job::EndpointConfig endpoint_config(const std::string& url, const std::string& role,
                                    const std::string& password_file, const std::string& auth,
                                    const std::string& token_command, const ListOptions& o) {
  job::EndpointConfig config;
  config.url = url;
  config.endpoint = job::parse_endpoint(url, role);
  config.password.file = password_file;
  config.token_command = token_command;
  config.auth = !auth.empty() ? auth : token_command.empty() ? "password" : "xoauth2";
  if (config.oauth2() && config.token_command.empty())
    throw core::UsageError(role + ": " + config.auth + " needs a token command (--token-command)");
  if (config.oauth2() && !password_file.empty())
    throw core::UsageError(role + ": give a password file or a token command, not both");
  config.ca_file = o.ca_file;
  config.insecure_plaintext = o.insecure_plaintext;
  return config;
}

int list_target(const job::EndpointConfig& to) {
  job::Job j;
  j.name = "list";
  j.to = to;
  auto target = app::open_imap_target(j);
  std::printf("server: %s\n", target->shape().c_str());
  std::printf("%-40s %-8s %8s\n", "FOLDER", "ROLE", "MESSAGES");
  for (const auto& f : target->list_folders()) {
    std::string count = "-";
    if (f.selectable) count = std::to_string(target->status(f.name).messages);
    std::printf("%s %-8s %8s\n", pad_right(f.name, 40).c_str(),
                std::string(core::role_name(f.role)).c_str(), count.c_str());
  }
  return core::kExitComplete;
}

}  // namespace

int run_list(const ListOptions& o) {
  auto first = endpoint_config(o.endpoint, "list", o.password_file, o.auth, o.token_command, o);
  if (first.endpoint.is_imap()) {
    if (first.password.empty() && !first.oauth2()) first.password.env = "MAILFERRY_TO_PASSWORD";
    return list_target(first);
  }

  job::Job j;
  j.name = "list";
  j.origin = "command line";
  j.from = first;
  if (!o.mbox_format.empty()) j.mbox_format = o.mbox_format;
  if (!o.maildir_layout.empty()) j.maildir_layout = o.maildir_layout;
  j.ignore_pst_password = o.ignore_pst_password;
  if (j.ignore_pst_password && j.from.endpoint.scheme != job::Scheme::Pst)
    throw core::UsageError("--ignore-pst-password: only a pst: source has a PST password");
  apply_folder_rules(o.folder_rules, j.folder_rules);
  auto source = app::open_source(j);
  const auto folders = source->folders();

  sync::FolderLayout plan;
  if (!o.to.empty()) {
    j.to = endpoint_config(o.to, "--to", o.to_password_file, o.to_auth, o.to_token_command, o);
    auto target = app::open_target(j);
    sync::MappingOptions mapping;
    mapping.single_folder_source = app::is_single_folder_source(j);
    mapping.rules = j.folder_rules;
    // The same plan sync makes: the server's namespace, roles and delimiter.
    plan = sync::plan_folders(folders, *target, mapping);
    std::printf("%-32s %-8s %-32s %-8s %8s\n", "SOURCE FOLDER", "ROLE", "TARGET FOLDER", "STATE",
                "MESSAGES");
  } else {
    std::printf("%-40s %-8s %8s\n", "FOLDER", "ROLE", "MESSAGES");
  }

  int exit_code = core::kExitComplete;
  for (size_t i = 0; i < folders.size(); ++i) {
    CountingSink sink;
    source->scan(folders[i], sink);
    std::string count = std::to_string(sink.messages);
    if (sink.errors > 0) {
      count += " (" + std::to_string(sink.errors) + " unreadable)";
      exit_code = core::kExitPartial;
    }
    const std::string role(core::role_name(folders[i].role));
    if (o.to.empty()) {
      std::printf("%s %-8s %8s\n", pad_right(folders[i].display_name(), 40).c_str(), role.c_str(),
                  count.c_str());
      continue;
    }
    for (const auto& a : plan.assignments) {
      if (a.source.locator != folders[i].locator) continue;
      std::printf("%s %-8s %s %-8s %8s\n", pad_right(folders[i].display_name(), 32).c_str(),
                  role.c_str(), pad_right(a.target, 32).c_str(),
                  !a.problem.empty() ? "PROBLEM"
                  : a.exists         ? "exists"
                                     : "create",
                  count.c_str());
    }
  }
  for (const auto& note : plan.notes) std::printf("note: %s\n", note.c_str());
  if (!plan.ok()) {
    // The same refusal sync would give, before it uploads anything.
    core::log_error(plan.problems());
    exit_code = std::max(exit_code, static_cast<int>(core::kExitUsage));
  }
  return exit_code;
}

}  // namespace mailferry::cli
