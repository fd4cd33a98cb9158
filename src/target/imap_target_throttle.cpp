// ImapTarget: waiting out a server's "throttled, back off" answers.
#include "mailferry/core/log.hpp"
#include "mailferry/target/imap_target.hpp"
#include "untagged_scope.hpp"

namespace mailferry::target {

void ImapTarget::wait_out(const imap::ThrottleHint& hint, const std::string& what,
                          core::Retry& throttled, bool login) {
  const imap::ThrottlePolicy& policy = tuning_.throttle;
  if (!throttled.allows_another()) {
    const std::string text = describe() + ": the server still throttles " + what + " after " +
                             std::to_string(throttled.policy().attempts) +
                             " waits in a row; stopping this job (the server said: " + hint.words +
                             ")";
    // A login that keeps being refused is not helped by the caller's
    // reconnects either.
    if (login) throw core::ConnectionError(text, false);
    throw core::ServerError(core::ErrorScope::Account, text);
  }
  // The count is the shared policy's; the length is the server's when it
  // suggested one.
  const auto wait = policy.wait_for(hint, throttled.failures());
  core::log_warn(describe() + ": the server throttles " + what + "; waiting " +
                 imap::describe_wait(wait) + (hint.suggested ? " as it suggested" : std::string()) +
                 " before trying again (wait " + std::to_string(throttled.failures()) +
                 " of at most " + std::to_string(throttled.policy().attempts) +
                 "; the server said: " + hint.words + ")");
  throttled.wait(wait);
  // Microsoft 365 may end the session after a throttled answer: the next try
  // goes over a new connection rather than into a closed one.
  if (client_ && (!client_->usable() || !client_->goodbye().empty())) {
    client_.reset();
    selected_.reset();
  }
}

imap::Completion ImapTarget::run_patiently(const std::string& what,
                                           const std::function<imap::Command(imap::Client&)>& make,
                                           const imap::Client::UntaggedHandler& untagged,
                                           const std::function<void()>& restart,
                                           bool selected_state) {
  std::optional<std::pair<std::string, bool>> reselect;
  if (selected_state && selected_) reselect.emplace(selected_->name, !selected_->read_only);
  core::Retry throttled = throttle_count();
  core::Retry reconnects(tuning_.reconnect);
  // The creation race's pauses grow by kCreationRacePause each time; only
  // their count is the shared policy's.
  core::RetryPolicy race_policy;
  race_policy.attempts = kCreationRaceRetries;
  race_policy.sleep = tuning_.throttle.sleep;
  core::Retry races(race_policy);
  for (bool first = true;; first = false) {
    if (!first) {
      if (restart) restart();
      if (reselect) ensure_selected(reselect->first, reselect->second);
    }
    imap::Client& c = client();
    imap::Completion done;
    bool creating = false;
    try {
      detail::UntaggedScope scope(c, untagged);
      imap::Command command = make(c);
      creating = command.verb() == "CREATE";
      done = c.run(std::move(command));
    } catch (const core::ConnectionError& e) {
      abandon_if_busy();
      if (reconnect_allowed(reconnects, e, what)) continue;
      throw;
    } catch (...) {
      abandon_if_busy();
      throw;
    }
    if (!done.local_error.empty()) return done;
    if (auto hint = imap::throttle_hint(done.response)) {
      wait_out(*hint, what, throttled);
      continue;
    }
    if (!creating && raced_own_creation(done.response) && races.allows_another()) {
      core::log_info(describe() + ": the server answered " + what + " with \"" + done.describe() +
                     "\" (it was creating the folder for another connection at that moment); "
                     "trying again");
      races.wait(kCreationRacePause * races.failures());
      continue;
    }
    return done;
  }
}

bool ImapTarget::raced_own_creation(const imap::Response& answer) {
  return answer.status == imap::Status::No && answer.has_code("ALREADYEXISTS");
}

}  // namespace mailferry::target
