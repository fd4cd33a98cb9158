// with_reconnects: a target folder's run resumed after a lost connection,
// counted and paced by the run's one retry policy.
#include <string>

#include "folder_run.hpp"
#include "mailferry/core/log.hpp"

namespace mailferry::sync::detail {

void with_reconnects(const core::RetryPolicy& policy, const std::string& what, JobReport& report,
                     const std::function<void()>& step,
                     const std::function<std::size_t()>& progress) {
  core::Retry retry(policy);
  std::size_t progress_at_failure = progress();
  for (;;) {
    const std::size_t errors_before = report.errors.size();
    const int exit_code_before = report.exit_code;
    try {
      step();
      return;
    } catch (const core::ConnectionError& e) {
      const bool progressed = progress() > progress_at_failure;
      progress_at_failure = progress();
      if (!retry.allows(e, progressed)) throw;
      // What the failed attempt reported, the next one reports again.
      report.errors.resize(errors_before);
      report.exit_code = exit_code_before;
      const std::string note = what + ": " + e.what() + "; resuming in " +
                               std::to_string(retry.last_delay().count()) + " ms (" +
                               retry.tally() + ")";
      core::log_warn(note);
      report.notes.push_back(note);
      ++report.reconnects;
      retry.wait();
    }
  }
}

}  // namespace mailferry::sync::detail
