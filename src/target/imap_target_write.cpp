// ImapTarget: pipelined APPEND and UID STORE.
#include <algorithm>
#include <cstdlib>
#include <map>

#include "mailferry/core/log.hpp"
#include "mailferry/imap/uid_set.hpp"
#include "mailferry/target/imap_target.hpp"

namespace mailferry::target {
namespace {

// Long enough to batch, short enough for every server's line limit.
constexpr std::size_t kMaxUidSetChars = 4000;

std::uint32_t as_uid(const imap::Value& v) {
  auto n = v.number();
  return n && *n <= 0xffffffffu ? static_cast<std::uint32_t>(*n) : 0;
}

AppendOutcome outcome_of(const imap::Completion& done, const AppendItem& item) {
  AppendOutcome out;
  if (done.ok()) {
    out.ok = true;
    const auto& code = done.response.code;
    if (done.response.has_code("APPENDUID") && code->args.size() >= 2) {
      out.uidvalidity = as_uid(code->args[0]);
      out.uid = as_uid(code->args[1]);
    }
    return out;
  }
  out.error.where = item.where;
  if (!done.local_error.empty()) {
    out.error.scope = core::ErrorScope::Message;
    out.error.message = "could not upload the message: " + done.local_error;
    return out;
  }
  out.error.scope = ImapTarget::append_refusal_scope(done.response);
  out.error.message = "the server refused the message: " + done.describe();
  return out;
}

}  // namespace

core::Flags ImapTarget::allowed_flags(core::Flags flags) const {
  // Keywords the folder cannot keep are dropped, not refused: the message matters more.
  if (selected_ && !selected_->keyword_allowed("$Forwarded"))
    flags = flags.minus(core::Flag::Forwarded);
  if (selected_ && !selected_->keyword_allowed("$MDNSent"))
    flags = flags.minus(core::Flag::MdnSent);
  if (!selected_ || flags.other_keywords().empty()) return flags;
  core::Flags kept(flags.bits());
  for (const auto& keyword : flags.other_keywords())
    if (selected_->keyword_allowed(keyword)) kept.add_keyword(keyword);
  return kept;
}

// What one append() call knows across its passes.
struct ImapTarget::AppendState {
  explicit AppendState(std::size_t n) : reported(n, false), single(n, false) {}
  std::vector<bool> reported;
  std::vector<bool> single;  // refused inside a batch: retried in a command of its own
  // The server answered "throttled" in this pass: what it said. Those
  // messages were not stored and stay unanswered for the next pass.
  std::optional<imap::ThrottleHint> throttled;
  // After a throttled pass, one command goes alone and is answered before
  // the rest are pipelined, so a server still throttling gets one APPEND,
  // not a window full.
  bool cautious = false;
  std::size_t changes() const {
    return static_cast<std::size_t>(std::count(reported.begin(), reported.end(), true) +
                                    std::count(single.begin(), single.end(), true));
  }
};

void ImapTarget::append(const std::string& folder, const std::vector<AppendItem>& items,
                        const std::function<void(std::size_t, const AppendOutcome&)>& done) {
  AppendState state(items.size());
  if (batch_limit_ == 0) batch_limit_ = std::max<std::size_t>(1, tuning_.batch_messages);
  // A pass ends with every item answered; or with some left over: those of a
  // batch the server refused (sent again one by one), those of a command
  // dropped before it went out, or, after a message failed mid-literal and the
  // connection was closed, everything not yet answered. The next pass goes on
  // with the rest (over a new connection where needed).
  // A pass the server throttled is waited out; only passes that stored
  // nothing count towards the limit of throttled answers in a row. A pass
  // that ended early for any other reason is a failure in a row when it
  // stored nothing either, counted against Tuning::reconnect.
  core::Retry throttled = throttle_count();
  core::Retry reconnects(tuning_.reconnect);
  bool stored_since_failure = false;
  for (;;) {
    const auto before = state.changes();
    state.throttled.reset();
    if (append_pass(folder, items, state, done)) return;
    const bool progressed = state.changes() != before;
    stored_since_failure = stored_since_failure || progressed;
    if (state.throttled) {
      state.cautious = true;
      if (progressed) throttled = throttle_count();  // only passes that stored nothing count
      wait_out(*state.throttled, "APPEND to folder " + folder, throttled);
      continue;
    }
    if (progressed) continue;
    const core::ConnectionError closed(describe() + ": the connection closed during APPEND");
    if (!reconnect_allowed(reconnects, closed, "APPEND to folder " + folder, stored_since_failure))
      throw closed;
    stored_since_failure = false;
  }
}

bool ImapTarget::append_pass(const std::string& folder, const std::vector<AppendItem>& items,
                             AppendState& state,
                             const std::function<void(std::size_t, const AppendOutcome&)>& done) {
  auto& reported = state.reported;
  if (std::find(reported.begin(), reported.end(), false) == reported.end()) return true;
  imap::Client& c = ensure_selected(folder, true);
  const auto limit = c.capabilities().number("APPENDLIMIT");
  const bool multiappend = c.capabilities().has("MULTIAPPEND");
  std::optional<core::ErrorRecord> stop;  // a refusal for the whole folder or account
  auto report = [&](std::size_t i, const AppendOutcome& outcome) {
    reported[i] = true;
    done(i, outcome);
  };
  auto too_big = [&](std::size_t i) { return limit && *limit > 0 && items[i].size > *limit; };
  auto answered = [&](const imap::Completion& answer, const std::vector<std::size_t>& batch) {
    if (answer.ok()) {
      std::vector<std::uint32_t> uids;
      std::uint32_t uidvalidity = 0;
      const auto& code = answer.response.code;
      if (answer.response.has_code("APPENDUID") && code->args.size() >= 2) {
        uidvalidity = as_uid(code->args[0]);
        uids = imap::parse_uid_set(code->args[1].text, batch.size()).value_or(uids);
      }
      for (std::size_t k = 0; k < batch.size(); ++k) {
        AppendOutcome outcome;
        outcome.ok = true;
        if (uids.size() == batch.size()) {
          outcome.uidvalidity = uidvalidity;
          outcome.uid = uids[k];
        }
        report(batch[k], outcome);
      }
      batch_limit_ = std::min(batch_limit_ * 2, std::max<std::size_t>(1, tuning_.batch_messages));
      return;
    }
    if (answer.local_error.empty()) {
      if (auto hint = imap::throttle_hint(answer.response)) {
        // Not stored: the batch goes again after the wait, and what has not
        // gone out yet waits too.
        if (!state.throttled) {
          state.throttled = std::move(hint);
          c.cancel_queued();
        }
        return;
      }
    }
    if (answer.failed_body) {
      // One body could not be read: it failed; the others never reached the
      // server and go out again.
      report(batch.at(*answer.failed_body), outcome_of(answer, items[batch[*answer.failed_body]]));
      return;
    }
    AppendOutcome first = outcome_of(answer, items[batch.front()]);
    // One bad message (or one too many for the quota) fails the whole batch:
    // each goes again alone, and only its own refusal counts. A refusal for
    // the folder, or a server that cannot store anything now, stops here.
    const bool for_one =
        first.error.scope == core::ErrorScope::Message || answer.response.has_code("OVERQUOTA");
    if (batch.size() > 1 && answer.local_error.empty() && for_one) {
      for (auto i : batch) state.single[i] = true;
      return;
    }
    if (first.error.scope != core::ErrorScope::Message && !stop) {
      stop = first.error;
      c.cancel_queued();
    }
    for (auto i : batch) report(i, outcome_of(answer, items[i]));
  };
  bool complete = false;
  try {
    for (std::size_t i = 0; i < items.size() && !stop && !state.throttled;) {
      if (reported[i]) {
        ++i;
        continue;
      }
      if (too_big(i)) {
        AppendOutcome refused;
        refused.error = {core::ErrorScope::Message, items[i].where,
                         "the message has " + std::to_string(items[i].size) +
                             " bytes; the server accepts at most " + std::to_string(*limit) +
                             " (APPENDLIMIT)"};
        report(i, refused);
        ++i;
        continue;
      }
      // The batch: this message and the next unanswered ones, within the limits.
      std::vector<std::size_t> batch{i};
      std::uint64_t bytes = items[i].size;
      std::size_t next = i + 1;
      if (multiappend && !state.single[i]) {
        for (; next < items.size() && batch.size() < batch_limit_; ++next) {
          if (reported[next]) continue;
          if (state.single[next] || too_big(next) || bytes + items[next].size > tuning_.batch_bytes)
            break;
          batch.push_back(next);
          bytes += items[next].size;
        }
      }
      i = next;
      imap::Command command("APPEND");
      add_mailbox(command, folder);
      for (auto k : batch) {
        const AppendItem& item = items[k];
        command.raw(std::string("(").append(allowed_flags(item.flags).to_imap()).append(")"));
        if (item.internal_date.utc != 0) command.string(item.internal_date.to_imap());
        command.body(item.size, item.open_body);
      }
      c.submit(std::move(command),
               [&answered, batch = std::move(batch)](const imap::Completion& answer) {
                 answered(answer, batch);
               });
      if (state.cautious) {
        if (!c.drain()) return false;
        if (!state.throttled) state.cautious = false;
        continue;
      }
      // Keep the queue short: outcomes flow steadily and a refusal for the
      // whole folder stops what has not gone out yet.
      if (!c.drain_to(tuning_.max_in_flight)) return false;
    }
    complete = c.drain();
  } catch (const core::ConnectionError&) {
    // The batches in flight are lost with the connection: send less at a
    // time while the connection is unreliable.
    batch_limit_ = std::max<std::size_t>(1, batch_limit_ / 4);
    abandon_if_busy();
    // A server that throttled and then hung up (Microsoft 365 does) still
    // gets its wait before the caller reconnects.
    if (state.throttled) {
      core::Retry first = throttle_count();
      wait_out(*state.throttled, "APPEND to folder " + folder, first);
    }
    throw;
  } catch (...) {
    abandon_if_busy();
    throw;
  }
  if (!complete) return false;
  if (stop)
    throw core::ServerError(stop->scope, describe() + ": folder " + folder + ": " + stop->message);
  if (state.throttled) return false;
  return std::find(reported.begin(), reported.end(), false) == reported.end();
}

void ImapTarget::update_flags(const std::string& folder, const std::vector<FlagUpdate>& updates) {
  if (updates.empty()) return;
  // Selected first: which keywords the folder keeps decides the flags.
  ensure_selected(folder, true);
  // By what to do: "+FLAGS.SILENT (\\Seen)", "-FLAGS.SILENT (Work)".
  std::map<std::string, std::vector<std::uint32_t>> groups;
  for (const auto& u : updates) {
    if (u.uid == 0) continue;
    const core::Flags add = allowed_flags(u.add);
    if (!add.empty()) groups["+FLAGS.SILENT (" + add.to_imap() + ")"].push_back(u.uid);
    if (!u.remove.empty()) groups["-FLAGS.SILENT (" + u.remove.to_imap() + ")"].push_back(u.uid);
  }
  // Each UID STORE: what it does and its UID set. Adding or removing flags
  // twice changes nothing, so a throttled one is simply sent again.
  std::vector<std::pair<std::string, std::string>> stores;
  for (const auto& [flags, uids] : groups)
    for (const auto& set : imap::split_uid_set(uids, kMaxUidSetChars))
      stores.emplace_back(flags, set);
  std::vector<std::string> failures;
  core::Retry throttled = throttle_count();
  core::Retry reconnects(tuning_.reconnect);
  while (!stores.empty()) {
    imap::Client& c = ensure_selected(folder, true);
    std::vector<std::pair<std::string, std::string>> again;
    std::optional<imap::ThrottleHint> hint;
    try {
      for (const auto& store : stores) {
        imap::Command command("UID STORE");
        command.raw(store.second + " " + store.first);
        c.submit(std::move(command), [&, store](const imap::Completion& answer) {
          if (answer.ok()) return;
          if (auto said = answer.local_error.empty() ? imap::throttle_hint(answer.response)
                                                     : std::nullopt) {
            if (!hint) hint = std::move(said);
            again.push_back(store);
            return;
          }
          failures.push_back(store.first + ": " + answer.describe());
        });
      }
      if (!c.drain())
        throw core::ConnectionError(describe() + ": the connection closed during STORE");
    } catch (const core::ConnectionError& e) {
      abandon_if_busy();
      // Adding flags twice changes nothing: every store goes again, and
      // what the lost attempt reported is forgotten.
      if (!reconnect_allowed(reconnects, e, "STORE in folder " + folder)) throw;
      failures.clear();
      continue;
    } catch (...) {
      abandon_if_busy();
      throw;
    }
    if (!hint) break;
    if (again.size() < stores.size()) throttled = throttle_count();  // some went through
    wait_out(*hint, "STORE in folder " + folder, throttled);
    stores = std::move(again);
  }
  if (!failures.empty())
    throw core::ServerError(
        core::ErrorScope::Folder,
        describe() + ": could not add flags in folder " + folder + ": " + failures.front() +
            (failures.size() > 1 ? " (and " + std::to_string(failures.size() - 1) + " more)" : ""));
}

ImapTarget::Tuning tuning_from_environment() {
  ImapTarget::Tuning base;
  auto number = [](const char* name, std::size_t fallback) -> std::size_t {
    const char* text = std::getenv(name);
    if (text == nullptr || *text == '\0') return fallback;
    char* end = nullptr;
    unsigned long long n = std::strtoull(text, &end, 10);
    return *end == '\0' && n > 0 ? static_cast<std::size_t>(n) : fallback;
  };
  base.max_in_flight = number("MAILFERRY_MAX_IN_FLIGHT", base.max_in_flight);
  base.batch_messages = number("MAILFERRY_APPEND_BATCH", base.batch_messages);
  return base;
}

}  // namespace mailferry::target
