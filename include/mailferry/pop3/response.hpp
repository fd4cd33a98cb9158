// POP3 status lines (+OK / -ERR) and their RFC 2449 / RFC 3206 response codes.
//
// A status line is the first line of every POP3 response. After "-ERR" (and
// rarely "+OK") a server that announces RESP-CODES may put a bracketed code
// before its human text: "-ERR [IN-USE] Mailbox is locked by another client".
// The code tells the client what kind of failure it is; the text is for people.
#pragma once

#include <string>
#include <string_view>

#include "mailferry/core/error.hpp"

namespace mailferry::pop3 {

// The response codes this project reacts to; anything else is Other.
enum class ResponseCode {
  None,        // no code
  InUse,       // [IN-USE]: the maildrop is locked by another session (RFC 2449)
  LoginDelay,  // [LOGIN-DELAY]: logged in too soon after the last login (RFC 2449)
  SysTemp,     // [SYS/TEMP]: temporary server problem, try later (RFC 3206)
  SysPerm,     // [SYS/PERM]: permanent server problem (RFC 3206)
  Auth,        // [AUTH]: credentials refused (RFC 3206)
  Other,
};

struct Status {
  bool ok = false;
  std::string code;  // the code as sent, without brackets ("IN-USE", "SYS/TEMP"); may be empty
  std::string text;  // the server's words after the code

  ResponseCode code_kind() const;
  // "-ERR [IN-USE] Mailbox is locked": what reports quote.
  std::string describe() const;
};

// Classifies a code by its first hierarchy level ("SYS/TEMP/DISK" counts as SysTemp).
ResponseCode classify_code(std::string_view code);

// Parses one status line without its CRLF. Throws ProtocolError when the line
// is neither "+OK..." nor "-ERR...".
Status parse_status_line(std::string_view line);

// The server said something that is not POP3: the session cannot be trusted
// any more and is dropped. A ConnectionError, so it has account scope.
class ProtocolError : public core::ConnectionError {
 public:
  explicit ProtocolError(const std::string& what) : core::ConnectionError(what) {}
};

// A -ERR answer where the caller needed +OK, with the server's words and code.
// The thrower chooses the scope: account for LIST, message for RETR.
class CommandError : public core::SourceError {
 public:
  CommandError(std::string command, Status status, core::ErrorScope scope);
  const Status& status() const { return status_; }
  const std::string& command() const { return command_; }

 private:
  std::string command_;
  Status status_;
};

}  // namespace mailferry::pop3
