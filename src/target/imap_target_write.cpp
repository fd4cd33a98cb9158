// ImapTarget: pipelined APPEND and UID STORE.
#include <algorithm>
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
  const auto& r = done.response;
  if (r.has_code("OVERQUOTA"))
    out.error.scope = core::ErrorScope::Account;
  else if (r.has_code("TRYCREATE") || r.has_code("NONEXISTENT"))
    out.error.scope = core::ErrorScope::Folder;
  else
    out.error.scope = core::ErrorScope::Message;
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
  return flags;
}

void ImapTarget::append(const std::string& folder, const std::vector<AppendItem>& items,
                        const std::function<void(std::size_t, const AppendOutcome&)>& done) {
  std::vector<bool> reported(items.size(), false);
  // A pass ends with every item answered, or with the connection closed after
  // a message failed mid-literal (that one is reported); the next pass goes on
  // with the rest over a new connection.
  for (;;) {
    auto before = std::count(reported.begin(), reported.end(), true);
    if (append_pass(folder, items, reported, done)) return;
    if (std::count(reported.begin(), reported.end(), true) == before)
      throw core::ConnectionError(describe() + ": the connection closed during APPEND");
  }
}

bool ImapTarget::append_pass(const std::string& folder, const std::vector<AppendItem>& items,
                             std::vector<bool>& reported,
                             const std::function<void(std::size_t, const AppendOutcome&)>& done) {
  if (std::find(reported.begin(), reported.end(), false) == reported.end()) return true;
  imap::Client& c = client();  // first: a reconnect forgets the selection
  if (!selected_ || selected_->name != folder || selected_->read_only) select(folder, false);
  const auto limit = c.capabilities().number("APPENDLIMIT");
  std::optional<core::ErrorRecord> stop;  // a refusal for the whole folder or account
  auto report = [&](std::size_t i, const AppendOutcome& outcome) {
    reported[i] = true;
    done(i, outcome);
  };
  bool complete = false;
  try {
    for (std::size_t i = 0; i < items.size() && !stop; ++i) {
      if (reported[i]) continue;
      const AppendItem& item = items[i];
      if (limit && *limit > 0 && item.size > *limit) {
        AppendOutcome refused;
        refused.error = {core::ErrorScope::Message, item.where,
                         "the message has " + std::to_string(item.size) +
                             " bytes; the server accepts at most " + std::to_string(*limit) +
                             " (APPENDLIMIT)"};
        report(i, refused);
        continue;
      }
      imap::Command command("APPEND");
      add_mailbox(command, folder);
      command.raw("(" + allowed_flags(item.flags).to_imap() + ")");
      if (item.internal_date.utc != 0) command.string(item.internal_date.to_imap());
      command.body(item.size, item.open_body);
      c.submit(std::move(command), [&, i](const imap::Completion& answer) {
        AppendOutcome outcome = outcome_of(answer, items[i]);
        if (!outcome.ok && outcome.error.scope != core::ErrorScope::Message && !stop) {
          stop = outcome.error;
          c.cancel_queued();
        }
        report(i, outcome);
      });
      // Keep the queue short: outcomes flow steadily and a refusal for the
      // whole folder stops what has not gone out yet.
      if (!c.drain_to(tuning_.max_in_flight)) return false;
    }
    complete = c.drain();
  } catch (...) {
    abandon_if_busy();
    throw;
  }
  if (!complete) return false;
  if (stop)
    throw core::ServerError(stop->scope, describe() + ": folder " + folder + ": " + stop->message);
  return true;
}

void ImapTarget::add_flags(const std::string& folder, const std::vector<FlagUpdate>& updates) {
  if (updates.empty()) return;
  imap::Client& c = client();  // first: a reconnect forgets the selection
  if (!selected_ || selected_->name != folder || selected_->read_only) select(folder, false);
  std::map<std::uint8_t, std::vector<std::uint32_t>> groups;  // by flag set
  for (const auto& u : updates) {
    core::Flags flags = allowed_flags(u.add);
    if (u.uid != 0 && !flags.empty()) groups[flags.bits()].push_back(u.uid);
  }
  std::vector<std::string> failures;
  try {
    for (const auto& [bits, uids] : groups) {
      const std::string flags = core::Flags(bits).to_imap();
      for (const auto& set : imap::split_uid_set(uids, kMaxUidSetChars)) {
        imap::Command command("UID STORE");
        command.raw(set + " +FLAGS.SILENT (" + flags + ")");
        c.submit(std::move(command), [&failures, flags](const imap::Completion& answer) {
          if (!answer.ok()) failures.push_back("+FLAGS (" + flags + "): " + answer.describe());
        });
      }
    }
    if (!c.drain())
      throw core::ConnectionError(describe() + ": the connection closed during STORE");
  } catch (...) {
    abandon_if_busy();
    throw;
  }
  if (!failures.empty())
    throw core::ServerError(
        core::ErrorScope::Folder,
        describe() + ": could not add flags in folder " + folder + ": " + failures.front() +
            (failures.size() > 1 ? " (and " + std::to_string(failures.size() - 1) + " more)" : ""));
}

}  // namespace mailferry::target
