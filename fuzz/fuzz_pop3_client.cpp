// Fuzz target: the POP3 client (pop3/client.hpp) talking to a server whose
// every byte is the fuzzer's: CAPA, UIDL and LIST lines, TOP headers, RETR
// bodies, DELE and QUIT answers, pipelined or not.
//
// Input: what the server sends, read in pieces of 1 to 64 bytes; when it runs
// out the server has hung up. Invariants checked, beyond "no crash":
//  - the only failures are core::Error (a broken or refusing server), never
//    another exception and never an endless loop;
//  - command lines sent are printable ASCII ending in CRLF (nothing from the
//    server leaks into a command) and TOP/RETR ask only for listed numbers;
//  - TOP headers stay within the limit; RETR bodies have CRLF line ends only.
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "mailferry/core/error.hpp"
#include "mailferry/net/connection.hpp"
#include "mailferry/pop3/client.hpp"

namespace {

using namespace mailferry;

class ScriptedServer final : public net::Connection {
 public:
  explicit ScriptedServer(std::string_view script) : script_(script) {
    options_.protocol = net::Protocol::Pop3;
    options_.host = "fuzz.invalid";
  }

  std::size_t send_some(std::string_view data) override {
    sent_.append(data);
    FUZZ_CHECK(sent_.size() < (1u << 22), "the client does not send without end");
    return data.size();
  }
  std::size_t receive_some(char* buffer, std::size_t capacity) override {
    if (script_.empty()) return 0;  // nothing more now; wait() finds the hang-up
    FUZZ_CHECK(++receives_ < 1'000'000, "the client does not spin on a silent server");
    // Piece sizes follow the bytes, so splits land everywhere.
    std::size_t n = 1 + static_cast<unsigned char>(script_.front()) % 64;
    n = std::min({n, capacity, script_.size()});
    std::copy_n(script_.data(), n, buffer);
    script_.remove_prefix(n);
    return n;
  }
  void wait(bool for_read, bool) override {
    FUZZ_CHECK(++waits_ < 1'000'000, "the client does not wait without end");
    if (for_read && script_.empty())
      throw core::ConnectionError("fuzz.invalid: the server closed the connection");
  }
  const net::ConnectOptions& options() const override { return options_; }

  const std::string& sent() const { return sent_; }

 private:
  std::string_view script_;
  std::string sent_;
  net::ConnectOptions options_;
  std::uint64_t receives_ = 0, waits_ = 0;
};

void check_commands(const std::string& sent, const std::set<std::uint32_t>& listed) {
  std::size_t pos = 0;
  while (pos < sent.size()) {
    const std::size_t end = sent.find("\r\n", pos);
    FUZZ_CHECK(end != std::string::npos, "every command ends with CRLF");
    const std::string_view line(sent.data() + pos, end - pos);
    for (char c : line) FUZZ_CHECK(c >= 0x20 && c < 0x7f, "command lines are printable ASCII");
    for (std::string_view verb : {"TOP ", "RETR ", "DELE "}) {
      if (line.substr(0, verb.size()) != verb) continue;
      const std::uint32_t n =
          static_cast<std::uint32_t>(std::stoul(std::string(line.substr(verb.size()))));
      FUZZ_CHECK(listed.count(n) == 1, "only listed messages are asked for");
    }
    pos = end + 2;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ScriptedServer server(std::string_view(reinterpret_cast<const char*>(data), size));
  std::set<std::uint32_t> listed;
  try {
    pop3::Client client(server);
    client.capa();
    const pop3::Listing listing = client.listing(true);
    std::vector<std::uint32_t> numbers;
    for (const auto& entry : listing.list) {
      FUZZ_CHECK(entry.number > 0, "message numbers start at 1");
      listed.insert(entry.number);
      if (numbers.size() < 16) numbers.push_back(entry.number);
    }
    if (listing.uidl)
      for (const auto& entry : *listing.uidl)
        FUZZ_CHECK(entry.number > 0, "UIDL numbers start at 1");
    constexpr std::size_t kHeaderLimit = 256;
    client.top_headers(
        numbers,
        [&](std::uint32_t number, const pop3::Status& status, std::string_view header) {
          FUZZ_CHECK(listed.count(number) == 1, "headers come for asked numbers");
          FUZZ_CHECK(header.size() <= kHeaderLimit, "headers stay within the limit");
          if (!status.ok) FUZZ_CHECK(header.empty(), "-ERR has no header");
        },
        kHeaderLimit);
    for (std::size_t i = 0; i < numbers.size() && i < 3; ++i) {
      std::string body;
      const pop3::Status status =
          client.retrieve(numbers[i], [&](std::string_view bytes) { body.append(bytes); });
      if (!status.ok) FUZZ_CHECK(body.empty(), "-ERR has no body");
      FUZZ_CHECK(fuzz::crlf_only(body), "a message has CRLF line ends only");
    }
    if (!numbers.empty()) client.mark_deleted({numbers.front()});
    client.commit_and_quit();
  } catch (const core::Error& e) {
    FUZZ_CHECK(std::string_view(e.what()).size() > 0, "an error says what happened");
  }
  check_commands(server.sent(), listed);
  return 0;
}
