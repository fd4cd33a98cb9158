// A server's "slow down" answer, and how long to wait before asking again.
//
// An answer counts as throttled when it is a NO, BAD or BYE (never an OK:
// Gmail's "OK Success [THROTTLED]" means the command was done, only slowly)
// and any of these holds (case-insensitive):
//   - its response code is THROTTLED, or its text holds "[THROTTLED]" (Gmail
//     and Yahoo put the marker at the end; it is no registered IMAP code);
//   - its text holds "Request is throttled" or "Suggested Backoff Time"
//     (Microsoft 365 / Exchange Online, as NO or BAD, sometimes followed by
//     a BYE: "NO Request is throttled. Suggested Backoff Time: 92415
//     milliseconds");
//   - its text holds "Too many simultaneous connections" (Gmail, at login,
//     "NO [ALERT] Too many simultaneous connections. (Failure)"): the account
//     is over its connection limit; a wait lets other sessions end.
// Not throttled, on purpose: OVERQUOTA (Gmail's "Account exceeded command or
// bandwidth limits" is a daily allowance; waiting minutes cannot help, so it
// stays an account-scoped error for the next run), UNAVAILABLE, LIMIT.
//
// The suggested wait is the number after "Suggested Backoff Time" (unit
// milliseconds unless "s", "sec", "seconds", "min" or "minutes" follows);
// numbers past 24 hours are read as 24 hours, and the policy caps the wait.
//
// Pure functions, no I/O, no allocation beyond the returned strings.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "mailferry/core/retry.hpp"
#include "mailferry/imap/response.hpp"

namespace mailferry::imap {

struct ThrottleHint {
  // The wait the server suggested; nullopt when it named none.
  std::optional<std::chrono::milliseconds> suggested;
  // The server's words ("NO Request is throttled. ..."), at most 300
  // characters, for logs and reports.
  std::string words;
};

// A status response (tagged NO/BAD, untagged BYE) that says "throttled".
std::optional<ThrottleHint> throttle_hint(const Response& response);
// The same rules over a line of text that quotes the server, such as a
// refused login's error message (libcurl does the login; only its text is
// left). `words` is the whole text.
std::optional<ThrottleHint> throttle_hint_in_text(std::string_view text);

// How throttled answers are waited out. Copyable; the defaults are the
// product's.
struct ThrottlePolicy {
  // With no suggested wait: first_wait, doubled for each further throttled
  // answer in a row.
  std::chrono::milliseconds first_wait{std::chrono::seconds(30)};
  // No wait is longer, suggested or not.
  std::chrono::milliseconds max_wait{std::chrono::minutes(15)};
  // Throttled answers in a row that are waited out; the next one stops the
  // job (an account-scoped error with the server's words).
  int max_waits = 6;
  // Does the waiting; null: std::this_thread::sleep_for. Tests make it short.
  std::function<void(std::chrono::milliseconds)> sleep;

  // The wait after the `repeat`-th throttled answer in a row (from 1).
  std::chrono::milliseconds wait_for(const ThrottleHint& hint, int repeat) const;
  // The same limits as the shared retry policy, which counts throttled
  // answers in a row like any other loop's failures: max_waits attempts,
  // first_wait doubling up to max_wait, the same sleep. Only the length of
  // a wait the server suggested is this policy's own (wait_for).
  core::RetryPolicy retry_policy() const;
  void wait(std::chrono::milliseconds how_long) const;
};

// "92.4 s", "15 min", "50 ms": a wait for log lines.
std::string describe_wait(std::chrono::milliseconds how_long);

}  // namespace mailferry::imap
