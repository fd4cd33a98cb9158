// A POP3 mailbox as a Source: one folder, role Inbox.
//
// scan() costs one UIDL + LIST (pipelined), then one `TOP n 0` per message the
// scan cache does not know yet (pipelined when the server offers PIPELINING):
// the header block gives the diff key (mime::message_key), the Message-ID, and
// the INTERNALDATE: the date of the topmost Received: field (written by the
// server that delivered the message into this mailbox, the chronologically
// last hop), else Date:, else the time of the first scan. A message whose
// UIDL is in the cache (sync::StateStore) costs nothing but its UIDL line, so a
// nightly run where nothing is new sends no TOP and no RETR. The cache is only a
// cache: the diff still checks the target, and without it the run is slower but
// gives the same references.
//
// Flags: POP3 has none. Messages arrive as read (\Seen) by default: users who
// migrate a POP3 mailbox have fetched (and mostly read) it on their PC already;
// Pop3SourceOptions::mark_seen = false makes them arrive unread.
//
// Sizes: the scan announces the LIST size (RFC 1939 says exact, Dovecot's
// is). open() downloads the whole message (RETR) into a Spool (memory, then an
// unlinked temp file) before it returns, and checks the size: the CRLF a server
// adds before the terminator to a message stored without a final line end is
// dropped; any other difference fails the message, and with a cache the RETR
// size is remembered so the next scan announces it. So the literal size is
// always exact, and a dropped connection or a truncated answer fails that
// message (core::SourceError, scope Message) before one byte reaches the
// target, and several opened messages can wait in the executor's pipelined
// APPENDs while the single POP3 connection moves on. If the session died while
// idle (POP3 servers log out idle clients after ~10 minutes, while the target
// was busy), open() and remove() open a new session and try again, as often
// as Pop3SourceOptions::reconnect allows; so do they when a new session fails
// to open. What cannot heal (a refused login, a locked maildrop) is never
// tried again (core/retry.hpp).
//
// Servers without UIDL: messages are keyed by their number, valid for this
// session only (open()/remove() refuse a number from an earlier session), and
// nothing is cached. Servers without TOP: every message is RETRieved at scan
// time to read its header. Both are slower; notes() says why, for the report.
//
// remove(): DELE of exactly the given messages (found again by UIDL in the
// current session), then QUIT, which is what makes POP3 commit deletions. A
// session that ends any other way deletes nothing.
//
// Errors: core::ConnectionError (exit 3) for connect, TLS, login, a session
// that breaks outside a RETR, and a maildrop locked by another client ([IN-USE])
// or a login refused as too early ([LOGIN-DELAY]) or temporarily ([SYS/TEMP]):
// these are account-scoped and nothing was changed. core::SourceError (exit 4,
// account scope) when the server refuses LIST. Message-scoped SourceError for
// a message that cannot be read; ScanSink::error for a TOP that fails.
//
// Not thread-safe; blocking, bounded by ConnectOptions::timeout per wait.
#pragma once

#include <cstdint>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailferry/core/retry.hpp"
#include "mailferry/net/connection.hpp"
#include "mailferry/source/source.hpp"

namespace mailferry::pop3 {
class Client;
}

namespace mailferry::source {

// What a scan learnt about one POP3 message, worth remembering between runs.
struct Pop3CachedMessage {
  std::string uidl;
  core::MessageKey key;
  std::string message_id;
  std::uint64_t size = 0;
  bool size_verified = false;  // measured from a complete RETR (else: the server's LIST)
  core::InternalDate internal_date;
  bool requests_read_receipt = false;
  std::string confirmed_in;   // target folder where the copy was confirmed; may be empty
  std::string from, subject;  // display forms (SourceMessage); empty in entries of old state files
};

// Where Pop3Source keeps its scan cache between runs, per account.
// sync::StateStore implements it (SQLite); nullptr means no cache.
class Pop3ScanCache {
 public:
  virtual ~Pop3ScanCache() = default;
  // Everything known for `account` ("pop3s://alice@host:995").
  virtual std::vector<Pop3CachedMessage> load_pop3(const std::string& account) = 0;
  // Inserts or replaces entries (by UIDL), atomically.
  virtual void store_pop3(const std::string& account,
                          const std::vector<Pop3CachedMessage>& entries) = 0;
  // Forgets the account's UIDLs that are not in `present` (gone from the server).
  virtual void retain_pop3(const std::string& account, const std::vector<std::string>& present) = 0;
};

struct Pop3SourceOptions {
  net::ConnectOptions connect;               // protocol Pop3; implicit_tls for pop3s://
  bool mark_seen = true;                     // migrated mail arrives as read (see above)
  std::size_t pipeline_depth = 64;           // commands in flight when PIPELINING is offered
  Pop3ScanCache* cache = nullptr;            // not owned; must outlive the source
  std::string spool_directory;               // empty: $TMPDIR, else /tmp
  std::size_t spool_memory_limit = 1 << 20;  // per message, before spilling to disk
  // How to get an authenticated connection; empty: net::Connection::open.
  std::function<std::unique_ptr<net::Connection>(const net::ConnectOptions&)> connector;
  // Sessions lost before a RETR or DELE got anything, in a row, that open()
  // and remove() try again over a new session, and the waits in between.
  core::RetryPolicy reconnect;
  // Every command line sent after login (tests count TOP and RETR with it).
  std::function<void(std::string_view)> trace;
};

// What remove_messages() did, message by message.
struct Pop3RemovalResult {
  std::vector<std::string> removed;       // locators of messages deleted (QUIT said +OK)
  std::vector<core::ErrorRecord> failed;  // messages not deleted, with the reason
};

class Pop3Source final : public Source {
 public:
  explicit Pop3Source(Pop3SourceOptions options);
  ~Pop3Source() override;

  std::string describe() const override;         // "pop3s://alice@host:995"
  std::vector<SourceFolder> folders() override;  // {"INBOX"}, Role::Inbox; no connection
  void scan(const SourceFolder& folder, ScanSink& sink) override;
  std::unique_ptr<BodyReader> open(const SourceFolder& folder,
                                   const SourceMessage& message) override;
  bool supports_removal() const override { return true; }
  // remove_messages(), as counts and one error per message not deleted.
  RemovalResult remove(const SourceFolder& folder,
                       const std::vector<SourceMessage>& messages) override;
  Pop3RemovalResult remove_messages(const std::vector<SourceMessage>& messages);

  // The scan cache's account id: "pop3s://alice@host:995" (no secret).
  std::string account_id() const;
  // The UIDL behind a scanned message, when the server has UIDL.
  static std::optional<std::string> uidl_of(const SourceMessage& message);
  // Commands sent so far, all sessions together ("TOP", "RETR", "UIDL", ...).
  std::uint64_t commands_sent(std::string_view verb) const;
  // Why this run was slower than it could be (no UIDL, no TOP, no PIPELINING).
  const std::vector<std::string>& notes() const { return notes_; }
  std::vector<std::string> report_notes() override { return notes_; }

 private:
  struct Session;
  Session& session();
  void drop_session();
  // After `error` lost the session (or failed to open a new one) during
  // `what`: true, after logging and waiting, when options_.reconnect allows
  // another try.
  bool reconnect_allowed(core::Retry& retry, const core::ConnectionError& error,
                         const std::string& what);
  // session(), with a retryable failure to open it counted against `retry`:
  // nullptr when the caller should try again.
  Session* session_or_retry(core::Retry& retry, const std::string& what);
  std::string where(const SourceMessage& message) const;
  std::uint32_t resolve(Session& s, const SourceMessage& message, std::string& why) const;
  void note(std::string text);
  void remember_size(const SourceMessage& message, std::uint64_t size, std::string_view header);

  Pop3SourceOptions options_;
  std::unique_ptr<Session> session_;
  std::uint64_t generation_ = 0;
  std::map<std::string, std::uint64_t, std::less<>> finished_counts_;
  std::vector<std::string> notes_;
};

// Messages whose INTERNALDATE is more than `days` days before `now`, for
// --delete-after-copy --keep-days N (0 days: all of them).
std::vector<SourceMessage> older_than_days(const std::vector<SourceMessage>& messages, int days,
                                           std::time_t now);

}  // namespace mailferry::source
