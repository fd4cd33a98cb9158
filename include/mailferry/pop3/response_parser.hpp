// Incremental parser of POP3 responses.
//
// Feed it whatever bytes arrived; it stops exactly at the end of the current
// response and says how much it consumed, so the rest (pipelined answers) is
// fed to the next response. It can stop and resume at any byte: a status line,
// a byte-stuffed line or the "CRLF.CRLF" terminator may be split across reads.
//
// Multi-line bodies are delivered as a stream, already dot-unstuffed (RFC 1939
// 3: a line starting with the termination octet loses that octet), with CRLF
// line ends (a bare LF from a sloppy server becomes CRLF, so the bytes are
// always what an IMAP literal needs). Nothing of a body is buffered by the
// parser beyond the current feed() call.
//
// Errors: ProtocolError for a status line that is not +OK/-ERR or is longer
// than the limit. Not thread-safe; one parser per connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "mailferry/pop3/response.hpp"

namespace mailferry::pop3 {

// Receives body bytes; called at most once per feed() with everything that
// feed() decoded. The view is valid only during the call.
using BodySink = std::function<void(std::string_view)>;

class ResponseParser {
 public:
  static constexpr std::size_t kMaxStatusLine = 64 * 1024;

  // Starts the next response. `multiline`: a +OK answer is followed by a
  // dot-terminated block (CAPA, UIDL, LIST, TOP, RETR); -ERR never is.
  void start(bool multiline);

  // Consumes bytes of the current response from `input` and returns how many
  // it took; stops at the end of the response (complete() turns true).
  std::size_t feed(std::string_view input, const BodySink& body);

  bool complete() const { return state_ == State::Complete; }
  // Valid once the status line has been read (always when complete()).
  const Status& status() const { return status_; }
  bool status_known() const { return state_ != State::StatusLine && state_ != State::Idle; }
  // Unstuffed body bytes delivered so far for this response.
  std::uint64_t body_bytes() const { return body_bytes_; }

 private:
  enum class State {
    Idle,        // no response started
    StatusLine,  // collecting the first line
    LineStart,   // at the start of a body line
    Dot,         // saw '.' at the start of a line
    DotCR,       // saw ".\r" at the start of a line
    InLine,      // inside a body line
    CR,          // saw '\r' inside a line
    Complete,
  };

  void finish_status_line();
  void line_char(char c);
  void cr_char(char c);

  State state_ = State::Idle;
  bool multiline_ = false;
  std::string line_;  // partial status line
  std::string out_;   // decoded bytes of the current feed()
  Status status_;
  std::uint64_t body_bytes_ = 0;
};

}  // namespace mailferry::pop3
