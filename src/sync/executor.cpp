#include "mailferry/sync/executor.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>

#include "folder_run.hpp"

namespace mailferry::sync {
namespace detail {

std::vector<TargetGroup> group_by_target(const std::vector<FolderAssignment>& assignments) {
  std::vector<TargetGroup> groups;
  std::map<std::string, size_t> position;
  for (const auto& a : assignments) {
    auto [it, inserted] = position.emplace(a.target, groups.size());
    if (inserted) groups.push_back({a.target, a.role, a.exists, {}});
    groups[it->second].sources.push_back(a.source);
  }
  return groups;
}

void merge(JobReport& report, GroupOutcome& outcome) {
  for (auto& f : outcome.folders) report.folders.push_back(std::move(f));
  for (auto& e : outcome.part.errors) report.errors.push_back(std::move(e));
  for (auto& n : outcome.part.notes) report.notes.push_back(std::move(n));
  report.reconnects += outcome.part.reconnects;
  report.exit_code = std::max(report.exit_code, outcome.part.exit_code);
  if (outcome.stopped) report.add_error(std::move(*outcome.stopped), outcome.stop_code);
}

// Groups whose target folder the server refused to create: each is that
// folder's error, with the server's words, and leaves the run.
void drop_refused(std::vector<TargetGroup>& groups, const FolderLayout& layout, JobReport& report) {
  std::vector<TargetGroup> kept;
  for (auto& group : groups) {
    auto refusal = layout.refused.find(group.target);
    if (refusal == layout.refused.end()) {
      kept.push_back(std::move(group));
      continue;
    }
    std::string sources;
    for (const auto& folder : group.sources)
      sources.append(sources.empty() ? "" : ", ").append(folder.display_name());
    report.add_error({core::ErrorScope::Folder, report.from + ": folder " + sources,
                      refusal->second + "; its messages were not uploaded"},
                     core::kExitPartial);
  }
  groups = std::move(kept);
}

}  // namespace detail

int connections_from_environment(int fallback) {
  const char* text = std::getenv("MAILFERRY_CONNECTIONS");
  if (text == nullptr || *text == '\0') return fallback;
  char* end = nullptr;
  const long n = std::strtol(text, &end, 10);
  return *end == '\0' && n >= 1 && n <= 16 ? static_cast<int>(n) : fallback;
}

Executor::Executor(source::Source& source, target::Target& target, ExecutorOptions options,
                   Observer* observer)
    : source_(source),
      target_(target),
      options_(std::move(options)),
      observer_(observer != nullptr ? *observer : default_observer_) {}

JobReport Executor::run() {
  using namespace detail;
  JobReport report;
  report.from = source_.describe();
  report.to = target_.describe();
  report.check = options_.mode == Mode::Check;
  const bool writes = options_.mode == Mode::Sync;
  try {
    // The folder plan, checked and its missing folders created before the
    // first message goes (a plan with problems stops the job here).
    FolderLayout layout;
    with_reconnects(
        options_.reconnects, "listing folders", report,
        [&] { layout = prepare_folders(source_.folders(), target_, options_.mapping, writes); },
        [] { return std::size_t{0}; });
    for (auto& note : layout.notes) report.notes.push_back(std::move(note));
    auto groups = group_by_target(layout.assignments);
    drop_refused(groups, layout, report);
    if (options_.mapping.only_role && groups.empty())
      report.notes.push_back("the source has no folder with the role '" +
                             std::string(core::role_name(*options_.mapping.only_role)) + "'");

    std::mutex shared;  // the run's one lock, taken only inside the Locked* wrappers
    LockedState state(options_.journal, writes ? options_.target_cache : nullptr, shared);
    const std::size_t workers =
        writes && options_.open_target
            ? std::min<std::size_t>(groups.size(), std::max(1, options_.connections))
            : 1;
    if (workers > 1) {
      LockedSource source(source_, shared, LockedSource::Reads::Locked);
      LockedObserver observer(observer_, shared);
      run_parallel({source, target_, options_, observer, state}, groups, report, workers);
    } else {
      // One connection: the observer hears from this thread only, while the
      // source is also opened from the body prefetch thread (and a POP3
      // source writes to the state store there).
      LockedSource source(source_, shared, LockedSource::Reads::Free);
      const RunParts parts{source, target_, options_, observer_, state};
      for (const auto& group : groups) {
        GroupOutcome outcome = run_target_folder(parts, group);
        merge(report, outcome);
        if (outcome.stopped) break;
      }
    }
  } catch (const core::Error& e) {
    report.add_error({e.scope(), report.from + " -> " + report.to, e.what()}, e.exit_code());
  }
  report.sum_folders();
  return report;
}

}  // namespace mailferry::sync
