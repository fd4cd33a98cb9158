// The project's own POP3 (RFC 1939, RFC 2449) on an authenticated connection.
//
// net::Connection (libcurl) has already done TLS/STLS and the login (USER/PASS,
// APOP or SASL); this class speaks the TRANSACTION state: CAPA, UIDL, LIST,
// TOP n 0, RETR, DELE, and QUIT, which is what commits deletions (RFC 1939 6:
// DELE only marks; the server removes marked messages when the session ends
// with QUIT, and forgets the marks when it ends any other way).
//
// Pipelining: when CAPA announces PIPELINING (RFC 2449 6.6) a batch of
// commands (TOP 1 0 ... TOP 64 0) is sent without waiting, up to
// ClientOptions::pipeline_depth in flight, and the answers are read in order;
// otherwise one command at a time. Callers see the same results either way.
//
// Blocking: every call blocks until its answers are in, bounded by the
// connection's timeout. Errors: core::ConnectionError from the connection,
// ProtocolError for answers that are not POP3; after either (or after an
// exception thrown by a caller's callback) the client is unusable (usable()
// is false) and the caller must reconnect. -ERR answers are returned as Status
// where they concern one message, thrown as CommandError where the session
// cannot go on without them (LIST, QUIT).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailferry/net/connection.hpp"
#include "mailferry/pop3/response_parser.hpp"

namespace mailferry::pop3 {

struct Capabilities {
  bool known = false;              // CAPA answered +OK (RFC 2449 server)
  std::vector<std::string> lines;  // as sent: "TOP", "UIDL", "PIPELINING", "SASL PLAIN", ...
  // Whether a capability line starts with `name` (case-insensitive).
  bool has(std::string_view name) const;
};

struct UidlEntry {
  std::uint32_t number = 0;
  std::string uid;
};

struct ListEntry {
  std::uint32_t number = 0;
  std::uint64_t size = 0;  // octets as the server counts them (RFC 1939 says exact; not all are)
};

struct Listing {
  Status uidl_status;                          // the UIDL answer (-ERR: not supported)
  std::optional<std::vector<UidlEntry>> uidl;  // nullopt when not asked or refused
  std::vector<ListEntry> list;
};

struct ClientOptions {
  std::size_t pipeline_depth = 64;  // commands in flight at most, when PIPELINING is offered
  // Called with every command line sent (without CRLF). Only TRANSACTION-state
  // commands pass here, so it never sees a credential.
  std::function<void(std::string_view)> trace;
};

class Client {
 public:
  static constexpr std::size_t kDefaultHeaderLimit = 8u << 20;

  // Sends nothing yet. `connection` must outlive the client.
  explicit Client(net::Connection& connection, ClientOptions options = {});
  // Sends QUIT without waiting when nothing is marked for deletion; with marks
  // it just lets go, so the server discards them (never commits by accident).
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // CAPA (RFC 2449). A -ERR (pre-2449 server) leaves known = false.
  const Capabilities& capa();
  const Capabilities& capabilities() const { return capabilities_; }
  bool pipelining() const { return capabilities_.has("PIPELINING"); }

  // UIDL (if `want_uidl`) and LIST, pipelined together when allowed.
  // Throws CommandError (account scope) when LIST is refused.
  Listing listing(bool want_uidl);

  // TOP n 0 for each number, pipelined. `on_header` is called in order with
  // the status and, for +OK, the header block (CRLF, unstuffed, cut at
  // `header_limit` bytes); for -ERR the header is empty.
  using HeaderCallback =
      std::function<void(std::uint32_t number, const Status& status, std::string_view header)>;
  void top_headers(const std::vector<std::uint32_t>& numbers, const HeaderCallback& on_header,
                   std::size_t header_limit = kDefaultHeaderLimit);

  // RETR n, the unstuffed CRLF message streamed into `sink`. On -ERR nothing
  // reaches the sink and the status says why.
  Status retrieve(std::uint32_t number, const BodySink& sink);

  // DELE for each number (pipelined); one status per number, in order. This
  // only marks messages: see commit_and_quit().
  std::vector<Status> mark_deleted(const std::vector<std::uint32_t>& numbers);
  bool deletions_pending() const { return deletions_pending_; }

  // QUIT: the server enters the UPDATE state and removes the marked messages.
  // Throws CommandError (account scope) on -ERR, which means the server did not
  // remove all of them (RFC 1939 6). The client is closed afterwards.
  Status commit_and_quit();

  bool usable() const { return usable_; }
  // How many commands with this verb ("TOP", "RETR", ...) this client has sent.
  std::uint64_t commands_sent(std::string_view verb) const;
  const std::map<std::string, std::uint64_t, std::less<>>& command_counts() const {
    return counts_;
  }

 private:
  struct Command {
    std::string line;
    bool multiline = false;
    BodySink body;
    std::function<void(const Status&)> done;
  };
  void run(std::vector<Command>& commands);
  void run_batch(std::vector<Command>& commands);
  Status run_one(std::string line, bool multiline, BodySink body = {});

  net::Connection& connection_;
  ClientOptions options_;
  Capabilities capabilities_;
  ResponseParser parser_;
  std::string input_;  // received, not yet parsed
  std::map<std::string, std::uint64_t, std::less<>> counts_;
  bool usable_ = true;
  bool deletions_pending_ = false;
};

}  // namespace mailferry::pop3
