// Loading job files: {"jobs": [{"name": ..., "from": {...}, "to": {...}, ...}]}.
//
// Every error names the file, the job (by name or index) and the key, and
// unknown keys are named with the closest known key suggested, so a typo is
// caught before any work starts. Throws core::UsageError (exit code 2).
#pragma once

#include <string>
#include <vector>

#include "mailferry/job/job.hpp"

namespace mailferry::job {

std::vector<Job> load_job_file(const std::string& path);
// The same from text already read (tests, fuzzing); `origin` names it in errors.
std::vector<Job> parse_job_text(const std::string& text, const std::string& origin);

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
