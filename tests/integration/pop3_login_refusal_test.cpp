// Login refusals a real Dovecot cannot easily be made to give ([IN-USE]:
// another client holds the maildrop lock; [LOGIN-DELAY]), played by a
// scripted POP3 peer on loopback, through the real libcurl login.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "mailferry/source/pop3_source.hpp"

using namespace mailferry;

namespace {

// Accepts one client, greets it, and answers like a POP3 server whose PASS is
// refused with `refusal`. Records every line the client sent.
class RefusingPeer {
 public:
  explicit RefusingPeer(std::string refusal) : refusal_(std::move(refusal)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(listener_, 1) == 0);
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~RefusingPeer() {
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    thread_.join();
  }
  int port() const { return port_; }
  std::vector<std::string> lines() const { return lines_; }

 private:
  void send(int fd, const std::string& text) { (void)::write(fd, text.data(), text.size()); }

  void serve() {
    int fd = ::accept(listener_, nullptr, nullptr);
    if (fd < 0) return;
    send(fd, "+OK scripted POP3 peer ready\r\n");
    std::string input;
    char buf[512];
    bool done = false;
    while (!done) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) break;
      input.append(buf, static_cast<std::size_t>(n));
      for (auto end = input.find("\r\n"); end != std::string::npos; end = input.find("\r\n")) {
        std::string line = input.substr(0, end);
        input.erase(0, end + 2);
        lines_.push_back(line);
        if (line == "CAPA") {
          send(fd, "+OK\r\nUSER\r\nRESP-CODES\r\nUIDL\r\nTOP\r\n.\r\n");
        } else if (line.rfind("USER ", 0) == 0) {
          send(fd, "+OK\r\n");
        } else if (line.rfind("PASS ", 0) == 0) {
          send(fd, refusal_ + "\r\n");
        } else if (line == "QUIT") {
          send(fd, "+OK\r\n");
          done = true;
          break;
        } else {
          send(fd, "-ERR not in this script\r\n");
        }
      }
    }
    ::close(fd);
  }

  std::string refusal_;
  int listener_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::vector<std::string> lines_;
};

source::Pop3SourceOptions plaintext_options(int port) {
  source::Pop3SourceOptions o;
  o.connect.protocol = net::Protocol::Pop3;
  o.connect.host = "127.0.0.1";
  o.connect.port = port;
  o.connect.implicit_tls = false;
  o.connect.allow_plaintext = true;  // the peer speaks no TLS; nothing secret is at stake
  o.connect.user = "alice";
  o.connect.password = core::Secret("scripted-secret");
  o.connect.timeout = std::chrono::seconds(10);
  return o;
}

struct NoSink : source::ScanSink {
  int calls = 0;
  void message(source::SourceMessage) override { ++calls; }
  void error(core::ErrorRecord) override { ++calls; }
};

}  // namespace

TEST_CASE("pop3 login: a maildrop locked by another client ([IN-USE]) stops the account") {
  std::string what;
  {
    RefusingPeer peer("-ERR [IN-USE] Mailbox is locked by another POP3 session");
    source::Pop3Source source(plaintext_options(peer.port()));
    NoSink sink;
    try {
      source.scan(source.folders()[0], sink);
      FAIL("a locked maildrop must not scan");
    } catch (const core::ConnectionError& e) {
      what = e.what();
      CHECK(e.exit_code() == core::kExitConnection);
      CHECK(e.scope() == core::ErrorScope::Account);
    }
    CHECK(sink.calls == 0);
    MESSAGE("error text: " << what);
  }
  CHECK(what.find("alice") != std::string::npos);
  CHECK(what.find("scripted-secret") == std::string::npos);
  // Where the connection layer quotes the server's refusal, the code is explained.
  if (what.find("IN-USE") != std::string::npos)
    CHECK(what.find("locked by another client") != std::string::npos);
}
