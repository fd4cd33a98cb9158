#include "mailferry/cli/terminal_output.hpp"

#include "mailferry/cli/report_output.hpp"

namespace mailferry::cli {

TerminalOutput::TerminalOutput(Console& console, OutputSettings settings, Now now)
    : console_(console),
      settings_(settings),
      now_(std::move(now)),
      progress_(console.live() && !settings.quiet) {}

std::string TerminalOutput::prefix(std::size_t job) const {
  if (!settings_.several_jobs) return "";
  auto it = jobs_.find(job);
  return it == jobs_.end() ? "" : it->second.name + ": ";
}

void TerminalOutput::redraw(bool force) {
  if (!progress_) return;
  const auto now = now_();
  if (!force && now - last_draw_ < kRedrawInterval) return;
  last_draw_ = now;
  console_.set_status(board_.render(now, console_.width()));
}

void TerminalOutput::job_started(std::size_t job, const JobInfo& info) {
  jobs_[job] = info;
  tallies_[job].clear();
  board_.job_started(job, prefix(job), now_());
  redraw(true);
}

void TerminalOutput::folder_started(std::size_t job, const sync::FolderReport& folder,
                                    std::uint64_t messages) {
  // Messages already on the server, and those the source could not read, are done.
  board_.folder_started(job, folder.target, messages,
                        folder.counters.present + folder.counters.failed, now_());
  redraw(true);
}

void TerminalOutput::transfer_started(std::size_t job, const sync::FolderReport&,
                                      std::uint64_t messages, std::uint64_t bytes) {
  board_.transfer_started(job, messages, bytes, now_());
  redraw(true);
}

void TerminalOutput::message(std::size_t job, const MessageEvent& m) {
  auto& tally = tallies_[job][{m.source_folder, m.target_folder}];
  if (m.sigil == sync::Sigil::Differs) ++tally.differs;
  if (m.sigil == sync::Sigil::Error) ++tally.errors;
  const bool check = settings_.mode == sync::Mode::Check;
  if (!check && (m.sigil == sync::Sigil::Missing || m.sigil == sync::Sigil::Error)) {
    board_.message_done(job, m.size, now_());
    redraw(false);
  }

  bool show = false;
  if (check)
    show = settings_.missing_only ? m.sigil == sync::Sigil::Missing
                                  : m.sigil != sync::Sigil::Duplicate &&
                                        (m.sigil != sync::Sigil::Present || settings_.verbose);
  else  // a dry run names every deletion it would make: the one step that cannot be undone
    show = settings_.verbose || m.sigil == sync::Sigil::Error ||
           (m.sigil == sync::Sigil::Removed && jobs_[job].dry_run);
  if (!show || (settings_.quiet && m.sigil != sync::Sigil::Error)) return;
  std::string detail = m.detail;
  if (m.sigil == sync::Sigil::Removed)
    detail = jobs_[job].dry_run ? "would be deleted from the source" : "deleted from the source";
  console_.out_line(prefix(job) + message_line(m, detail));
}

void TerminalOutput::folder_finished(std::size_t job, const sync::FolderReport& f) {
  board_.folder_finished(job);
  redraw(true);  // first, so the finished folder's line is not drawn once more
  if (settings_.quiet || settings_.missing_only) return;
  if (settings_.mode == sync::Mode::Check) {
    console_.out_line(prefix(job) + check_folder_line(f, tallies_[job][{f.source, f.target}]));
  } else if (progress_ || settings_.verbose) {
    // Under cron a sync says only its verdict; at a terminal each finished
    // folder stays on the screen above the progress line.
    console_.out_line(prefix(job) + sync_folder_line(f, jobs_[job].dry_run));
  }
}

void TerminalOutput::job_finished(std::size_t job, const sync::JobReport& report) {
  board_.job_finished(job);
  redraw(true);
  const std::string name = prefix(job);
  // "job 'x'" in front of an error that names the job itself says it twice.
  auto errors = report.errors;
  for (auto& e : errors)
    if (e.where == "job '" + report.name + "'" && e.message.find(e.where) != std::string::npos)
      e.where.clear();
  for (const auto& line : grouped_errors(errors))
    console_.err_line("mailferry: error: " + name + line);
  // check's output is a list of what is not right: a folder or account that
  // could not be compared belongs in it, not only on stderr.
  if (settings_.mode == sync::Mode::Check && !settings_.missing_only && !settings_.quiet)
    for (const auto& e : report.errors)
      if (e.scope != core::ErrorScope::Message)
        console_.out_line(name + "! " + (e.where.empty() ? e.message : e.where + ": " + e.message));
  if (progress_ || (settings_.verbose && !settings_.quiet))
    for (const auto& note : report.notes) console_.out_line(name + "note: " + note);
  // A single job that stopped before it did anything has said all in its
  // error line; a batch still gets a line per job on stdout.
  // (A job skipped as locked has no error line: its verdict says why.)
  const bool stopped_at_start =
      report.folders.empty() && report.exit_code >= core::kExitUsage && !report.locked;
  // --quiet is for cron, which mails whatever is printed: a job that went
  // well says nothing; its warnings were printed as they came.
  const bool news = !settings_.quiet || report.exit_code != core::kExitComplete;
  if ((settings_.several_jobs || !stopped_at_start) && news)
    console_.out_line(name + cli::verdict(report));
  tallies_.erase(job);
}

void TerminalOutput::log(core::LogLevel level, std::string_view text) {
  const char* kind = level == core::LogLevel::Error  ? "error: "
                     : level == core::LogLevel::Warn ? "warning: "
                                                     : "";
  console_.err_line(std::string("mailferry: ") + kind + std::string(text));
}

void TerminalOutput::finish() { console_.clear_status(); }

}  // namespace mailferry::cli
