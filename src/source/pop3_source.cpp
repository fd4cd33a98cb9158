#include "mailferry/source/pop3_source.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <unordered_map>

#include "mailferry/core/log.hpp"
#include "mailferry/mime/display_text.hpp"
#include "mailferry/mime/header_fields.hpp"
#include "mailferry/mime/message_key.hpp"
#include "mailferry/pop3/client.hpp"
#include "pop3_session.hpp"

namespace mailferry::source {
namespace {

// Locators: "uidl:<uid>" where the server has UIDL (stable across sessions),
// "msg:<session>:<number>" where it has not (valid in that session only).
constexpr std::string_view kUidlPrefix = "uidl:";
constexpr std::string_view kNumberPrefix = "msg:";

// What a response code in a refused login means for the user.
std::optional<std::string> login_refusal_hint(const std::string& text) {
  auto open = text.find('[');
  while (open != std::string::npos) {
    auto close = text.find(']', open);
    if (close == std::string::npos) break;
    switch (pop3::classify_code(std::string_view(text).substr(open + 1, close - open - 1))) {
      case pop3::ResponseCode::InUse:
        return "the POP3 mailbox is locked by another client; close other mail programs on "
               "this account and run again";
      case pop3::ResponseCode::LoginDelay:
        return "the server refuses logins this soon after the last one; run again later";
      case pop3::ResponseCode::SysTemp:
        return "a temporary problem on the server; run again later";
      case pop3::ResponseCode::Auth:
        return "the server refused the credentials";
      default:
        break;
    }
    open = text.find('[', close);
  }
  return std::nullopt;
}

// Turns the session-level refusals a client cannot fix by retrying at once into
// account-scoped connection errors, with the server's words.
[[noreturn]] void rethrow_refusal(const std::string& account, const pop3::CommandError& e) {
  switch (e.status().code_kind()) {
    case pop3::ResponseCode::InUse:
      throw core::ConnectionError(account + ": the POP3 mailbox is locked by another client (" +
                                      e.status().describe() +
                                      "); close other mail programs on this account and run again",
                                  false);
    case pop3::ResponseCode::LoginDelay:
      throw core::ConnectionError(account +
                                      ": the server refuses logins this soon after the last one (" +
                                      e.status().describe() + "); run again later",
                                  false);
    case pop3::ResponseCode::SysTemp:
      throw core::ConnectionError(account + ": temporary server problem (" + e.status().describe() +
                                  "); run again later");
    default:
      throw core::SourceError(account + ": " + e.what());
  }
}

}  // namespace

Pop3Source::Pop3Source(Pop3SourceOptions options) : options_(std::move(options)) {
  options_.connect.protocol = net::Protocol::Pop3;
}

Pop3Source::~Pop3Source() { drop_session(); }

std::string Pop3Source::describe() const { return options_.connect.display(); }

std::string Pop3Source::account_id() const { return options_.connect.display(); }

std::vector<SourceFolder> Pop3Source::folders() {
  return {SourceFolder{{"INBOX"}, core::Role::Inbox, "INBOX"}};
}

std::uint64_t Pop3Source::commands_sent(std::string_view verb) const {
  std::uint64_t n = 0;
  if (auto it = finished_counts_.find(verb); it != finished_counts_.end()) n = it->second;
  if (session_ && session_->client) n += session_->client->commands_sent(verb);
  return n;
}

void Pop3Source::note(std::string text) {
  if (std::find(notes_.begin(), notes_.end(), text) != notes_.end()) return;
  core::log_warn(describe() + ": " + text);
  notes_.push_back(std::move(text));
}

void Pop3Source::drop_session() {
  if (!session_) return;
  if (session_->client)
    for (const auto& [verb, n] : session_->client->command_counts()) finished_counts_[verb] += n;
  session_.reset();  // the client goes before its connection
}

Pop3Source::Session& Pop3Source::session() {
  if (session_ && session_->client->usable()) return *session_;
  drop_session();
  auto s = std::make_unique<Session>();
  s->generation = ++generation_;
  try {
    s->connection = options_.connector ? options_.connector(options_.connect)
                                       : net::Connection::open(options_.connect);
  } catch (const core::ConnectionError& e) {
    // A refused PASS/AUTH carries its RFC 2449 code in the server's line, which
    // the connection layer quotes: say what it means and what to do.
    std::string text = e.what();
    if (auto hint = login_refusal_hint(text))
      throw core::ConnectionError(text + " (" + *hint + ")", e.retryable());
    throw;
  }
  s->client = std::make_unique<pop3::Client>(
      *s->connection, pop3::ClientOptions{options_.pipeline_depth, options_.trace});
  session_ = std::move(s);
  Session& cur = *session_;
  try {
    const auto& caps = cur.client->capa();
    if (caps.known && !caps.has("PIPELINING"))
      note("the server does not offer PIPELINING: one command per round trip");
    if (!caps.known) note("the server does not answer CAPA (RFC 2449): no pipelining");
    bool try_uidl = !caps.known || caps.has("UIDL");
    if (caps.known) cur.has_top = caps.has("TOP");
    auto listing = cur.client->listing(try_uidl);
    cur.list = std::move(listing.list);
    if (listing.uidl) {
      cur.has_uidl = true;
      cur.uidl = std::move(*listing.uidl);
      for (const auto& u : cur.uidl) cur.number_of.emplace(u.uid, u.number);
    } else {
      if (listing.uidl_status.code_kind() == pop3::ResponseCode::InUse)
        rethrow_refusal(describe(),
                        pop3::CommandError("UIDL", listing.uidl_status, core::ErrorScope::Account));
      note(
          "the server has no UIDL: messages are known by number for this session only, "
          "nothing can be cached between runs, and every run reads every header");
    }
  } catch (const pop3::CommandError& e) {
    drop_session();
    rethrow_refusal(describe(), e);
  } catch (...) {
    drop_session();
    throw;
  }
  return cur;
}

bool Pop3Source::reconnect_allowed(core::Retry& retry, const core::ConnectionError& error,
                                   const std::string& what) {
  if (!retry.allows(error)) return false;
  // A warning like every other retry's: one line, why and when, even without -v.
  core::log_warn(describe() + ": POP3 session lost during " + what + " (" + error.what() +
                 "); reconnecting in " + std::to_string(retry.last_delay().count()) + " ms (" +
                 retry.tally() + ")");
  retry.wait();
  return true;
}

Pop3Source::Session* Pop3Source::session_or_retry(core::Retry& retry, const std::string& what) {
  try {
    return &session();
  } catch (const core::ConnectionError& e) {
    if (reconnect_allowed(retry, e, what)) return nullptr;
    throw;
  }
}

std::string Pop3Source::where(const SourceMessage& message) const {
  std::string out = describe() + " message " + std::to_string(message.ordinal);
  if (auto uid = uidl_of(message)) out += " (UIDL " + *uid + ")";
  return out;
}

std::optional<std::string> Pop3Source::uidl_of(const SourceMessage& message) {
  std::string_view loc = message.locator;
  if (loc.substr(0, kUidlPrefix.size()) != kUidlPrefix) return std::nullopt;
  return std::string(loc.substr(kUidlPrefix.size()));
}

std::uint32_t Pop3Source::resolve(Session& s, const SourceMessage& message,
                                  std::string& why) const {
  if (auto uid = uidl_of(message)) {
    auto it = s.number_of.find(*uid);
    if (it != s.number_of.end()) return it->second;
    why = "the message is no longer on the POP3 server";
    return 0;
  }
  std::string_view loc = message.locator;
  std::uint64_t generation = 0;
  std::uint32_t number = 0;
  if (loc.substr(0, kNumberPrefix.size()) == kNumberPrefix) {
    loc.remove_prefix(kNumberPrefix.size());
    auto colon = loc.find(':');
    if (colon != std::string_view::npos) {
      std::from_chars(loc.data(), loc.data() + colon, generation);
      std::from_chars(loc.data() + colon + 1, loc.data() + loc.size(), number);
    }
  }
  if (number == 0 || generation == 0) {
    why = "not a message scanned from this POP3 source";
    return 0;
  }
  if (generation != s.generation || number > s.list.size()) {
    why =
        "the server has no UIDL, and message numbers are only valid in the session that "
        "scanned them (the connection was re-opened since); run again";
    return 0;
  }
  return number;
}

// A message whose RETR size differs from what LIST announced: the literal is
// already declared with the old size, so this run cannot upload it. The size
// RETR gave (and the key computed with it, for messages without Message-ID) is
// remembered, so the next scan announces the right size.
void Pop3Source::remember_size(const SourceMessage& message, std::uint64_t size,
                               std::string_view header) {
  auto uid = uidl_of(message);
  if (!options_.cache || !uid) return;
  auto fields = mime::scan_header_fields(header);
  Pop3CachedMessage entry;
  entry.uidl = *uid;
  entry.key = mime::message_key(fields, size);
  entry.message_id = fields.message_id;
  entry.size = size;
  entry.size_verified = true;
  entry.internal_date = message.internal_date;
  entry.requests_read_receipt = fields.has_disposition_notification_to;
  entry.from = mime::display_sender(fields.from);
  entry.subject = mime::display_subject(fields.subject);
  options_.cache->store_pop3(account_id(), {entry});
}

std::vector<SourceMessage> older_than_days(const std::vector<SourceMessage>& messages, int days,
                                           std::time_t now) {
  if (days <= 0) return messages;
  const std::time_t cutoff = now - static_cast<std::time_t>(days) * 86400;
  std::vector<SourceMessage> out;
  for (const auto& m : messages)
    if (m.internal_date.utc < cutoff) out.push_back(m);
  return out;
}

}  // namespace mailferry::source
