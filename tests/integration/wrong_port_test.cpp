// A wrong port or scheme fails within seconds, with exit 3 and a message
// naming the scheme that fits the port, and is never tried again: each of
// Dovecot's four ports reached with the scheme of another, a port that speaks
// no mail protocol at all (scripted peers: an HTTP server, an SMTP server),
// and a wrong POP3 password. The bounds are generous: they tell a failure
// that speaks at once from one that waits out timeouts and retries (a minute
// and more), not one machine's speed from another's.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "mailferry/core/error.hpp"
#include "mailferry/source/pop3_source.hpp"
#include "support/dovecot_server.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

using namespace mailferry::testing;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kWithin = std::chrono::seconds(15);

const char* const kMbox =
    "From alice@example.com Mon Jan  1 00:00:00 2024\n"
    "From: alice@example.com\n"
    "To: bob@example.com\n"
    "Subject: wrong port\n"
    "Message-ID: <wrong-port-1@example.com>\n"
    "\n"
    "body\n";

struct Timed {
  CommandResult result;
  Clock::duration took{};
};

Timed timed(const std::vector<std::string>& args, const EnvChanges& env = {}) {
  const auto started = Clock::now();
  Timed t;
  t.result = run_mailferry(args, env, std::chrono::seconds(120));
  t.took = Clock::now() - started;
  return t;
}

std::string seconds(Clock::duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count() / 1000.0) +
         " s";
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A retry announces itself ("trying again in", "resuming in", "reconnecting in").
bool retried(const std::string& err) {
  return has(err, "trying again in") || has(err, "resuming in") || has(err, "reconnecting in");
}

// Syncs a one-message mbox file into `to` (an IMAP URL of any port).
Timed sync_to(const DovecotServer& server, const TempDir& dir, const std::string& to) {
  const std::string mbox = dir.write_file("in.mbox", kMbox);
  return timed({"sync", "--from", "mbox:" + mbox, "--to", to, "--ca-file", server.ca_file(),
                "--to-password-file", server.password_file(), "--state", dir.file("state.db")});
}

// Syncs from `from` (a POP3 URL of any port) into the server's IMAPS port.
Timed sync_from(const DovecotServer& server, const TempDir& dir, const std::string& from,
                const std::string& password_file, const EnvChanges& env = {}) {
  return timed({"sync", "--from", from, "--from-password-file", password_file, "--to",
                server.url("imaps", "wp-target"), "--ca-file", server.ca_file(),
                "--to-password-file", server.password_file(), "--state", dir.file("state.db")},
               env);
}

struct NoSink : mailferry::source::ScanSink {
  void message(mailferry::source::SourceMessage) override {}
  void error(mailferry::core::ErrorRecord) override {}
};

std::string with_port(const std::string& scheme, const std::string& user, int port) {
  return scheme + "://" + user + "@127.0.0.1:" + std::to_string(port);
}

// Checks the common promise, then returns stderr for the case's own checks.
std::string failed_fast(const Timed& t) {
  INFO(t.result.describe());
  INFO("took " << seconds(t.took));
  CHECK(t.result.exit_code == 3);
  CHECK(t.took < kWithin);
  CHECK_FALSE(retried(t.result.err));
  return t.result.err;
}

// A loopback listener that plays a service which is no mail server: it sends
// `greeting` as soon as a client connects (SMTP does), or, when `on_input`,
// only in answer to the client's first bytes (HTTP does). Serves any number
// of connections, one at a time, until destroyed.
class ScriptedPeer {
 public:
  ScriptedPeer(std::string greeting, bool on_input)
      : greeting_(std::move(greeting)), on_input_(on_input) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(listener_, 8) == 0);
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~ScriptedPeer() {
    stop_ = true;
    thread_.join();
    ::close(listener_);
  }
  int port() const { return port_; }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{listener_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      const int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) continue;
      if (on_input_) {
        pollfd in{fd, POLLIN, 0};
        char buf[4096];
        if (::poll(&in, 1, 5000) > 0) (void)::read(fd, buf, sizeof buf);
      }
      (void)::write(fd, greeting_.data(), greeting_.size());
      // Then silence until the client goes, as a server waiting for more.
      pollfd in{fd, POLLIN, 0};
      char buf[4096];
      while (!stop_ && ::poll(&in, 1, 100) >= 0)
        if ((in.revents & (POLLIN | POLLHUP)) != 0 && ::read(fd, buf, sizeof buf) <= 0) break;
      ::close(fd);
    }
  }

  std::string greeting_;
  bool on_input_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace

TEST_CASE("wrong port: imaps on the POP3S port says the port speaks POP3 and names pop3s") {
  DovecotServer server;
  TempDir dir;
  const auto err =
      failed_fast(sync_to(server, dir, with_port("imaps", "wp1", server.pop3s_port())));
  CHECK(has(err, "speaks POP3"));
  CHECK(has(err, with_port("pop3s", "wp1", server.pop3s_port())));
}

TEST_CASE("wrong port: imaps on the plain IMAP port says the port has no TLS and names imap") {
  DovecotServer server;
  TempDir dir;
  const auto err = failed_fast(sync_to(server, dir, with_port("imaps", "wp2", server.imap_port())));
  CHECK(has(err, "does not speak TLS on this port"));
  CHECK(has(err, with_port("imap", "wp2", server.imap_port()) + " (STARTTLS)"));
  CHECK_FALSE(has(err, "wrong version number"));
}

TEST_CASE("wrong port: imap with STARTTLS on the IMAPS port says the port expects TLS") {
  DovecotServer server;
  TempDir dir;
  const auto err = failed_fast(sync_to(server, dir, with_port("imap", "wp3", server.imaps_port())));
  CHECK(has(err, "expects TLS"));
  CHECK(has(err, with_port("imaps", "wp3", server.imaps_port())));
}

TEST_CASE("wrong port: pop3s on the IMAPS port says the port speaks IMAP and names imaps") {
  DovecotServer server;
  TempDir dir;
  const auto err = failed_fast(sync_from(
      server, dir, with_port("pop3s", "wp4", server.imaps_port()), server.password_file()));
  CHECK(has(err, "speaks IMAP"));
  CHECK(has(err, with_port("imaps", "wp4", server.imaps_port())));
}

TEST_CASE("wrong port: pop3 with STLS on the POP3S port says the port expects TLS") {
  DovecotServer server;
  TempDir dir;
  // The port stays silent until the greeting times out; the IMAP case above
  // waits out the default, this one only needs the diagnosis.
  const auto err =
      failed_fast(sync_from(server, dir, with_port("pop3", "wp5", server.pop3s_port()),
                            server.password_file(), {{"MAILFERRY_GREETING_TIMEOUT", "2"}}));
  CHECK(has(err, "expects TLS"));
  CHECK(has(err, with_port("pop3s", "wp5", server.pop3s_port())));
}

TEST_CASE("wrong port: a web server and an SMTP server are named as such") {
  DovecotServer server;
  TempDir dir;
  ScriptedPeer http("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", true);
  const auto web = failed_fast(sync_to(server, dir, with_port("imaps", "wp6", http.port())));
  CHECK(has(web, "speaks HTTP"));
  CHECK(has(web, "imaps://"));

  ScriptedPeer smtp("220 mx.example.com ESMTP ready\r\n", false);
  const auto mail = failed_fast(
      sync_from(server, dir, with_port("pop3", "wp6", smtp.port()), server.password_file()));
  CHECK(has(mail, "speaks SMTP"));
  CHECK(has(mail, "pop3s://"));
}

TEST_CASE("wrong port: MAILFERRY_GREETING_TIMEOUT shortens the wait for a silent greeting") {
  DovecotServer server;
  TempDir dir;
  const std::string mbox = dir.write_file("in.mbox", kMbox);
  const auto t =
      timed({"sync", "--from", "mbox:" + mbox, "--to",
             with_port("imap", "wp7", server.imaps_port()), "--ca-file", server.ca_file(),
             "--to-password-file", server.password_file(), "--state", dir.file("state.db")},
            {{"MAILFERRY_GREETING_TIMEOUT", "2"}});
  INFO(t.result.describe());
  CHECK(t.result.exit_code == 3);
  CHECK(t.took < std::chrono::seconds(8));
  CHECK(has(t.result.err, "expects TLS"));
}

TEST_CASE("wrong port: a wrong POP3 password is refused once, in seconds, and never retried") {
  DovecotServer server;
  TempDir dir;
  // The login alone, with the retry policy a run has: one refusal, no wait.
  auto options = server.connect_options(mailferry::net::Protocol::Pop3, "wp8-lib");
  options.password = mailferry::core::Secret("not-the-password");
  mailferry::source::Pop3SourceOptions pop3;
  pop3.connect = options;
  int waits = 0;
  pop3.reconnect.sleep = [&](std::chrono::milliseconds) { ++waits; };
  mailferry::source::Pop3Source source(std::move(pop3));
  NoSink sink;
  const auto started = Clock::now();
  try {
    source.scan(source.folders()[0], sink);
    FAIL("a wrong password must not log in");
  } catch (const mailferry::core::ConnectionError& e) {
    CHECK_FALSE(e.retryable());
    CHECK(e.exit_code() == 3);
  }
  CHECK(Clock::now() - started < std::chrono::seconds(5));
  CHECK(waits == 0);

  // The whole run: exit 3, no retry line, and the server saw one login only.
  const std::string wrong = dir.write_file("wrong-password", "not-the-password\n");
  const auto t =
      timed({"sync", "--from", server.url("pop3s", "wp8"), "--from-password-file", wrong, "--to",
             server.url("imaps", "wp8-target"), "--ca-file", server.ca_file(), "--to-password-file",
             server.password_file(), "--state", dir.file("state.db")});
  const auto err = failed_fast(t);
  CHECK(has(err, "refused the credentials"));
  CHECK_FALSE(has(err, "not-the-password"));
  // Dovecot logs a refused login when the client has gone; give its log a moment.
  std::size_t refusals = 0;
  for (int i = 0; i < 50 && refusals == 0; ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const std::string log = server.log();
    refusals = 0;
    for (auto at = log.find("user=<wp8>"); at != std::string::npos;
         at = log.find("user=<wp8>", at + 1))
      ++refusals;
  }
  CHECK(refusals == 1);
}
