// An in-memory IMAP server behind net::Connection, for unit tests of what
// the test Dovecot cannot be made to do on demand (no LITERAL+, refusals at
// the continuation, quota, odd capabilities). It splits the client's bytes
// into commands with literals inlined, answers each through `answer`, hands
// answers out in small pieces, and measures pipelining depth.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "mailferry/core/error.hpp"
#include "mailferry/net/connection.hpp"
#include "mailferry/source/source.hpp"

namespace mailferry::testing::imap_fake {

// The server side: splits the client's bytes into commands (literals inlined),
// answers each through `answer`, and checks the literal protocol.
struct Server {
  std::string capabilities = "IMAP4rev1";
  std::vector<std::string> commands;  // "TAG VERB args" with literal bytes inlined
  std::vector<std::size_t> send_sizes;
  std::string sent;
  std::string to_client;
  std::size_t delivered = 0;         // bytes of to_client the client has read
  std::size_t read_piece = 5;        // hand out answers in small pieces
  bool literal_before_plus = false;  // a synchronizing literal's bytes came too early
  bool closed = false;               // the client closed the connection
  bool hang_up_after_bye = false;
  // Optional: answer to a synchronizing literal marker; empty means "+ go ahead".
  std::function<std::string(const std::string& tag, const std::string& line)> on_marker;
  // Answers a complete command; the default answers "TAG OK done".
  std::function<std::string(const std::string& tag, const std::string& command)> answer;
  // Pipelining depth as the server sees it.
  std::vector<std::size_t> answer_ends;  // where in to_client each tagged answer ends
  std::size_t max_outstanding = 0;

  // parser state
  std::size_t pos = 0;
  std::string command;
  std::uint64_t literal_left = 0;
  bool in_literal = false;
  std::size_t plus_end = 0;  // to_client offset after the last "+"
  bool literal_sync = false;

  void queue(const std::string& text) { to_client += text; }

  void process() {
    for (;;) {
      if (in_literal) {
        std::size_t take = std::min<std::size_t>(literal_left, sent.size() - pos);
        if (take > 0 && literal_sync && delivered < plus_end) literal_before_plus = true;
        command.append(sent, pos, take);
        pos += take;
        literal_left -= take;
        if (literal_left > 0) return;
        in_literal = false;
        continue;
      }
      std::size_t eol = sent.find("\r\n", pos);
      if (eol == std::string::npos) return;
      std::string line = sent.substr(pos, eol - pos);
      pos = eol + 2;
      std::string tag =
          command.empty() ? line.substr(0, line.find(' ')) : command.substr(0, command.find(' '));
      command += line;
      if (!line.empty() && line.back() == '}') {
        std::size_t open = line.rfind('{');
        std::string n = line.substr(open + 1, line.size() - open - 2);
        literal_sync = n.back() != '+';
        if (!literal_sync) n.pop_back();
        literal_left = std::stoull(n);
        if (literal_sync) {
          std::string refusal = on_marker ? on_marker(tag, line) : "";
          if (!refusal.empty()) {  // the command ends here
            commands.push_back(command);
            command.clear();
            queue(refusal);
            answer_ends.push_back(to_client.size());
            continue;
          }
          queue("+ go ahead\r\n");
          plus_end = to_client.size();
        }
        command += "\r\n";
        in_literal = true;
        continue;
      }
      commands.push_back(command);
      std::size_t outstanding = 1;
      for (std::size_t end : answer_ends) outstanding += end > delivered ? 1 : 0;
      max_outstanding = std::max(max_outstanding, outstanding);
      std::string verb = command.substr(tag.size() + 1);
      command.clear();
      if (verb == "CAPABILITY") {
        queue("* CAPABILITY " + capabilities + "\r\n" + tag + " OK done\r\n");
      } else if (verb == "LOGOUT") {
        queue("* BYE bye\r\n" + tag + " OK done\r\n");
      } else {
        queue(answer ? answer(tag, verb) : tag + " OK done\r\n");
      }
      answer_ends.push_back(to_client.size());
    }
  }
};

class FakeConnection final : public net::Connection {
 public:
  explicit FakeConnection(std::shared_ptr<Server> server) : server_(std::move(server)) {
    options_.host = "fake";
    options_.port = 993;
  }
  ~FakeConnection() override { server_->closed = true; }

  std::size_t send_some(std::string_view data) override {
    server_->sent += data;
    server_->send_sizes.push_back(data.size());
    server_->process();
    return data.size();
  }
  std::size_t receive_some(char* buffer, std::size_t capacity) override {
    Server& s = *server_;
    if (s.delivered == s.to_client.size()) {
      if (s.hang_up_after_bye && s.to_client.find("* BYE") != std::string::npos)
        throw core::ConnectionError("fake: the server closed the connection");
      return 0;
    }
    std::size_t n = std::min({capacity, s.read_piece, s.to_client.size() - s.delivered});
    s.to_client.copy(buffer, n, s.delivered);
    s.delivered += n;
    return n;
  }
  void wait(bool, bool for_write) override {
    if (for_write || server_->delivered < server_->to_client.size()) return;
    throw core::ConnectionError("fake: the client waits for an answer that will never come");
  }
  const net::ConnectOptions& options() const override { return options_; }

 private:
  std::shared_ptr<Server> server_;
  net::ConnectOptions options_;
};

// A message body that can fail or lie about its size.
class Body final : public core::BodyReader {
 public:
  Body(std::string bytes, std::size_t fail_after = std::string::npos)
      : bytes_(std::move(bytes)), fail_after_(fail_after) {}
  std::size_t read(char* buffer, std::size_t capacity) override {
    if (pos_ >= fail_after_) throw core::SourceError("disk error", core::ErrorScope::Message);
    std::size_t n = std::min({capacity, bytes_.size() - pos_, fail_after_ - pos_});
    bytes_.copy(buffer, n, pos_);
    pos_ += n;
    return n;
  }

 private:
  std::string bytes_;
  std::size_t pos_ = 0;
  std::size_t fail_after_;
};

// Answers by the start of the command (after the tag), the longest prefix
// that matches; unknown commands get OK.
using Script = std::map<std::string, std::function<std::string(const std::string& tag)>>;

inline std::shared_ptr<Server> scripted(const std::string& capabilities, Script script) {
  auto server = std::make_shared<Server>();
  server->capabilities = capabilities;
  server->answer = [script](const std::string& tag, const std::string& command) {
    std::string best;
    for (const auto& [prefix, _] : script)
      if (command.rfind(prefix, 0) == 0 && prefix.size() > best.size()) best = prefix;
    if (!best.empty()) return script.at(best)(tag);
    return tag + " OK done\r\n";
  };
  return server;
}

// Answers of a scripted one-folder account (INBOX, UIDVALIDITY 9) whose
// messages are `inbox`: (UID, bytes) in UID order.
using Inbox = std::vector<std::pair<std::uint32_t, std::string>>;

inline std::string select_answer(const Inbox& inbox, std::uint32_t next_uid,
                                 const std::string& tag) {
  return "* " + std::to_string(inbox.size()) +
         " EXISTS\r\n* OK [PERMANENTFLAGS (\\Seen \\*)] ok\r\n* OK [UIDVALIDITY 9] ok\r\n"
         "* OK [UIDNEXT " +
         std::to_string(next_uid) + "] ok\r\n" + tag + " OK [READ-WRITE] done\r\n";
}

inline std::string status_answer(const Inbox& inbox, std::uint32_t next_uid,
                                 const std::string& tag) {
  return "* STATUS INBOX (MESSAGES " + std::to_string(inbox.size()) + " UIDNEXT " +
         std::to_string(next_uid) + " UIDVALIDITY 9)\r\n" + tag + " OK done\r\n";
}

// The untagged FETCH lines for a UID FETCH of the index: every message with
// the header section the command asked for (each header echoed whole).
inline std::string index_fetch_lines(const Inbox& inbox, const std::string& command) {
  const auto open = command.find("BODY.PEEK[");
  const auto close = command.find(']', open);
  const std::string section = command.substr(open + 10, close - open - 10);
  std::string lines;
  std::size_t seq = 0;
  for (const auto& [uid, bytes] : inbox) {
    const std::string header = bytes.substr(0, bytes.find("\r\n\r\n") + 4);
    lines += "* " + std::to_string(++seq) + " FETCH (UID " + std::to_string(uid) +
             " FLAGS (\\Seen) RFC822.SIZE " + std::to_string(bytes.size()) +
             " INTERNALDATE \"13-Sep-2020 12:26:40 +0000\" BODY[" + section + "] {" +
             std::to_string(header.size()) + "}\r\n" + header + ")\r\n";
  }
  return lines;
}

}  // namespace mailferry::testing::imap_fake
