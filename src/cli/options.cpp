#include "mailferry/cli/options.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "mailferry/cli/batch.hpp"
#include "mailferry/core/error.hpp"
#include "mailferry/core/log.hpp"
#include "mailferry/job/accounts_file.hpp"
#include "mailferry/job/job_file.hpp"
#include "mailferry/job/password_prompt.hpp"

namespace mailferry::cli {
namespace {

// How an endpoint logs in, from its flags: each replaces what the job file says.
void apply_login(const std::string& password_file, const std::string& auth,
                 const std::string& token_command, const std::string& side,
                 job::EndpointConfig& ep) {
  if (!password_file.empty() && !token_command.empty())
    throw core::UsageError(side + "-password-file and " + side +
                           "-token-command: give one (a password or an OAuth2 token)");
  if (!password_file.empty()) {
    ep.password = {};
    ep.password.file = password_file;
    ep.token_command.clear();
    ep.auth = "password";
  }
  if (!token_command.empty()) {
    ep.token_command = token_command;
    ep.password = {};
    if (!ep.oauth2()) ep.auth = "xoauth2";
  }
  if (!auth.empty()) ep.auth = auth;
}

// Flags given on the command line override the job file's keys.
void apply_flags(const CommonOptions& o, job::Job& j) {
  apply_login(o.from_password_file, o.from_auth, o.from_token_command, "--from", j.from);
  apply_login(o.to_password_file, o.to_auth, o.to_token_command, "--to", j.to);
  if (!o.ca_file.empty()) {
    j.from.ca_file = o.ca_file;
    j.to.ca_file = o.ca_file;
  }
  if (o.insecure_plaintext) j.from.insecure_plaintext = j.to.insecure_plaintext = true;
  if (o.dry_run) j.dry_run = true;
  if (!o.report_path.empty()) j.report_path = o.report_path;
  if (!o.to_folder.empty()) j.to_folder = o.to_folder;
  if (!o.mbox_format.empty()) j.mbox_format = o.mbox_format;
  if (!o.maildir_layout.empty()) j.maildir_layout = o.maildir_layout;
  if (!o.only_role.empty()) {
    j.only_role = core::parse_role(o.only_role);
    if (!j.only_role)
      throw core::UsageError("--only-role: unknown role '" + o.only_role +
                             "' (inbox, sent, drafts, trash, junk, archive, outbox)");
  }
  if (o.unread) j.mark_read = false;
  if (o.delete_after_copy) j.delete_after_copy = true;
  if (o.ignore_pst_password) j.ignore_pst_password = true;
  if (o.include_virtual_folders) j.include_virtual_folders = true;
  if (o.allow_empty) j.allow_empty = true;
  if (o.keep_days >= 0) j.keep_days = o.keep_days;
  if (!o.state_path.empty()) j.state_path = o.state_path;
  apply_folder_rules(o.folder_rules, j.folder_rules);
  if (!o.max_bytes_per_second.empty())
    j.max_bytes_per_second = parse_byte_size(o.max_bytes_per_second, "--max-bytes-per-second");
  if (o.max_messages_per_second >= 0) j.max_messages_per_second = o.max_messages_per_second;
  if (o.connections > 0) j.connections = o.connections;
}

// A missing password stops a batch before its first job starts, not halfway:
// files must be readable and variables set. Commands are not run here (they
// may ask someone, or cost a token); they run when the connection is made.
void check_credentials(const std::vector<job::Job>& jobs) {
  for (const auto& j : jobs) {
    for (const auto* side : {&j.from, &j.to}) {
      // A PST's password is optional (asked only when Outlook guards the
      // file), but one that was named must be there.
      const bool pst = side->endpoint.scheme == job::Scheme::Pst;
      if ((!side->endpoint.is_network() && !pst) || side->oauth2()) continue;
      const bool from = side == &j.from;
      const std::string where = "job '" + j.name + "', " + (from ? "from" : "to");
      const auto& p = side->password;
      if (!p.file.empty() && ::access(p.file.c_str(), R_OK) != 0)
        throw core::UsageError(where + ": cannot read password file " + p.file);
      if (!p.env.empty() &&
          (std::getenv(p.env.c_str()) == nullptr || *std::getenv(p.env.c_str()) == '\0'))
        throw core::UsageError(where + ": environment variable " + p.env + " is not set");
      const char* fallback = from ? "MAILFERRY_FROM_PASSWORD" : "MAILFERRY_TO_PASSWORD";
      // At a terminal the password is asked for when the connection needs it.
      if (!pst && p.empty() &&
          (std::getenv(fallback) == nullptr || *std::getenv(fallback) == '\0') &&
          !job::can_prompt_for_password())
        throw core::UsageError(
            where + ": no password given; use " +
            (from ? "--from-password-file" : "--to-password-file") + ", " + fallback +
            ", or password_file, password_env, password_command or token_command in "
            "a job file");
    }
  }
}

bool has_job(const std::vector<job::Job>& jobs, const std::string& name) {
  return std::any_of(jobs.begin(), jobs.end(), [&](const job::Job& j) { return j.name == name; });
}

// --job and --shard (a batch worker selects as its parent did, and is then
// told which of these jobs to run).
std::vector<job::Job> select_jobs(const CommonOptions& o, std::vector<job::Job> jobs) {
  const std::string batch = o.job_file.empty() ? o.accounts : o.job_file;
  if (!o.job_names.empty()) {
    if (batch.empty()) throw core::UsageError("--job selects jobs of a job file or --accounts");
    for (const auto& name : o.job_names)
      if (!has_job(jobs, name)) throw core::UsageError(batch + ": no job named '" + name + "'");
    std::erase_if(jobs, [&](const job::Job& j) {
      return std::find(o.job_names.begin(), o.job_names.end(), j.name) == o.job_names.end();
    });
  }
  if (!o.shard.empty()) {
    const Shard shard = parse_shard(o.shard);
    if (batch.empty()) throw core::UsageError("--shard selects jobs of a job file or --accounts");
    jobs = select_shard(std::move(jobs), shard);
  }
  return jobs;
}

}  // namespace

void apply_folder_rules(const FolderRuleFlags& o, core::FolderRules& rules) {
  if (!o.maps.empty()) {
    rules.map.clear();
    for (const auto& m : o.maps) {
      const auto eq = m.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == m.size())
        throw core::UsageError("--map: '" + m +
                               "' is not SOURCE=TARGET (e.g. --map 'Sent Items=\\Sent')");
      rules.map.push_back({m.substr(0, eq), m.substr(eq + 1)});
    }
  }
  if (!o.includes.empty()) rules.include = o.includes;
  if (!o.excludes.empty()) rules.exclude = o.excludes;
  if (!o.prefix.empty()) rules.prefix = o.prefix;
  if (o.merge) rules.merge = true;
  if (!o.gmail_labels.empty()) {
    auto mode = core::parse_gmail_labels(o.gmail_labels);
    if (!mode) throw core::UsageError("--gmail-labels: must be each, first or ignore");
    rules.gmail_labels = *mode;
  }
}

std::uint64_t parse_byte_size(const std::string& text, const std::string& option) {
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  std::uint64_t multiplier = 1;
  const std::string suffix = text.substr(digits);
  if (suffix == "K" || suffix == "k")
    multiplier = 1024;
  else if (suffix == "M" || suffix == "m")
    multiplier = 1024 * 1024;
  else if (suffix == "G" || suffix == "g")
    multiplier = 1024 * 1024 * 1024;
  else if (!suffix.empty())
    digits = 0;
  if (digits == 0 || digits > 12)
    throw core::UsageError(option + ": '" + text + "' is not a size like 500000, 512K, 2M or 1G");
  return std::stoull(text.substr(0, digits)) * multiplier;
}

std::vector<job::Job> jobs_from_options(const CommonOptions& o) {
  std::vector<job::Job> jobs;
  if (!o.job_file.empty() || !o.accounts.empty()) {
    if (!o.from.empty() || !o.to.empty())
      throw core::UsageError(std::string("give either ") +
                             (o.job_file.empty() ? "--accounts" : "a job file") +
                             " or --from/--to, not both");
    jobs = o.job_file.empty() ? job::load_accounts_file(o.accounts, nlohmann::json::object())
                              : job::load_job_file(o.job_file, o.accounts);
  } else {
    if (o.from.empty() || o.to.empty())
      throw core::UsageError("--from and --to are required (or give a job file or --accounts)");
    job::Job j;
    j.name = "command line";
    j.origin = "command line";
    j.from.url = o.from;
    j.from.endpoint = job::parse_endpoint(o.from, "--from");
    j.to.url = o.to;
    j.to.endpoint = job::parse_endpoint(o.to, "--to");
    jobs.push_back(std::move(j));
  }
  for (auto& j : jobs) {
    apply_flags(o, j);
    job::validate_job(j);
  }
  for (const auto& warning : job::permission_warnings(o.job_file, jobs))
    core::log_always(core::LogLevel::Warn, warning);
  jobs = select_jobs(o, std::move(jobs));
  check_credentials(jobs);
  return jobs;
}

}  // namespace mailferry::cli
