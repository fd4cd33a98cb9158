// An in-memory POP3 server behind net::Connection, for unit tests of what a
// real server cannot be made to do on demand: no CAPA/UIDL/TOP, a connection
// that dies mid-RETR, a truncated answer, a wrong LIST size, a refused DELE or
// QUIT, an idle logout. It also measures how many commands the client had in
// flight at once. Answers are handed out in small pieces (`chunk` bytes) so the
// client's parser meets every split. The real-server tests are in
// tests/integration/pop3_*.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mailferry/core/error.hpp"
#include "mailferry/net/connection.hpp"

namespace mailferry::testing {

struct FakeMessage {
  std::string uid;
  std::string bytes;         // CRLF message as RETR delivers it (unstuffed)
  long list_size_delta = 0;  // LIST announces size + delta (a server that miscounts)
};

struct FakeFaults {
  bool capa = true;
  bool pipelining = true;
  bool uidl = true;
  bool top = true;
  std::uint32_t retr_fault_number = 0;  // RETR of this number is cut short...
  std::size_t retr_cut_bytes = 0;       // ...after this many wire bytes of the body,
  bool retr_cut_closes = true;          // then the connection dies (else: ".CRLF" follows)
  std::string quit_error;               // QUIT answers "-ERR <this>" and commits nothing
  std::string dele_error_uid;           // DELE of this message is refused
  int idle_logouts = 0;                 // this many next commands find the session dead
};

class FakePop3Server {
 public:
  std::vector<FakeMessage> mailbox;
  FakeFaults faults;
  std::vector<std::string> commands;  // every command line received, all sessions
  std::size_t max_in_flight = 0;
  std::size_t chunk = 7;
  int sessions = 0;

  std::unique_ptr<net::Connection> connect(const net::ConnectOptions& options);

  std::size_t count(std::string_view verb) const {
    return static_cast<std::size_t>(
        std::count_if(commands.begin(), commands.end(), [&](const std::string& c) {
          return c.compare(0, verb.size(), verb) == 0 &&
                 (c.size() == verb.size() || c[verb.size()] == ' ');
        }));
  }
  bool has(std::string_view uid) const {
    return std::any_of(mailbox.begin(), mailbox.end(),
                       [&](const FakeMessage& m) { return m.uid == uid; });
  }
};

namespace detail {

inline std::string stuffed(std::string_view message) {
  std::string out;
  bool line_start = true;
  for (char c : message) {
    if (line_start && c == '.') out += '.';
    out += c;
    line_start = c == '\n';
  }
  if (!message.empty() && !line_start) out += "\r\n";
  return out;
}

class FakeConnection final : public net::Connection {
 public:
  FakeConnection(FakePop3Server& server, net::ConnectOptions options)
      : server_(server),
        options_(std::move(options)),
        session_(server.mailbox),
        deleted_(server.mailbox.size(), false) {}

  std::size_t send_some(std::string_view data) override {
    if (closed_) throw core::ConnectionError("fake: connection reset by peer");
    input_.append(data);
    for (auto end = input_.find("\r\n"); end != std::string::npos && !closed_;
         end = input_.find("\r\n")) {
      std::string line = input_.substr(0, end);
      input_.erase(0, end + 2);
      command(line);
    }
    return data.size();
  }

  std::size_t receive_some(char* buffer, std::size_t capacity) override {
    if (output_.empty()) {
      if (closed_) throw core::ConnectionError("fake: the server closed the connection");
      return 0;
    }
    std::size_t n = std::min({capacity, server_.chunk, output_.size()});
    std::copy_n(output_.begin(), n, buffer);
    output_.erase(0, n);
    delivered_ += n;
    return n;
  }

  void wait(bool for_read, bool) override {
    if (for_read && output_.empty() && !closed_)
      throw core::ConnectionError("fake: the client waits for an answer that never comes");
  }

  const net::ConnectOptions& options() const override { return options_; }

 private:
  void answer(std::string text) {
    output_ += text;
    answered_ += text.size();
    ends_.push_back(answered_);
  }

  FakeMessage* message(const std::string& arg, std::uint32_t* number = nullptr) {
    std::uint32_t n = static_cast<std::uint32_t>(std::atoi(arg.c_str()));
    if (n == 0 || n > session_.size() || deleted_[n - 1]) return nullptr;
    if (number) *number = n;
    return &session_[n - 1];
  }

  void command(const std::string& line) {
    server_.commands.push_back(line);
    if (server_.faults.idle_logouts > 0) {
      --server_.faults.idle_logouts;
      closed_ = true;  // logged out while idle: the command is never answered
      return;
    }
    while (!ends_.empty() && ends_.front() <= delivered_) ends_.pop_front();
    server_.max_in_flight = std::max(server_.max_in_flight, ends_.size() + 1);

    std::string verb = line.substr(0, line.find(' '));
    std::string arg = line.size() > verb.size() ? line.substr(verb.size() + 1) : "";
    const auto& f = server_.faults;
    if (verb == "CAPA") {
      if (!f.capa) return answer("-ERR unknown command\r\n");
      std::string caps = "+OK Capability list follows\r\nUSER\r\nRESP-CODES\r\n";
      if (f.top) caps += "TOP\r\n";
      if (f.uidl) caps += "UIDL\r\n";
      if (f.pipelining) caps += "PIPELINING\r\n";
      return answer(caps + ".\r\n");
    }
    if (verb == "UIDL" && f.uidl) {
      std::string out = "+OK\r\n";
      for (std::size_t i = 0; i < session_.size(); ++i)
        if (!deleted_[i]) out += std::to_string(i + 1) + " " + session_[i].uid + "\r\n";
      return answer(out + ".\r\n");
    }
    if (verb == "LIST") {
      std::string out = "+OK\r\n";
      for (std::size_t i = 0; i < session_.size(); ++i)
        if (!deleted_[i])
          out += std::to_string(i + 1) + " " +
                 std::to_string(static_cast<long>(session_[i].bytes.size()) +
                                session_[i].list_size_delta) +
                 "\r\n";
      return answer(out + ".\r\n");
    }
    if (verb == "TOP" && f.top) {
      auto* m = message(arg);
      if (!m) return answer("-ERR no such message\r\n");
      auto end = m->bytes.find("\r\n\r\n");
      std::string header = end == std::string::npos ? m->bytes : m->bytes.substr(0, end + 4);
      return answer("+OK\r\n" + stuffed(header) + ".\r\n");
    }
    if (verb == "RETR") {
      std::uint32_t n = 0;
      auto* m = message(arg, &n);
      if (!m) return answer("-ERR [SYS/PERM] no such message\r\n");
      std::string body = stuffed(m->bytes);
      if (n == f.retr_fault_number) {
        body = body.substr(0, f.retr_cut_bytes);
        if (f.retr_cut_closes) {
          output_ += "+OK\r\n" + body;
          closed_ = true;
          return;
        }
        if (!body.empty() && body.back() != '\n') body += "\r\n";
      }
      return answer("+OK " + std::to_string(m->bytes.size()) + " octets\r\n" + body + ".\r\n");
    }
    if (verb == "DELE") {
      std::uint32_t n = 0;
      auto* m = message(arg, &n);
      if (!m) return answer("-ERR no such message\r\n");
      if (m->uid == f.dele_error_uid) return answer("-ERR [SYS/PERM] cannot delete that one\r\n");
      deleted_[n - 1] = true;
      return answer("+OK marked\r\n");
    }
    if (verb == "NOOP") return answer("+OK\r\n");
    if (verb == "QUIT") {
      if (!f.quit_error.empty()) {
        answer("-ERR " + f.quit_error + "\r\n");
      } else {
        for (std::size_t i = 0; i < session_.size(); ++i)
          if (deleted_[i]) {
            auto& box = server_.mailbox;
            box.erase(
                std::remove_if(box.begin(), box.end(),
                               [&](const FakeMessage& m) { return m.uid == session_[i].uid; }),
                box.end());
          }
        answer("+OK bye\r\n");
      }
      closed_ = true;
      return;
    }
    answer("-ERR unknown command\r\n");
  }

  FakePop3Server& server_;
  net::ConnectOptions options_;
  std::vector<FakeMessage> session_;  // the maildrop as this session sees it
  std::vector<bool> deleted_;
  std::string input_, output_;
  std::deque<std::size_t> ends_;  // where each answer ends, in bytes sent
  std::size_t answered_ = 0, delivered_ = 0;
  bool closed_ = false;
};

}  // namespace detail

inline std::unique_ptr<net::Connection> FakePop3Server::connect(
    const net::ConnectOptions& options) {
  ++sessions;
  return std::make_unique<detail::FakeConnection>(*this, options);
}

}  // namespace mailferry::testing
