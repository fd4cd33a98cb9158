// Pop3Source: the parts that move data (scan, open, remove).
#include <algorithm>
#include <set>
#include <unordered_map>

#include "mailferry/core/log.hpp"
#include "mailferry/core/plural.hpp"
#include "mailferry/mime/display_text.hpp"
#include "mailferry/mime/header_fields.hpp"
#include "mailferry/mime/message_key.hpp"
#include "mailferry/pop3/client.hpp"
#include "mailferry/pop3/spool.hpp"
#include "mailferry/source/pop3_source.hpp"
#include "pop3_session.hpp"

namespace mailferry::source {
namespace {

constexpr std::size_t kCacheBatch = 256;        // entries per cache transaction during a scan
constexpr std::size_t kHeaderLimit = 8u << 20;  // header bytes kept per message

// INTERNALDATE is when the message arrived in this mailbox (RFC 3501 2.3.3),
// and --keep-days measures age from it. The topmost Received: field was
// written by the server that delivered the message here, so its date is the
// chronologically last hop; the first hop (the bottom one) can be hours older
// for delayed mail. Without any, Date:, else now.
core::InternalDate arrival_date(std::string_view header, const mime::HeaderFields& fields) {
  if (auto received = mime::find_header_field(header, "Received")) {
    auto semi = received->rfind(';');
    if (semi != std::string::npos)
      if (auto d = mime::parse_rfc5322_date(std::string_view(*received).substr(semi + 1)))
        return *d;
  }
  if (auto d = mime::parse_rfc5322_date(fields.last_received_date)) return *d;
  if (auto d = mime::parse_rfc5322_date(fields.date)) return *d;
  core::InternalDate now;
  now.utc = std::time(nullptr);
  return now;
}

// RFC 1939 needs a CRLF before the terminating dot, so a server that stores
// a message without a final line end adds one on the wire (Dovecot does)
// while LIST counts the message as stored. Those two bytes are not part of
// the message: what the IMAP server would store, and what the other side of
// the diff sees, is the LIST size.
bool wire_added_line_end(std::uint64_t delivered, std::uint64_t announced,
                         std::string_view last_two) {
  return delivered == announced + 2 && last_two == "\r\n";
}

enum class ItemState { Pending, Ready, Failed };

struct Item {
  std::uint32_t number = 0;
  std::uint64_t size = 0;
  std::string uid;  // empty without UIDL
  ItemState state = ItemState::Pending;
  SourceMessage message;
};

// Collects the header block of a whole message (RETR on servers without TOP)
// while counting every byte, which gives the exact size for free.
struct HeaderCollector {
  std::string header;
  std::uint64_t total = 0;
  std::string last_two;
  bool complete = false;
  void operator()(std::string_view bytes) {
    total += bytes.size();
    last_two = (last_two + std::string(bytes.substr(bytes.size() > 2 ? bytes.size() - 2 : 0)));
    if (last_two.size() > 2) last_two.erase(0, last_two.size() - 2);
    if (complete) return;
    std::size_t from = header.size() < 3 ? 0 : header.size() - 3;
    header.append(bytes.substr(0, kHeaderLimit - std::min(kHeaderLimit, header.size())));
    auto end = header.find("\r\n\r\n", from);
    if (end != std::string::npos) {
      header.resize(end + 4);
      complete = true;
    } else if (header.size() >= kHeaderLimit) {
      complete = true;
    }
  }
};

}  // namespace

void Pop3Source::scan(const SourceFolder& /*folder*/, ScanSink& sink) {
  drop_session();  // a fresh listing: mail may have arrived since the last session
  Session& s = session();
  const std::string account = account_id();
  Pop3ScanCache* cache = s.has_uidl ? options_.cache : nullptr;

  std::unordered_map<std::string, Pop3CachedMessage> cached;
  if (cache)
    for (auto& e : cache->load_pop3(account)) cached.emplace(e.uidl, std::move(e));

  std::unordered_map<std::uint32_t, std::string> uid_of;
  for (const auto& u : s.uidl) uid_of.emplace(u.number, u.uid);

  std::vector<Item> items;
  std::unordered_map<std::uint32_t, std::size_t> index_of;
  std::vector<std::uint32_t> pending;
  for (const auto& l : s.list) {
    Item item;
    item.number = l.number;
    item.size = l.size;
    if (s.has_uidl) {
      auto u = uid_of.find(l.number);
      if (u == uid_of.end()) {
        sink.error(core::ErrorRecord{core::ErrorScope::Message,
                                     describe() + " message " + std::to_string(l.number),
                                     "the server lists it in LIST but not in UIDL; skipped"});
        continue;
      }
      item.uid = u->second;
    }
    SourceMessage& m = item.message;
    m.ordinal = l.number;
    m.locator = s.has_uidl ? "uidl:" + item.uid
                           : "msg:" + std::to_string(s.generation) + ":" + std::to_string(l.number);
    if (options_.mark_seen) m.flags.add(core::Flag::Seen);
    if (auto c = cached.find(item.uid);
        s.has_uidl && c != cached.end() && (c->second.size_verified || c->second.size == l.size)) {
      m.key = c->second.key;
      m.message_id = c->second.message_id;
      m.size = c->second.size;
      m.internal_date = c->second.internal_date;
      m.requests_read_receipt = c->second.requests_read_receipt;
      m.from = c->second.from;
      m.subject = c->second.subject;
      item.state = ItemState::Ready;
    } else {
      pending.push_back(l.number);
    }
    index_of.emplace(l.number, items.size());
    items.push_back(std::move(item));
  }

  // Messages go to the sink in server order: cached ones wait for the
  // headers of the uncached ones before them.
  std::size_t next = 0;
  auto flush = [&] {
    for (; next < items.size() && items[next].state != ItemState::Pending; ++next)
      if (items[next].state == ItemState::Ready) sink.message(std::move(items[next].message));
  };
  std::vector<Pop3CachedMessage> batch;
  auto store_batch = [&] {
    if (cache && !batch.empty()) cache->store_pop3(account, batch);
    batch.clear();
  };
  auto learnt = [&](std::uint32_t number, const pop3::Status& status, std::string_view header,
                    std::uint64_t exact_size, const char* command) {
    Item& item = items[index_of.at(number)];
    if (!status.ok) {
      item.state = ItemState::Failed;
      sink.error(core::ErrorRecord{
          core::ErrorScope::Message, where(item.message),
          std::string("the server refused ") + command + ": " + status.describe()});
      return;
    }
    auto fields = mime::scan_header_fields(header);
    SourceMessage& m = item.message;
    m.size = exact_size ? exact_size : item.size;
    m.key = mime::message_key(fields, m.size);
    m.message_id = fields.message_id;
    m.internal_date = arrival_date(header, fields);
    m.requests_read_receipt = fields.has_disposition_notification_to;
    m.from = mime::display_sender(fields.from);
    m.subject = mime::display_subject(fields.subject);
    item.state = ItemState::Ready;
    if (cache) {
      batch.push_back({item.uid,
                       m.key,
                       m.message_id,
                       m.size,
                       exact_size != 0,
                       m.internal_date,
                       m.requests_read_receipt,
                       {},
                       m.from,
                       m.subject});
      if (batch.size() >= kCacheBatch) store_batch();
    }
  };

  try {
    flush();
    // Without CAPA nobody said whether TOP exists: ask once, fall back to RETR.
    if (!pending.empty() && !s.has_top) {
      pop3::Status probe;
      std::string header;
      s.client->top_headers({pending.front()},
                            [&](std::uint32_t, const pop3::Status& st, std::string_view h) {
                              probe = st;
                              header = h;
                            });
      s.has_top = probe.ok;
      if (probe.ok) {
        learnt(pending.front(), probe, header, 0, "TOP");
        pending.erase(pending.begin());
        flush();
      }
    }
    if (!pending.empty() && *s.has_top) {
      s.client->top_headers(
          pending,
          [&](std::uint32_t number, const pop3::Status& st, std::string_view header) {
            learnt(number, st, header, 0, "TOP");
            flush();
          },
          kHeaderLimit);
    } else if (!pending.empty()) {
      note(
          "the server has no TOP: every new message is downloaded whole (RETR) to read its "
          "header");
      for (auto number : pending) {
        HeaderCollector collector;
        auto status = s.client->retrieve(number, std::ref(collector));
        const auto announced = items[index_of.at(number)].size;
        auto exact = wire_added_line_end(collector.total, announced, collector.last_two)
                         ? announced
                         : collector.total;
        learnt(number, status, collector.header, status.ok ? exact : 0, "RETR");
        flush();
      }
    }
    flush();
    store_batch();
    if (cache) {
      std::vector<std::string> present;
      for (const auto& u : s.uidl) present.push_back(u.uid);
      cache->retain_pop3(account, present);
    }
  } catch (...) {
    try {
      store_batch();
    } catch (...) {
    }
    throw;
  }
}

std::unique_ptr<BodyReader> Pop3Source::open(const SourceFolder& /*folder*/,
                                             const SourceMessage& message) {
  core::Retry retry(options_.reconnect);
  const std::string what = "the download of message " + std::to_string(message.ordinal);
  for (;;) {
    Session* current = session_or_retry(retry, what);
    if (current == nullptr) continue;
    Session& s = *current;
    std::string why;
    std::uint32_t number = resolve(s, message, why);
    if (number == 0)
      throw core::SourceError(where(message) + ": " + why, core::ErrorScope::Message);

    pop3::Spool spool(options_.spool_directory, options_.spool_memory_limit);
    pop3::Status status;
    try {
      status = s.client->retrieve(number, [&](std::string_view b) { spool.append(b); });
    } catch (const core::ConnectionError& e) {
      drop_session();
      // Nothing arrived: most likely the server logged the idle session out
      // while the target was busy. Fresh sessions as the policy allows.
      if (spool.size() == 0 && reconnect_allowed(retry, e, what)) continue;
      throw core::SourceError(where(message) + ": connection lost while downloading it (" +
                                  e.what() + "); nothing of it was uploaded",
                              core::ErrorScope::Message);
    } catch (...) {
      drop_session();  // the answer is half read: the stream cannot be reused
      throw;
    }
    if (!status.ok)
      throw core::SourceError(where(message) + ": the server refused RETR: " + status.describe(),
                              core::ErrorScope::Message);
    if (wire_added_line_end(spool.size(), message.size, spool.tail(2)))
      spool.truncate(message.size);
    if (spool.size() != message.size) {
      remember_size(message, spool.size(), spool.head(kHeaderLimit));
      std::string text = where(message) + ": the server announced " + std::to_string(message.size) +
                         " bytes but RETR delivered " + std::to_string(spool.size()) +
                         "; nothing of it was uploaded";
      if (options_.cache && uidl_of(message))
        text += " (the delivered size is remembered: the next run copies it)";
      throw core::SourceError(text, core::ErrorScope::Message);
    }
    return std::make_unique<pop3::SpoolReader>(std::move(spool));
  }
}

Source::RemovalResult Pop3Source::remove(const SourceFolder& /*folder*/,
                                         const std::vector<SourceMessage>& messages) {
  auto result = remove_messages(messages);
  return {std::move(result.removed), std::move(result.failed)};
}

Pop3RemovalResult Pop3Source::remove_messages(const std::vector<SourceMessage>& messages) {
  Pop3RemovalResult result;
  if (messages.empty()) return result;
  core::Retry retry(options_.reconnect);
  const std::string what =
      "the deletion of " + core::counted(messages.size(), "message", "messages");
  for (;;) {
    result = {};
    Session* current = session_or_retry(retry, what);
    if (current == nullptr) continue;
    Session& s = *current;
    std::vector<std::uint32_t> numbers;
    std::vector<const SourceMessage*> chosen;
    std::set<std::uint32_t> seen;
    for (const auto& m : messages) {
      std::string why;
      std::uint32_t n = resolve(s, m, why);
      if (n == 0) {
        result.failed.push_back({core::ErrorScope::Message, where(m), "not deleted: " + why});
      } else if (seen.insert(n).second) {
        numbers.push_back(n);
        chosen.push_back(&m);
      }
    }
    if (numbers.empty()) return result;

    std::vector<pop3::Status> statuses;
    try {
      statuses = s.client->mark_deleted(numbers);
    } catch (const core::ConnectionError& e) {
      // The session ended without QUIT, so the server forgot every mark.
      drop_session();
      if (reconnect_allowed(retry, e, what)) continue;
      throw core::ConnectionError(describe() +
                                  ": connection lost while marking messages for "
                                  "deletion; nothing was deleted: " +
                                  e.what());
    }
    std::vector<const SourceMessage*> marked;
    for (std::size_t i = 0; i < statuses.size(); ++i) {
      if (statuses[i].ok)
        marked.push_back(chosen[i]);
      else
        result.failed.push_back({core::ErrorScope::Message, where(*chosen[i]),
                                 "the server refused DELE: " + statuses[i].describe()});
    }
    if (marked.empty()) return result;

    const std::string count = core::counted(marked.size(), "message", "messages");
    try {
      s.client->commit_and_quit();
    } catch (const pop3::CommandError& e) {
      drop_session();
      throw core::SourceError(describe() + ": the server did not commit the deletion of " + count +
                              " at QUIT (" + e.status().describe() +
                              "); some or all are still there");
    } catch (const core::ConnectionError& e) {
      drop_session();
      throw core::ConnectionError(describe() +
                                  ": connection lost during QUIT, which commits the "
                                  "deletion of " +
                                  count +
                                  "; the server may or may "
                                  "not have deleted them: " +
                                  e.what());
    }
    drop_session();
    for (const auto* m : marked) result.removed.push_back(m->locator);
    return result;
  }
}

}  // namespace mailferry::source
