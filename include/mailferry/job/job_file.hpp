// Loading job files: {"jobs": [{"name": ..., "from": {...}, "to": {...}, ...}]},
// and, with "accounts": "FILE.csv", the jobs of an account list
// (accounts_file.hpp) with the file's "defaults" under each of them.
//
// Every error names the file, the job (by name or index) and the key, and
// unknown keys are named with the closest known key suggested, so a typo is
// caught before any work starts. Throws core::UsageError (exit code 2).
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "mailferry/core/error.hpp"
#include "mailferry/job/job.hpp"

namespace mailferry::job {

// A job-file error that concerns one key ("to.url", "only_role", "to" for
// the endpoint as a whole), so that an account list can name the column.
class JobKeyError : public core::UsageError {
 public:
  JobKeyError(const std::string& what, std::string key, std::string reason)
      : core::UsageError(what), key_(std::move(key)), reason_(std::move(reason)) {}
  const std::string& key() const { return key_; }
  const std::string& reason() const { return reason_; }  // the message without the place

 private:
  std::string key_, reason_;
};

// `accounts`, when not empty, replaces the file's "accounts" key (the
// --accounts option).
std::vector<Job> load_job_file(const std::string& path, const std::string& accounts = "");
// The same from text already read (tests, fuzzing); `origin` names it in
// errors and its folder is where a relative "accounts" path starts.
std::vector<Job> parse_job_text(const std::string& text, const std::string& origin,
                                const std::string& accounts = "");

// One job from its JSON object (defaults already merged in), validated: the
// one path every job takes, from a job file or a line of an account list.
// `label` names the job in errors when it has no "name" and is its name then.
// Throws JobKeyError or core::UsageError.
Job parse_job_json(const nlohmann::json& object, const std::string& origin,
                   const std::string& label);

// Throws core::UsageError naming `origin` when two jobs share a name.
void check_unique_names(const std::vector<Job>& jobs, const std::string& origin);

// Warnings a job file deserves but that do not stop the run (a password file
// readable by other users, a job file with password_command readable by
// others). Returned as text lines so the CLI decides how to show them.
std::vector<std::string> permission_warnings(const std::string& job_file_path,
                                             const std::vector<Job>& jobs);

// The keys the loader accepts at each level of a job file, for the checks
// that keep the man page and the JSON Schema complete.
struct JobFileKeys {
  std::vector<std::string> top, job, endpoint;
};
const JobFileKeys& job_file_keys();

// Checks a job for consistency (source and target kinds, option combinations).
// Throws core::UsageError naming `job.origin` and `job.name`.
void validate_job(const Job& job);

}  // namespace mailferry::job
