// A scripted one-folder IMAP account (INBOX) behind FakeConnections, and a
// sync of numbered messages into it through the executor and ImapTarget: for
// tests of answers a real server cannot be made to give on cue (throttling,
// refusals, BYE, creation races).
//
// Each hook may answer the Nth such command (counted over all connections,
// from 1) in place of the account's normal answer; empty: answer normally.
// An answer holding "* BYE" ends that session.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "imap_fake_server.hpp"
#include "mailferry/sync/executor.hpp"
#include "mailferry/sync/journal.hpp"
#include "mailferry/target/imap_target.hpp"
#include "support/numbered_messages.hpp"
#include "support/temp_dir.hpp"

namespace mailferry::testing::imap_fake {

// The prefix of the numbered messages (testing::numbered_message) synced.
inline const std::string kScriptedPrefix = "s";

inline std::string scripted_message(int n) { return numbered_message(n, kScriptedPrefix); }

// The messages of an APPEND command as the fake server saw it (literals
// inlined): each "{n}\r\n" or "{n+}\r\n" is followed by n bytes of message.
inline std::vector<std::string> appended_messages(const std::string& command) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  for (;;) {
    const std::size_t open = command.find('{', pos);
    if (open == std::string::npos) return out;
    const std::size_t close = command.find("}\r\n", open);
    const std::size_t n = std::stoul(command.substr(open + 1, close - open - 1));
    out.push_back(command.substr(close + 3, n));
    pos = close + 3 + n;
  }
}

struct Account {
  using Clock = std::chrono::steady_clock;
  using Hook = std::function<std::string(int n, const std::string& tag)>;

  std::string capabilities = "IMAP4rev1 LITERAL+ UIDPLUS";
  Inbox inbox;  // UID, bytes
  std::uint32_t next_uid = 1;
  int appends = 0, selects = 0, fetches = 0, connections = 0;
  std::vector<Clock::time_point> append_times;
  Hook on_append = [](int, const std::string&) { return std::string(); };
  Hook on_select = [](int, const std::string&) { return std::string(); };
  // Gets the normal FETCH lines, so it can answer with part of them.
  std::function<std::string(int n, const std::string& tag, const std::string& lines)> on_fetch =
      [](int, const std::string&, const std::string&) { return std::string(); };

  int copies_of(int n) const {
    int copies = 0;
    for (const auto& [uid, bytes] : inbox) copies += bytes == scripted_message(n);
    return copies;
  }

  std::shared_ptr<Server> connect() {
    auto server = std::make_shared<Server>();
    server->capabilities = capabilities;
    server->hang_up_after_bye = true;
    ++connections;
    auto gone = std::make_shared<bool>(false);  // this session said BYE
    server->answer = [this, gone](const std::string& tag,
                                  const std::string& command) -> std::string {
      if (*gone) return "";
      auto special = [&](std::string text) {
        if (text.find("* BYE") != std::string::npos) *gone = true;
        return text;
      };
      if (command.rfind("LIST", 0) == 0)
        return "* LIST (\\HasNoChildren) \"/\" INBOX\r\n" + tag + " OK done\r\n";
      if (command.rfind("SELECT", 0) == 0 || command.rfind("EXAMINE", 0) == 0) {
        if (auto text = on_select(++selects, tag); !text.empty()) return special(text);
        return select_answer(inbox, next_uid, tag);
      }
      if (command.rfind("UID FETCH", 0) == 0) {
        const std::string lines = index_fetch_lines(inbox, command);
        if (auto text = on_fetch(++fetches, tag, lines); !text.empty()) return special(text);
        return lines + tag + " OK done\r\n";
      }
      if (command.rfind("STATUS", 0) == 0) return status_answer(inbox, next_uid, tag);
      if (command.rfind("APPEND", 0) == 0) {
        append_times.push_back(Clock::now());
        if (auto text = on_append(++appends, tag); !text.empty()) return special(text);
        const std::uint32_t first = next_uid;
        for (auto& bytes : appended_messages(command)) inbox.emplace_back(next_uid++, bytes);
        const std::string uids = first + 1 == next_uid
                                     ? std::to_string(first)
                                     : std::to_string(first) + ":" + std::to_string(next_uid - 1);
        return tag + " OK [APPENDUID 9 " + uids + "] done\r\n";
      }
      return tag + " OK done\r\n";
    };
    return server;
  }
};

struct ScriptedSync {
  net::ConnectOptions connect;  // host "fake", user "u"
  target::ImapTarget::Tuning tuning;
  int reconnect_attempts = 3;
  // Called before each connection the target opens (from 1).
  std::function<void(int attempt)> before_connect;
};

// Syncs numbered messages 1..messages into the account, with a journal, short
// reconnect delays and settle wait. An error the executor throws (a refused
// login) is in the report, as the CLI would put it.
inline sync::JobReport sync_into(Account& account, int messages, ScriptedSync how = {}) {
  TempDir dir;
  sync::StateStore state(dir.file("state.db"));
  sync::Journal journal(state, "scripted");
  if (how.connect.host.empty()) how.connect.host = "fake";
  if (how.connect.user.empty()) how.connect.user = "u";
  NumberedMessages source(messages, kScriptedPrefix);
  sync::JobReport report;
  int attempts = 0;
  try {
    target::ImapTarget target(how.connect, how.tuning, [&](const net::ConnectOptions&) {
      if (how.before_connect) how.before_connect(++attempts);
      return std::make_unique<FakeConnection>(account.connect());
    });
    sync::ExecutorOptions options;
    options.mapping.single_folder_source = true;
    options.journal = &journal;
    options.reconnects.attempts = how.reconnect_attempts;
    options.reconnects.first_delay = std::chrono::milliseconds(1);
    options.reconnects.max_delay = std::chrono::milliseconds(4);
    options.settle_quiet = std::chrono::milliseconds(10);
    report = sync::Executor(source, target, options).run();
  } catch (const core::Error& e) {
    report.add_error({e.scope(), "connect", e.what()}, e.exit_code());
  }
  return report;
}

// The job ended complete, without an error, and the account holds each of
// messages 1..count exactly once.
inline void check_each_stored_once(const sync::JobReport& report, const Account& account,
                                   int count) {
  CHECK(report.exit_code == core::kExitComplete);
  CHECK(report.errors.empty());
  for (int n = 1; n <= count; ++n) CHECK(account.copies_of(n) == 1);
}

inline bool has_error(const sync::JobReport& report, core::ErrorScope scope,
                      const std::string& words) {
  for (const auto& e : report.errors)
    if (e.scope == scope && e.message.find(words) != std::string::npos) return true;
  return false;
}

}  // namespace mailferry::testing::imap_fake
