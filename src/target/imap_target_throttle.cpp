// ImapTarget: waiting out a server's "throttled, back off" answers.
#include "mailferry/core/log.hpp"
#include "mailferry/target/imap_target.hpp"
#include "untagged_scope.hpp"

namespace mailferry::target {

void ImapTarget::wait_out(const imap::ThrottleHint& hint, const std::string& what, int& repeat,
                          bool login) {
  const imap::ThrottlePolicy& policy = tuning_.throttle;
  if (++repeat > policy.max_waits) {
    const std::string text = describe() + ": the server still throttles " + what + " after " +
                             std::to_string(policy.max_waits) +
                             " waits in a row; stopping this job (the server said: " + hint.words +
                             ")";
    // A login that keeps being refused is not helped by the caller's
    // reconnects either.
    if (login) throw core::ConnectionError(text, false);
    throw core::ServerError(core::ErrorScope::Account, text);
  }
  const auto wait = policy.wait_for(hint, repeat);
  core::log_warn(describe() + ": the server throttles " + what + "; waiting " +
                 imap::describe_wait(wait) + (hint.suggested ? " as it suggested" : std::string()) +
                 " before trying again (wait " + std::to_string(repeat) + " of at most " +
                 std::to_string(policy.max_waits) + "; the server said: " + hint.words + ")");
  policy.wait(wait);
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
  if (selected_state && selected_) reselect.emplace(selected_->name, selected_->read_only);
  int repeat = 0;
  for (bool first = true;; first = false) {
    if (!first) {
      if (restart) restart();
      if (reselect && (!selected_ || selected_->name != reselect->first))
        select(reselect->first, reselect->second);
    }
    imap::Client& c = client();
    imap::Completion done;
    try {
      detail::UntaggedScope scope(c, untagged);
      done = c.run(make(c));
    } catch (...) {
      abandon_if_busy();
      throw;
    }
    std::optional<imap::ThrottleHint> hint;
    if (done.local_error.empty()) hint = imap::throttle_hint(done.response);
    if (!hint) return done;
    wait_out(*hint, what, repeat);
  }
}

}  // namespace mailferry::target
