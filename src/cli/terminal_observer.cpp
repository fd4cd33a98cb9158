#include "mailferry/cli/terminal_observer.hpp"

#include <cstdio>

namespace mailferry::cli {
namespace {

void print_line(std::FILE* out, const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), out);
  std::fputc('\n', out);
  std::fflush(out);
}

}  // namespace

TerminalObserver::TerminalObserver(sync::Mode mode, bool verbose, bool quiet, bool missing_only)
    : mode_(mode), verbose_(verbose), quiet_(quiet), missing_only_(missing_only) {}

void TerminalObserver::job_started(const std::string& name, bool several_jobs, bool dry_run) {
  tallies_.clear();
  dry_run_ = dry_run;
  if (several_jobs && !quiet_) print_line(stdout, "job " + name + ":");
}

void TerminalObserver::message(sync::Sigil sigil, const sync::FolderReport& folder,
                               const source::SourceMessage& m, const std::string& detail) {
  auto& tally = tallies_[{folder.source, folder.target}];
  if (sigil == sync::Sigil::Differs) ++tally.differs;
  if (sigil == sync::Sigil::Error) ++tally.errors;

  bool show = false;
  if (mode_ == sync::Mode::Check) {
    show = missing_only_
               ? sigil == sync::Sigil::Missing
               : sigil != sync::Sigil::Duplicate && (sigil != sync::Sigil::Present || verbose_);
  } else {
    show = verbose_ || sigil == sync::Sigil::Error;
  }
  if (!show || (quiet_ && sigil != sync::Sigil::Error)) return;
  print_line(stdout, message_line(sigil, folder.target, m.ordinal, m.message_id, detail));
}

void TerminalObserver::folder_finished(const sync::FolderReport& f) {
  if (quiet_ || missing_only_) return;
  if (mode_ == sync::Mode::Check)
    print_line(stdout, check_folder_line(f, tallies_[{f.source, f.target}]));
  else
    print_line(stdout, sync_folder_line(f, dry_run_));
}

void TerminalObserver::job_finished(const sync::JobReport& report, bool several_jobs) {
  for (const auto& line : grouped_errors(report.errors))
    print_line(stderr, "mailferry: error: " + line);
  // check's output is a list of what is not right: a folder that could not be
  // compared belongs in it, not only on stderr.
  if (mode_ == sync::Mode::Check && !missing_only_)
    for (const auto& e : report.errors)
      if (e.scope != core::ErrorScope::Message)
        print_line(stdout, "! " + (e.where.empty() ? e.message : e.where + ": " + e.message));
  std::string prefix = several_jobs ? report.name + ": " : "";
  print_line(stdout, prefix + sync::verdict(report));
}

}  // namespace mailferry::cli
