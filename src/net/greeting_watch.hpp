// The greeting's own time limit during libcurl's login (internal to src/net).
//
// libcurl waits for a greeting as long as for any other answer, and ignores
// one of another protocol ("+OK" to an IMAP client) until that time is out:
// a wrong port used to cost a full timeout per try. The watch sees the lines
// libcurl reads (its debug callback) and is asked, from libcurl's progress
// callback (about once a second, and after every read), whether to stop: when
// the first line is not the protocol's greeting, or none came in time.
#pragma once

#include <chrono>
#include <string>

#include "mailferry/net/connection.hpp"
#include "mailferry/net/greeting.hpp"

namespace mailferry::net::detail {

class GreetingWatch {
 public:
  using Clock = std::chrono::steady_clock;

  GreetingWatch(Protocol protocol, std::chrono::milliseconds limit)
      : protocol_(protocol), limit_(limit), started_(Clock::now()) {}

  // A line the server sent (without its line end).
  void line(const std::string& text) {
    if (!first_line_.empty() || text.empty()) return;
    first_line_ = text;
    wrong_greeting_ = !greets_as(classify_greeting(first_line_), protocol_);
  }
  // Whether the login must stop now.
  bool should_stop(Clock::time_point now = Clock::now()) {
    if (!first_line_.empty()) return wrong_greeting_;
    timed_out_ = now - started_ >= limit_;
    return timed_out_;
  }

  const std::string& first_line() const { return first_line_; }
  // The protocol's own greeting came: what fails afterwards is not the port.
  bool greeted() const { return !first_line_.empty() && !wrong_greeting_; }
  bool timed_out() const { return timed_out_; }
  std::chrono::milliseconds limit() const { return limit_; }

 private:
  Protocol protocol_;
  std::chrono::milliseconds limit_;
  Clock::time_point started_;
  std::string first_line_;
  bool wrong_greeting_ = false;
  bool timed_out_ = false;
};

}  // namespace mailferry::net::detail
