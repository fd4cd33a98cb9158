// Errors and their scope.
//
// Every failure has a scope that decides what happens next (DESIGN.md, 7):
//   Message  - this message is reported and skipped; the run goes on.
//   Folder   - this folder is reported and skipped; other folders go on.
//   Account  - the job stops (login, connection, quota); other jobs go on.
//   Fatal    - the process stops (usage errors, bugs).
// Callers that can recover catch the typed exceptions below; main catches the rest once.
#pragma once

#include <stdexcept>
#include <string>

namespace mailferry::core {

enum class ErrorScope { Message, Folder, Account, Fatal };

const char* scope_name(ErrorScope scope);

// One line of the report: where it happened (file, folder, message) and what the
// server or the file said. Never holds a secret.
struct ErrorRecord {
  ErrorScope scope = ErrorScope::Message;
  std::string where;
  std::string message;
};

// Process exit codes (the README and the man page document them).
enum ExitCode : int {
  kExitComplete = 0,
  kExitPartial = 1,     // finished, but some messages failed (check: something is missing)
  kExitUsage = 2,       // usage or job-file error
  kExitConnection = 3,  // connection, TLS or login failure
  kExitSource = 4,      // source unreadable
  // Nothing failed, but a job was skipped: another mailferry process holds
  // its lock (sync/job_lock.hpp). Codes 1-4 take precedence over it.
  kExitLocked = 5,
};

class Error : public std::runtime_error {
 public:
  Error(ErrorScope scope, int exit_code, const std::string& what)
      : std::runtime_error(what), scope_(scope), exit_code_(exit_code) {}
  ErrorScope scope() const { return scope_; }
  int exit_code() const { return exit_code_; }

 private:
  ErrorScope scope_;
  int exit_code_;
};

// Bad command line or job file: nothing has started yet.
class UsageError : public Error {
 public:
  explicit UsageError(const std::string& what) : Error(ErrorScope::Fatal, kExitUsage, what) {}
};

// Connect, TLS, login, or a connection that broke and could not be resumed.
// `retryable` says whether trying again may help: a connection that broke or
// timed out, yes; a refused login or an untrusted certificate, no (retrying
// those only delays the error and can lock the account).
class ConnectionError : public Error {
 public:
  explicit ConnectionError(const std::string& what, bool retryable = true)
      : Error(ErrorScope::Account, kExitConnection, what), retryable_(retryable) {}
  bool retryable() const { return retryable_; }

 private:
  bool retryable_;
};

// A source that cannot be opened or read at all (file missing, not a PST, ...).
class SourceError : public Error {
 public:
  explicit SourceError(const std::string& what, ErrorScope scope = ErrorScope::Account)
      : Error(scope, kExitSource, what) {}
};

// The IMAP server refused something (NO/BAD); the scope says how far it reaches.
class ServerError : public Error {
 public:
  ServerError(ErrorScope scope, const std::string& what) : Error(scope, kExitPartial, what) {}
};

}  // namespace mailferry::core
