// `mailferry status`: one view of a batch run as many shards, from the batch
// (a job file or an account list) and the reports the shards wrote (files,
// or folders holding them). Exit status 0 only when every mailbox of the
// batch is complete, 1 when some are not, 2 for a usage error (an unreadable
// batch or report).
#pragma once

#include <string>
#include <vector>

namespace mailferry::cli {

struct StatusOptions {
  std::string accounts;             // --accounts FILE.csv
  std::vector<std::string> inputs;  // [JOBFILE] REPORT...: files or folders
  bool json = false;                // --json: the status as one JSON document
};

int run_status(const StatusOptions& options);

}  // namespace mailferry::cli
