#include "mailferry/job/job_file.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "mailferry/core/error.hpp"
#include "mailferry/core/suggest.hpp"
#include "mailferry/job/accounts_file.hpp"

namespace mailferry::job {
namespace {

using nlohmann::json;

const std::vector<std::string> kTopKeys{"jobs", "defaults", "accounts"};
const std::vector<std::string> kJobKeys{"name",
                                        "from",
                                        "to",
                                        "dry_run",
                                        "report",
                                        "to_folder",
                                        "mbox_format",
                                        "maildir_layout",
                                        "only_role",
                                        "mark_read",
                                        "delete_after_copy",
                                        "ignore_pst_password",
                                        "include_virtual_folders",
                                        "allow_empty",
                                        "keep_days",
                                        "state",
                                        "map",
                                        "include",
                                        "exclude",
                                        "prefix",
                                        "merge",
                                        "gmail_labels",
                                        "max_bytes_per_second",
                                        "max_messages_per_second",
                                        "connections"};
const std::vector<std::string> kEndpointKeys{
    "url",     "password_file",      "password_env", "password_command",
    "ca_file", "insecure_plaintext", "auth",         "token_command"};

// Builds error text with the file, job and key, as every job-file error must.
class Context {
 public:
  Context(std::string origin, std::string job) : origin_(std::move(origin)), job_(std::move(job)) {}
  [[noreturn]] void fail(const std::string& key, const std::string& why) const {
    std::string where = origin_;
    if (!job_.empty()) where += ": " + job_;
    if (!key.empty()) where += ": key '" + key + "'";
    throw JobKeyError(where + ": " + why, key, why);
  }
  // The same for a message that names the key itself.
  [[noreturn]] void fail_about(const std::string& key, const std::string& why) const {
    std::string where = origin_;
    if (!job_.empty()) where += ": " + job_;
    throw JobKeyError(where + ": " + why, key, why);
  }
  const std::string& job() const { return job_; }

 private:
  std::string origin_, job_;
};

void check_keys(const json& object, const std::vector<std::string>& known,
                const std::string& prefix, const Context& ctx) {
  for (const auto& [key, value] : object.items()) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    const std::string best = core::closest_match(key, known);
    ctx.fail(prefix + key,
             best.empty() ? "unknown key" : "unknown key; did you mean '" + prefix + best + "'?");
  }
}

std::string get_string(const json& object, const std::string& key, const std::string& path,
                       const Context& ctx, std::string fallback = "") {
  if (!object.contains(key)) return fallback;
  const auto& v = object.at(key);
  if (!v.is_string()) ctx.fail(path, "must be a string");
  return v.get<std::string>();
}

bool get_bool(const json& object, const std::string& key, const Context& ctx, bool fallback) {
  if (!object.contains(key)) return fallback;
  const auto& v = object.at(key);
  if (!v.is_boolean()) ctx.fail(key, "must be true or false");
  return v.get<bool>();
}

EndpointConfig parse_endpoint_config(const json& value, const std::string& key,
                                     const Context& ctx) {
  EndpointConfig config;
  json object = value;
  if (value.is_string()) object = json{{"url", value}};  // "from": "mbox:x" shorthand
  if (!object.is_object()) ctx.fail(key, "must be an object like {\"url\": \"imaps://user@host\"}");
  check_keys(object, kEndpointKeys, key + ".", ctx);
  config.url = get_string(object, "url", key + ".url", ctx);
  if (config.url.empty()) ctx.fail(key + ".url", "is missing");
  try {
    config.endpoint = parse_endpoint(config.url, key + ".url");
  } catch (const core::UsageError& e) {
    ctx.fail_about(key + ".url", e.what());  // the message names the key already
  }
  config.password.file = get_string(object, "password_file", key + ".password_file", ctx);
  config.password.env = get_string(object, "password_env", key + ".password_env", ctx);
  config.password.command = get_string(object, "password_command", key + ".password_command", ctx);
  int sources = !config.password.file.empty() + !config.password.env.empty() +
                !config.password.command.empty();
  if (sources > 1)
    ctx.fail(key, "give only one of password_file, password_env and password_command");
  config.token_command = get_string(object, "token_command", key + ".token_command", ctx);
  // A token command alone means OAuth2; XOAUTH2 is what Gmail and Microsoft 365 take.
  config.auth = get_string(object, "auth", key + ".auth", ctx,
                           config.token_command.empty() ? "password" : "xoauth2");
  config.ca_file = get_string(object, "ca_file", key + ".ca_file", ctx);
  if (object.contains("insecure_plaintext")) {
    if (!object.at("insecure_plaintext").is_boolean())
      ctx.fail(key + ".insecure_plaintext", "must be true or false");
    config.insecure_plaintext = object.at("insecure_plaintext").get<bool>();
  }
  return config;
}

// "include"/"exclude": one glob or a list of them.
std::vector<std::string> get_globs(const json& object, const std::string& key, const Context& ctx) {
  std::vector<std::string> out;
  if (!object.contains(key)) return out;
  const auto& v = object.at(key);
  if (v.is_string()) return {v.get<std::string>()};
  if (!v.is_array()) ctx.fail(key, "must be a folder pattern or a list of them");
  for (const auto& item : v) {
    if (!item.is_string()) ctx.fail(key, "must be a folder pattern or a list of them");
    out.push_back(item.get<std::string>());
  }
  return out;
}

void parse_folder_rules(const json& object, core::FolderRules& rules, const Context& ctx) {
  if (object.contains("map")) {
    const auto& map = object.at("map");
    if (!map.is_object())
      ctx.fail("map",
               "must be an object of source folder -> target folder, like "
               "{\"Sent Items\": \"\\\\Sent\", \"Old\": \"Archive/Old\"}");
    for (const auto& [source, target] : map.items()) {
      if (!target.is_string()) ctx.fail("map." + source, "must be a target folder name");
      rules.map.push_back({source, target.get<std::string>()});
    }
  }
  rules.include = get_globs(object, "include", ctx);
  rules.exclude = get_globs(object, "exclude", ctx);
  rules.prefix = get_string(object, "prefix", "prefix", ctx);
  rules.merge = get_bool(object, "merge", ctx, false);
  if (object.contains("gmail_labels")) {
    auto text = get_string(object, "gmail_labels", "gmail_labels", ctx);
    auto mode = core::parse_gmail_labels(text);
    if (!mode) ctx.fail("gmail_labels", "must be each, first or ignore");
    rules.gmail_labels = *mode;
  }
}

}  // namespace

Job parse_job_json(const json& object, const std::string& origin, const std::string& label) {
  Context ctx(origin, label);
  if (!object.is_object()) ctx.fail("", "a job must be a JSON object");
  Job job;
  job.origin = origin;
  job.name = get_string(object, "name", "name", ctx, label);
  Context named(origin, "job '" + job.name + "'");
  check_keys(object, kJobKeys, "", named);
  if (!object.contains("from")) named.fail("from", "is missing");
  if (!object.contains("to")) named.fail("to", "is missing");
  job.from = parse_endpoint_config(object.at("from"), "from", named);
  job.to = parse_endpoint_config(object.at("to"), "to", named);
  job.dry_run = get_bool(object, "dry_run", named, false);
  job.report_path = get_string(object, "report", "report", named);
  job.to_folder = get_string(object, "to_folder", "to_folder", named, "INBOX");
  job.mbox_format = get_string(object, "mbox_format", "mbox_format", named, "auto");
  job.maildir_layout = get_string(object, "maildir_layout", "maildir_layout", named, "auto");
  if (object.contains("only_role")) {
    auto text = get_string(object, "only_role", "only_role", named);
    job.only_role = core::parse_role(text);
    if (!job.only_role) named.fail("only_role", "unknown role '" + text + "'");
  }
  job.mark_read = get_bool(object, "mark_read", named, true);
  job.delete_after_copy = get_bool(object, "delete_after_copy", named, false);
  job.ignore_pst_password = get_bool(object, "ignore_pst_password", named, false);
  job.include_virtual_folders = get_bool(object, "include_virtual_folders", named, false);
  job.allow_empty = get_bool(object, "allow_empty", named, false);
  if (object.contains("keep_days")) {
    const auto& v = object.at("keep_days");
    if (!v.is_number_integer() || v.get<int>() < 0)
      named.fail("keep_days", "must be a whole number of days, 0 or more");
    job.keep_days = v.get<int>();
  }
  job.state_path = get_string(object, "state", "state", named);
  parse_folder_rules(object, job.folder_rules, named);
  if (object.contains("max_bytes_per_second")) {
    const auto& v = object.at("max_bytes_per_second");
    if (!v.is_number_unsigned())
      named.fail("max_bytes_per_second", "must be a whole number of bytes, 0 or more");
    job.max_bytes_per_second = v.get<std::uint64_t>();
  }
  if (object.contains("max_messages_per_second")) {
    const auto& v = object.at("max_messages_per_second");
    if (!v.is_number() || v.get<double>() < 0)
      named.fail("max_messages_per_second", "must be a number, 0 or more");
    job.max_messages_per_second = v.get<double>();
  }
  if (object.contains("connections")) {
    const auto& v = object.at("connections");
    if (!v.is_number_integer() || v.get<int>() < 1 || v.get<int>() > 16)
      named.fail("connections", "must be a whole number from 1 to 16");
    job.connections = v.get<int>();
  }
  validate_job(job);
  return job;
}

namespace {

std::string line_and_column(const std::string& text, size_t byte) {
  size_t line = 1, column = 1;
  for (size_t i = 0; i + 1 < byte && i < text.size(); ++i) {
    if (text[i] == '\n')
      ++line, column = 1;
    else
      ++column;
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

}  // namespace

std::vector<Job> parse_job_text(const std::string& text, const std::string& origin,
                                const std::string& accounts) {
  json document;
  try {
    document = json::parse(text);
  } catch (const json::parse_error& e) {
    // nlohmann's message repeats the position as a byte count; users want lines.
    std::string what = e.what();
    auto detail = what.find("syntax error");
    throw core::UsageError(origin + ": " + line_and_column(text, e.byte) + ": " +
                           (detail == std::string::npos ? what : what.substr(detail)));
  } catch (const json::out_of_range& e) {
    // A number no JSON type holds ("keep_days": 1e999) is not a parse_error.
    std::string what = e.what();
    auto detail = what.find("] ");
    throw core::UsageError(origin + ": " +
                           (detail == std::string::npos ? what : what.substr(detail + 2)));
  }
  Context top(origin, "");
  if (!document.is_object())
    top.fail("", "the job file must be a JSON object with a \"jobs\" list");
  check_keys(document, kTopKeys, "", top);
  std::string accounts_path = accounts;
  if (accounts_path.empty() && document.contains("accounts")) {
    accounts_path = get_string(document, "accounts", "accounts", top);
    if (accounts_path.empty()) top.fail("accounts", "must name a CSV file");
    // Beside the job file, like the files a job file usually comes with.
    const auto folder = std::filesystem::path(origin).parent_path();
    if (std::filesystem::path(accounts_path).is_relative() && !folder.empty())
      accounts_path = (folder / accounts_path).string();
  }
  if (document.contains("jobs") ? !document.at("jobs").is_array() : accounts_path.empty())
    top.fail("jobs", "must be a list of jobs (or give \"accounts\": a CSV file of them)");
  const json defaults = document.value("defaults", json::object());
  if (!defaults.is_object()) top.fail("defaults", "must be an object");

  std::vector<Job> jobs;
  size_t index = 0;
  for (const auto& entry : document.value("jobs", json::array())) {
    ++index;
    std::string label = "job " + std::to_string(index);
    json merged = defaults;  // a job's own keys win over the defaults
    if (entry.is_object())
      merged.update(entry);
    else
      merged = entry;
    jobs.push_back(parse_job_json(merged, origin, label));
  }
  if (!accounts_path.empty()) {
    std::vector<Job> listed;
    try {
      listed = load_accounts_file(accounts_path, defaults, origin);
    } catch (const core::UsageError& e) {
      if (!accounts.empty()) throw;  // named on the command line: its errors name it
      top.fail("accounts", e.what());
    }
    jobs.insert(jobs.end(), std::make_move_iterator(listed.begin()),
                std::make_move_iterator(listed.end()));
  }
  if (jobs.empty()) top.fail("jobs", "the list is empty");
  check_unique_names(jobs, origin);
  return jobs;
}

void check_unique_names(const std::vector<Job>& jobs, const std::string& origin) {
  // Sorted copies: a list of thousands of accounts is checked in n log n.
  std::vector<const Job*> sorted;
  for (const auto& j : jobs) sorted.push_back(&j);
  std::sort(sorted.begin(), sorted.end(),
            [](const Job* a, const Job* b) { return a->name < b->name; });
  for (size_t i = 1; i < sorted.size(); ++i)
    if (sorted[i - 1]->name == sorted[i]->name)
      throw core::UsageError(origin + ": two jobs are named '" + sorted[i]->name +
                             "'; job names must be unique (they name reports and state)");
}

std::vector<Job> load_job_file(const std::string& path, const std::string& accounts) {
  // A directory opens as an empty stream, which would read as a JSON syntax
  // error at line 1: say what it is, and what goes there.
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    throw core::UsageError(path + ": is a directory, not a job file (give a JSON job file, or " +
                           "--from and --to for a source directory)");
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw core::UsageError(path + ": cannot read the job file: " +
                           (errno != 0 ? std::string(std::strerror(errno)) : "unreadable"));
  std::ostringstream text;
  text << in.rdbuf();
  return parse_job_text(text.str(), path, accounts);
}

const JobFileKeys& job_file_keys() {
  static const JobFileKeys keys{kTopKeys, kJobKeys, kEndpointKeys};
  return keys;
}

void validate_job(const Job& job) {
  Context ctx(job.origin, "job '" + job.name + "'");
  if (!job.to.endpoint.is_imap())
    ctx.fail("to.url", "the target must be imap://USER@HOST or imaps://USER@HOST");
  static const std::vector<std::string> kFormats{"auto", "mboxo", "mboxrd", "mboxcl", "mboxcl2"};
  if (std::find(kFormats.begin(), kFormats.end(), job.mbox_format) == kFormats.end())
    ctx.fail("mbox_format", "must be auto, mboxo, mboxrd, mboxcl or mboxcl2");
  if (job.maildir_layout != "auto" && job.maildir_layout != "maildir++" &&
      job.maildir_layout != "fs")
    ctx.fail("maildir_layout", "must be auto, maildir++ or fs");
  if (job.delete_after_copy && !job.from.endpoint.is_pop3())
    ctx.fail("delete_after_copy", "only a POP3 source can delete after copy");
  if (job.ignore_pst_password && job.from.endpoint.scheme != Scheme::Pst)
    ctx.fail("ignore_pst_password", "only a pst: source has a PST password");
  if (job.include_virtual_folders && !job.from.endpoint.is_imap())
    ctx.fail("include_virtual_folders", "only an IMAP source has virtual folders");
  if (job.keep_days > 0 && !job.delete_after_copy)
    ctx.fail("keep_days", "only makes sense with delete_after_copy");
  if (job.to_folder.empty()) ctx.fail("to_folder", "must not be empty");
  for (const auto* side : {&job.from, &job.to}) {
    const std::string key = side == &job.from ? "from" : "to";
    if (side->auth != "password" && side->auth != "xoauth2" && side->auth != "oauthbearer")
      ctx.fail(key + ".auth", "must be password, xoauth2 or oauthbearer");
    if (side->oauth2() && side->token_command.empty())
      ctx.fail(key + ".auth", side->auth + " needs a token_command that prints an access token");
    if (!side->oauth2() && !side->token_command.empty())
      ctx.fail(key + ".token_command", "is for auth xoauth2 or oauthbearer, not password");
    if (side->oauth2() && !side->password.empty())
      ctx.fail(key, "give either a token_command (OAuth2) or a password, not both");
    if (side->oauth2() && !side->endpoint.is_network())
      ctx.fail(key + ".auth", "only IMAP and POP3 endpoints log in");
  }
  for (const auto& rule : job.folder_rules.map) {
    if (rule.source.empty()) ctx.fail("map", "a source folder name is empty");
    if (rule.target.empty()) ctx.fail("map." + rule.source, "the target folder name is empty");
    if (rule.target.front() == '\\' && core::role_from_special_use(rule.target) == core::Role::None)
      ctx.fail("map." + rule.source, "\"" + rule.target +
                                         "\" is not a role; roles are \\Sent, \\Drafts, \\Trash, "
                                         "\\Junk, \\Archive, \\All, \\Flagged");
  }
  for (const auto* list : {&job.folder_rules.include, &job.folder_rules.exclude})
    for (const auto& glob : *list)
      if (glob.empty())
        ctx.fail(list == &job.folder_rules.include ? "include" : "exclude", "a pattern is empty");
}

std::vector<std::string> permission_warnings(const std::string& job_file_path,
                                             const std::vector<Job>& jobs) {
  std::vector<std::string> warnings;
  auto readable_by_others = [](const std::string& path) {
    struct stat st {};
    return !path.empty() && ::stat(path.c_str(), &st) == 0 && (st.st_mode & (S_IRGRP | S_IROTH));
  };
  bool has_command = false;
  for (const auto& job : jobs) {
    for (const auto* ep : {&job.from, &job.to}) {
      has_command = has_command || !ep->password.command.empty();
      if (readable_by_others(ep->password.file))
        warnings.push_back(ep->password.file +
                           ": password file is readable by other users (chmod 600 " +
                           ep->password.file + ")");
    }
  }
  if (has_command && readable_by_others(job_file_path))
    warnings.push_back(job_file_path +
                       ": job file with password_command is readable by other users (chmod 600 " +
                       job_file_path + ")");
  std::sort(warnings.begin(), warnings.end());
  warnings.erase(std::unique(warnings.begin(), warnings.end()), warnings.end());
  return warnings;
}

}  // namespace mailferry::job
