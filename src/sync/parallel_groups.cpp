// run_parallel: target folders uploaded at the same time, each over a
// connection of its own.
//
// Why it helps: the server works on each connection's commands one at a
// time, and storing mail is mostly its own work (index updates, and with
// fsync on, waiting for the disk), so independent folders over several
// connections keep more of the server busy. What the workers share (the
// source, the observer, the journal and the cache) reaches them through the
// Locked* wrappers of locked.hpp.
#include <atomic>
#include <exception>
#include <thread>

#include "folder_run.hpp"
#include "mailferry/core/log.hpp"

namespace mailferry::sync::detail {

void run_parallel(const RunParts& parts, const std::vector<TargetGroup>& groups, JobReport& report,
                  std::size_t workers) {
  std::vector<std::optional<GroupOutcome>> outcomes(groups.size());
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  std::vector<std::exception_ptr> crashes(workers);

  auto work = [&](std::size_t w) {
    try {
      std::unique_ptr<target::Target> own;
      if (w > 0) {
        try {
          own = parts.options.open_target();
        } catch (const core::Error& e) {
          // Servers limit connections per user: the others do this one's share.
          core::log_info("connection " + std::to_string(w + 1) + " of " + std::to_string(workers) +
                         " could not be opened (" + e.what() + "); going on with fewer");
          return;
        }
      }
      const RunParts mine{parts.source, own ? *own : parts.target, parts.options, parts.observer,
                          parts.state};
      while (!stop) {
        const std::size_t i = next++;
        if (i >= groups.size()) break;
        outcomes[i] = run_target_folder(mine, groups[i]);
        if (outcomes[i]->stopped) stop = true;  // the account: no new folders
      }
    } catch (...) {
      crashes[w] = std::current_exception();
      stop = true;
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t w = 1; w < workers; ++w) threads.emplace_back(work, w);
  work(0);
  for (auto& t : threads) t.join();
  for (const auto& crash : crashes)
    if (crash) std::rethrow_exception(crash);
  for (auto& outcome : outcomes)
    if (outcome) merge(report, *outcome);
}

}  // namespace mailferry::sync::detail
