// What a person (or a cron mail) sees while jobs run: per-folder lines, per-
// message lines with rclone-style sigils for `check` and -v, the verdict of
// each job on stdout, errors on stderr grouped by reason.
#pragma once

#include <map>
#include <string>

#include "mailferry/cli/output_lines.hpp"
#include "mailferry/sync/executor.hpp"

namespace mailferry::cli {

class TerminalObserver : public sync::Observer {
 public:
  TerminalObserver(sync::Mode mode, bool verbose, bool quiet, bool missing_only);

  void job_started(const std::string& name, bool several_jobs, bool dry_run);
  void job_finished(const sync::JobReport& report, bool several_jobs);

  void message(sync::Sigil sigil, const sync::FolderReport& folder,
               const source::SourceMessage& message, const std::string& detail) override;
  void folder_finished(const sync::FolderReport& folder) override;

 private:
  sync::Mode mode_;
  bool verbose_, quiet_, missing_only_;
  bool dry_run_ = false;
  std::map<std::pair<std::string, std::string>, FolderTally> tallies_;  // (source, target)
};

}  // namespace mailferry::cli
