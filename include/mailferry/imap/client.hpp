// A pipelining IMAP client over an authenticated net::Connection.
//
// Commands wait in a queue and go out as soon as fewer than
// Options::max_in_flight are unanswered, many per write. Literals use LITERAL+
// (or LITERAL- up to 4096 bytes) when the server offers it, else the client
// waits for the server's "+" before the literal's bytes, holding back the
// commands behind it. Message bodies are pulled from their BodyReader in
// chunks while responses keep being read, so neither side can stall the
// other, and no body is ever held whole.
//
// Untagged responses go to the handler set with on_untagged(); each command's
// tagged answer goes to its Done callback, in the order the server sends them.
//
// Errors: core::ConnectionError when the connection breaks, times out
// (Connection's timeout, per wait) or the server sends something that is not
// IMAP; the client is then unusable. A body that fails to read after its
// literal has begun cannot be taken back: the command gets a local failure,
// the client waits for the answers to the commands sent before it, closes the
// connection (so the server discards the partial message) and discards the
// commands still queued (their Done is not called); drain() then returns false.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "mailferry/imap/command.hpp"
#include "mailferry/imap/parser.hpp"
#include "mailferry/imap/response.hpp"
#include "mailferry/net/connection.hpp"

namespace mailferry::imap {

class Capabilities {
 public:
  void assign(const std::vector<Value>& atoms);
  bool has(std::string_view name) const;  // case-insensitive: "LITERAL+", "UIDPLUS"
  // The number of a "NAME=n" capability ("APPENDLIMIT=35651584"); nullopt if absent.
  std::optional<std::uint64_t> number(std::string_view name) const;
  bool empty() const { return names_.empty(); }
  std::string joined() const;

 private:
  std::set<std::string> names_;  // upper-cased
};

// How a command ended: the server's tagged response, or a local failure
// (local_error non-empty; the server never completed the command).
struct Completion {
  Response response;
  std::string local_error;
  // With a local error from a message body: which Body part of the command
  // (counting Body parts only, from 0) could not be read. The command's other
  // bodies never reached the server: either nothing of the command went out,
  // or the connection was closed (see above).
  std::optional<std::size_t> failed_body;
  bool ok() const { return local_error.empty() && response.status == Status::Ok; }
  // For messages: the server's text with its response code, or the local error.
  std::string describe() const;
};

class Client {
 public:
  struct Options {
    std::size_t max_in_flight = 64;
    std::size_t chunk_size = 64 * 1024;  // body bytes read and sent per step
  };
  using Done = std::function<void(const Completion&)>;
  using UntaggedHandler = std::function<void(Response&)>;
  using LiteralHandler = std::function<void(std::string_view chunk)>;

  Client(std::unique_ptr<net::Connection> connection, Options options);
  explicit Client(std::unique_ptr<net::Connection> connection)
      : Client(std::move(connection), Options{}) {}
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Asks for CAPABILITY (after login, the list libcurl saw may be stale).
  void refresh_capabilities();
  const Capabilities& capabilities() const { return capabilities_; }

  // Untagged responses (FETCH, LIST, EXISTS, ...) go here; null: dropped.
  void on_untagged(UntaggedHandler handler) { untagged_ = std::move(handler); }
  // The pieces of a literal too big to buffer (over 1 MiB: a message body),
  // in order, before the response that holds it reaches on_untagged() with
  // that literal marked `streamed`. Null: the pieces are dropped.
  void on_literal_chunk(LiteralHandler handler) { literal_chunk_ = std::move(handler); }

  // Queues a command; nothing is sent until drain(), drain_to() or run().
  void submit(Command command, Done done);
  // Sends and reads until every queued command is answered. Returns false
  // when the connection was closed after a body failed mid-literal (see above).
  bool drain();
  // Sends and reads until at most `pending` commands are queued or unanswered.
  bool drain_to(std::size_t pending);
  // Drops the commands that have not started to go out (Done not called).
  std::size_t cancel_queued();
  // Submits one command and waits for its answer (earlier commands finish first).
  Completion run(Command command);

  // False after the connection was closed or lost.
  bool usable() const { return connection_ != nullptr; }
  // The text of the server's untagged BYE, once it sent one (the connection
  // is then about to close); empty before.
  const std::string& goodbye() const { return bye_; }
  // True when no command is queued, being sent, or waiting for its answer.
  bool idle() const { return queued_.empty() && in_flight_.empty() && !active_; }
  // Best effort LOGOUT with a short wait for the answer; then closes. Never throws.
  void logout() noexcept;
  const std::string& display() const { return display_; }

 private:
  struct Entry;

  bool pump(const std::function<bool()>& until);
  bool write_step();
  void fill();
  bool read_step();
  void dispatch(Response& response);
  void start_next();
  void begin_literal_data();
  void finish_active();
  void body_failed(const std::string& why);  // called from fill()
  void drop_after_body_failure();
  std::string literal_marker(std::uint64_t size);
  [[noreturn]] void lost(const std::string& why);
  void check_usable() const;

  std::unique_ptr<net::Connection> connection_;
  Options options_;
  std::string display_;
  Capabilities capabilities_;
  UntaggedHandler untagged_;
  LiteralHandler literal_chunk_;
  ResponseParser parser_;
  std::uint64_t next_tag_ = 1;
  std::string bye_;              // the server's BYE text, for the error when it then closes
  bool noted_slowdown_ = false;  // "OK ... [THROTTLED]" was logged once

  std::deque<std::shared_ptr<Entry>> queued_;
  std::deque<std::shared_ptr<Entry>> in_flight_;

  // The writer: the command being written, where it is, and bytes not yet sent.
  std::shared_ptr<Entry> active_;
  std::size_t part_ = 0;          // next part of active_
  bool literal_pending_ = false;  // a literal's marker is out, its data not yet
  bool awaiting_plus_ = false;    // a synchronizing literal waits for "+"
  bool in_body_ = false;          // streaming a Body part
  std::unique_ptr<core::BodyReader> reader_;
  std::string first_chunk_;  // read before the command starts, so a source
                             // that cannot be read costs nothing on the wire
  std::uint64_t body_left_ = 0;
  std::string out_;
  std::size_t out_pos_ = 0;
  std::size_t active_start_ = 0;  // where active_'s bytes begin in out_
  bool active_partly_sent_ = false;
  bool dropped_ = false;

  std::vector<char> in_buffer_;
  std::string_view in_view_;
};

}  // namespace mailferry::imap
