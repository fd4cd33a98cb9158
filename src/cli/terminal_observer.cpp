#include "mailferry/cli/terminal_observer.hpp"

#include <cstdio>
#include <map>

namespace mailferry::cli {
namespace {

void print_line(std::FILE* out, const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), out);
  std::fputc('\n', out);
}

std::string describe(const source::SourceMessage& m) {
  std::string text = "message " + std::to_string(m.ordinal);
  if (!m.message_id.empty()) text += " " + m.message_id;
  return text;
}

}  // namespace

TerminalObserver::TerminalObserver(sync::Mode mode, bool verbose, bool quiet, bool missing_only)
    : mode_(mode), verbose_(verbose), quiet_(quiet), missing_only_(missing_only) {}

void TerminalObserver::job_started(const std::string& name, bool several_jobs) {
  if (several_jobs && !quiet_) print_line(stdout, "job " + name + ":");
}

void TerminalObserver::message(sync::Sigil sigil, const sync::FolderReport& folder,
                               const source::SourceMessage& m, const std::string& detail) {
  bool show = false;
  if (mode_ == sync::Mode::Check) {
    show = missing_only_ ? sigil == sync::Sigil::Missing
                         : (sigil != sync::Sigil::Present && sigil != sync::Sigil::Duplicate) || verbose_;
  } else {
    show = verbose_ || sigil == sync::Sigil::Error;
  }
  if (!show || (quiet_ && sigil != sync::Sigil::Error)) return;
  std::string line = std::string(1, static_cast<char>(sigil)) + " " + folder.target + " " + describe(m);
  if (!detail.empty()) line += ": " + detail;
  print_line(stdout, line);
}

void TerminalObserver::folder_finished(const sync::FolderReport& f) {
  if (quiet_ || missing_only_) return;
  const auto& c = f.counters;
  std::string line = "  " + f.source + " -> " + f.target + (f.created ? " (new)" : "") + ": " +
                     std::to_string(c.source) + " messages, ";
  if (mode_ == sync::Mode::Check)
    line += std::to_string(c.present) + " present, " + std::to_string(c.missing) + " missing";
  else
    line += std::to_string(c.present) + " already there, " + std::to_string(c.appended) + " added";
  if (c.flags_updated > 0) line += ", " + std::to_string(c.flags_updated) + " flags updated";
  if (c.duplicates_in_source > 0) line += ", " + std::to_string(c.duplicates_in_source) + " duplicates";
  if (c.failed > 0) line += ", " + std::to_string(c.failed) + " failed";
  print_line(stdout, line);
}

void TerminalObserver::job_finished(const sync::JobReport& report, bool several_jobs) {
  // Errors grouped by what went wrong, so 300 identical refusals read as one line.
  std::map<std::string, std::vector<const core::ErrorRecord*>> by_reason;
  for (const auto& e : report.errors) by_reason[e.message].push_back(&e);
  for (const auto& [reason, errors] : by_reason) {
    std::string line = "mailferry: error: " + reason;
    if (!errors.front()->where.empty()) line = "mailferry: error: " + errors.front()->where + ": " + reason;
    if (errors.size() > 1) line += " (and " + std::to_string(errors.size() - 1) + " more like it)";
    print_line(stderr, line);
  }
  std::string prefix = several_jobs ? report.name + ": " : "";
  print_line(stdout, prefix + sync::verdict(report));
}

}  // namespace mailferry::cli
