// Fuzz target: the IMAP target (target/imap_target.hpp) and its pipelining
// client (imap/client.hpp) talking to a server whose every byte is the
// fuzzer's: CAPABILITY, LIST with roles, NAMESPACE, SELECT/EXAMINE data,
// FETCH of the index, APPEND answers with APPENDUID, BYE, reconnects.
//
// Input: what the server sends (all connections one after another), read in
// pieces of 1 to 64 bytes; when it runs out the server has hung up and no
// further connection succeeds. Invariants checked, beyond "no crash":
//  - the only failures are core::Error, never another exception and never an
//    endless loop;
//  - the client never sends without end and never waits or spins without end
//    on a silent server;
//  - an indexed message has a key; an appended message's outcome is reported
//    at most once, and a failure says why.
// Set MAILFERRY_FUZZ_TRACE=1 to print what the client sends (for seeds).
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "mailferry/core/error.hpp"
#include "mailferry/core/log.hpp"
#include "mailferry/net/connection.hpp"
#include "mailferry/source/memory_body.hpp"
#include "mailferry/target/imap_target.hpp"

namespace {

using namespace mailferry;

struct Script {
  std::string_view rest;
  std::string sent;
  int connections = 0;
};

// A tagged line ("m7 OK ...") at the start of a line: what a command waits for.
bool starts_tagged_line(std::string_view text) {
  return !text.empty() && text.front() != '*' && text.front() != '+';
}

// Plays the script as a server would: it speaks only while a command is
// unanswered (a tagged line answers one), so a pipelining client meets the
// answers in a realistic order.
class ScriptedServer final : public net::Connection {
 public:
  ScriptedServer(Script& script, const net::ConnectOptions& options)
      : script_(script), options_(options) {}

  std::size_t send_some(std::string_view data) override {
    for (char c : data) {
      if (command_start_ && c != '\r' && c != '\n') ++commands_;
      command_start_ = c == '\n';
    }
    script_.sent.append(data);
    FUZZ_CHECK(script_.sent.size() < (1u << 24), "the client does not send without end");
    return data.size();
  }
  std::size_t receive_some(char* buffer, std::size_t capacity) override {
    if (script_.rest.empty() || held_back()) return 0;  // wait() decides what that means
    FUZZ_CHECK(++receives_ < 1'000'000, "the client does not spin on a silent server");
    // Piece sizes follow the bytes, so splits land everywhere; a piece never
    // runs past its line (or literal), so what follows can be held back.
    std::size_t n = 1 + static_cast<unsigned char>(script_.rest.front()) % 64;
    if (literal_left_ > 0) {
      n = static_cast<std::size_t>(std::min<std::uint64_t>(n, literal_left_));
    } else {
      const std::size_t lf = script_.rest.find('\n');
      if (lf != std::string_view::npos) n = std::min(n, lf + 1);
    }
    n = std::min({n, capacity, script_.rest.size()});
    std::copy_n(script_.rest.data(), n, buffer);
    const std::string_view piece = script_.rest.substr(0, n);
    script_.rest.remove_prefix(n);
    if (literal_left_ > 0) {
      literal_left_ -= n;
      if (literal_left_ == 0) line_ = "{literal}";  // the response line goes on after it
      return n;
    }
    if (line_.empty() && starts_tagged_line(piece)) ++answers_;
    line_.append(piece);
    if (line_.back() == '\n') {
      literal_left_ = literal_size(line_);
      line_.clear();
    }
    return n;
  }
  void wait(bool for_read, bool for_write) override {
    FUZZ_CHECK(++waits_ < 1'000'000, "the client does not wait without end");
    if (!for_read || for_write) return;
    if (script_.rest.empty())
      throw core::ConnectionError("fuzz.invalid: the server closed the connection");
    if (held_back()) throw core::ConnectionError("fuzz.invalid: timed out waiting for the server");
  }
  bool wait_for(bool, bool, std::chrono::milliseconds) override {
    return !script_.rest.empty() && !held_back();
  }
  const net::ConnectOptions& options() const override { return options_; }

 private:
  // Every line the client sent counts as a command (literal lines slightly
  // over-count, which only lets an answer through early).
  bool held_back() const { return line_.empty() && literal_left_ == 0 && answers_ >= commands_; }

  // "... {12}\r\n": the size of the literal that follows the line, else 0.
  static std::uint64_t literal_size(std::string_view line) {
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    if (line.empty() || line.back() != '}') return 0;
    const std::size_t open = line.rfind('{');
    if (open == std::string_view::npos) return 0;
    std::uint64_t size = 0;
    for (char c : line.substr(open + 1, line.size() - open - 2)) {
      if (c < '0' || c > '9' || size > (1u << 30)) return 0;
      size = size * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return size;
  }

  Script& script_;
  net::ConnectOptions options_;
  bool command_start_ = true;
  std::string line_;                // the server line being released
  std::uint64_t literal_left_ = 0;  // literal bytes to release without looking
  std::uint64_t commands_ = 0, answers_ = 0;
  std::uint64_t receives_ = 0, waits_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  core::set_log_level(core::LogLevel::Quiet);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Script script{std::string_view(reinterpret_cast<const char*>(data), size), {}, 0};
  net::ConnectOptions options;
  options.host = "fuzz.invalid";
  options.user = "fuzz";
  auto connect = [&](const net::ConnectOptions& o) -> std::unique_ptr<net::Connection> {
    if (script.rest.empty() || ++script.connections > 4)
      throw core::ConnectionError("fuzz.invalid: connection refused");
    return std::make_unique<ScriptedServer>(script, o);
  };
  target::ImapTarget::Tuning tuning;
  tuning.max_in_flight = 4;
  tuning.batch_messages = 2;
  // Throttled answers are waited out for real in the product (30 s and more);
  // here no time passes, but no wait may go past the policy's cap.
  const std::chrono::milliseconds max_wait = tuning.throttle.max_wait;
  tuning.throttle.sleep = [max_wait](std::chrono::milliseconds how_long) {
    FUZZ_CHECK(how_long.count() >= 0 && how_long <= max_wait, "a throttled wait stays in the cap");
  };
  const bool trace = std::getenv("MAILFERRY_FUZZ_TRACE") != nullptr;
  // Each step on its own: after a refused command or a lost connection the
  // next step goes on (and reconnects), as the executor does.
  auto step = [&](const std::function<void()>& body) {
    try {
      body();
    } catch (const core::Error& e) {
      FUZZ_CHECK(std::string_view(e.what()).size() > 0, "an error says what happened");
      if (trace) std::fprintf(stderr, "error: %s\n", e.what());
    }
  };
  std::unique_ptr<target::ImapTarget> imap;
  step([&] { imap = std::make_unique<target::ImapTarget>(options, tuning, connect); });
  if (imap) {
    step([&] { (void)imap->capabilities(); });
    step([&] { (void)imap->list_folders(); });
    step([&] { (void)imap->personal_namespace(); });
    step([&] {
      imap->index_folder("INBOX", true, [&](target::TargetMessage m) {
        FUZZ_CHECK(!m.key.empty(), "an indexed message has a key");
      });
    });
    step([&] { imap->create_folder("Archive/2019", core::Role::Archive); });
    const std::string message = "Message-ID: <fuzz@example.com>\r\nSubject: x\r\n\r\nbody\r\n";
    std::vector<target::AppendItem> items(3);
    for (auto& item : items) {
      item.size = message.size();
      item.flags = core::Flags(core::Flag::Seen);
      item.open_body = [&] { return std::make_unique<source::MemoryBodyReader>(message); };
      item.where = "fuzz message";
    }
    std::vector<int> outcomes(items.size());
    step([&] {
      imap->append("Archive/2019", items, [&](std::size_t i, const target::AppendOutcome& o) {
        FUZZ_CHECK(i < outcomes.size(), "outcomes are for submitted items");
        if (!o.ok) FUZZ_CHECK(!o.error.message.empty(), "a failed append says why");
        ++outcomes[i];
      });
    });
    for (int n : outcomes) FUZZ_CHECK(n <= 1, "one outcome per appended message");
    step([&] { imap->update_flags("INBOX", {{2, core::Flags(core::Flag::Flagged)}}); });
    step([&] { (void)imap->status("Sent"); });
    step([&] { (void)imap->snapshot_if_exactly("INBOX", {1, 2}); });
    step([&] { imap.reset(); });  // LOGOUT
  }
  if (trace) std::fprintf(stderr, "%s", script.sent.c_str());
  return 0;
}
