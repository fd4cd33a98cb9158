// What a person at a terminal, or a cron mail, sees.
//
//  - at a terminal (stderr is one, no --quiet): a live progress line per
//    running job, redrawn in place; a line per folder as it finishes;
//  - always: each job's verdict on stdout and its errors on stderr, grouped
//    by reason; with several jobs every line starts with the job's name;
//  - check: a line per folder and per message that is not right, with
//    rclone's sigils (= + * !); --missing-only: only the '+' message lines;
//  - -v: a line per message; --quiet: only warnings, errors and the verdicts
//    of jobs that did not succeed (a cron job that went well prints nothing).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "mailferry/cli/console.hpp"
#include "mailferry/cli/output_lines.hpp"
#include "mailferry/cli/progress.hpp"
#include "mailferry/cli/run_events.hpp"

namespace mailferry::cli {

struct OutputSettings {
  sync::Mode mode = sync::Mode::Sync;
  bool verbose = false;
  bool quiet = false;
  bool missing_only = false;
  bool several_jobs = false;  // prefix lines with the job's name
};

class TerminalOutput : public RunEvents {
 public:
  using Now = std::function<ProgressBoard::TimePoint()>;
  // Progress is shown when the console is live and not quiet. `now` is the
  // clock (tests inject one).
  TerminalOutput(Console& console, OutputSettings settings, Now now = &ProgressBoard::Clock::now);

  void job_started(std::size_t job, const JobInfo& info) override;
  void folder_started(std::size_t job, const sync::FolderReport& folder,
                      std::uint64_t messages) override;
  void transfer_started(std::size_t job, const sync::FolderReport& folder, std::uint64_t messages,
                        std::uint64_t bytes) override;
  void message(std::size_t job, const MessageEvent& message) override;
  void folder_finished(std::size_t job, const sync::FolderReport& folder) override;
  void job_finished(std::size_t job, const sync::JobReport& report) override;
  void log(core::LogLevel level, std::string_view text) override;

  // Removes the progress display (call once at the end).
  void finish();
  void set_several_jobs(bool several) { settings_.several_jobs = several; }

  // How often the progress display is redrawn at most.
  static constexpr std::chrono::milliseconds kRedrawInterval{100};

 private:
  std::string prefix(std::size_t job) const;
  void redraw(bool now_or_never);

  Console& console_;
  OutputSettings settings_;
  Now now_;
  bool progress_;
  ProgressBoard board_;
  ProgressBoard::TimePoint last_draw_{};
  std::map<std::size_t, JobInfo> jobs_;
  std::map<std::size_t, std::map<std::pair<std::string, std::string>, FolderTally>> tallies_;
};

}  // namespace mailferry::cli
