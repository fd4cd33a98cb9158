// Account lists: one mailbox per line of a CSV file (job/csv.hpp), as admins
// keep them for moving many mailboxes, turned into the same Jobs a job file
// gives.
//
// The header names the columns with job-file keys: "name"; any job key
// ("only_role", "to_folder", "keep_days", ...; not "map"); any endpoint key
// under its side ("from.url", "from.password_file", "to.ca_file", ...; "from"
// and "to" alone stand for the URLs); and "from.password" / "to.password",
// the password itself. An empty cell leaves the key out, so the defaults
// apply. Each line becomes a JSON job object, with `defaults` (a job file's
// "defaults") merged key by key under it, down to the endpoint keys, and goes
// through the job file's own parser (job_file.hpp): a line means what the
// same job in a job file means.
//
// A job's name is its "name" cell, else derived from its endpoints
// ("alice@pop.example.com -> alice@imap.example.com"; a file source by its
// URL as written), so it is the same on every machine and every run, and
// --shard and the per-job state work unchanged.
//
// A password column is refused unless the file is its reader's own and no
// one else may read it (mode 0600 or 0400), like fetchmail does with its
// rc file: it is checked on the open file, before anything is parsed.
//
// Every error names the file, the line and the column (with its header
// name), and an unknown column gets the closest known key suggested, before
// any work starts. Throws core::UsageError (exit code 2).
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "mailferry/job/job.hpp"

namespace mailferry::job {

// `defaults` is a JSON object (empty: none); `defaults_origin` names where
// it comes from in errors about it ("batch.json").
std::vector<Job> load_accounts_file(const std::string& path, const nlohmann::json& defaults,
                                    const std::string& defaults_origin = "");
// The same from text already read; `owner_only` says whether the file may
// hold passwords. For tests and fuzzing.
std::vector<Job> parse_accounts_text(const std::string& text, const std::string& origin,
                                     const nlohmann::json& defaults, bool owner_only);

// The name a line without a "name" cell gets.
std::string derived_job_name(const Job& job);

// The column names an account list accepts (for the man page's checks and
// "did you mean").
std::vector<std::string> account_columns();

}  // namespace mailferry::job
