#include "mailferry/net/port_probe.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <string>

namespace mailferry::net {
namespace {

using Clock = std::chrono::steady_clock;

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

int millis_left(Clock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

bool ready(int fd, short events, Clock::time_point deadline) {
  pollfd p{fd, events, 0};
  for (;;) {
    const int rc = ::poll(&p, 1, millis_left(deadline));
    if (rc > 0) return true;
    if (rc == 0 || errno != EINTR) return false;
  }
}

// A non-blocking TCP connection to the first address of `host` that answers.
int connect_to(const std::string& host, int port, Clock::time_point deadline) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return -1;
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> list(found, ::freeaddrinfo);
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) return fd;
    int error = 0;
    socklen_t len = sizeof error;
    if (errno == EINPROGRESS && ready(fd, POLLOUT, deadline) &&
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) == 0 && error == 0)
      return fd;
    ::close(fd);
  }
  return -1;
}

bool send_all(int fd, const std::string& bytes, Clock::time_point deadline) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!ready(fd, POLLOUT, deadline)) return false;
    } else {
      return false;
    }
  }
  return true;
}

// Appends what arrives to `into`; false on timeout, close or error.
bool receive_some(int fd, std::string& into, Clock::time_point deadline) {
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n > 0) {
      into.append(buffer, static_cast<std::size_t>(n));
      return true;
    }
    if (n == 0 || (errno != EAGAIN && errno != EINTR)) return false;
    if (!ready(fd, POLLIN, deadline)) return false;
  }
}

std::string first_line_of(const std::string& text) {
  std::string line = text.substr(0, text.find_first_of("\r\n"));
  if (line.size() > 120) line.resize(120);
  for (auto& c : line)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
  return line;
}

struct SslCtxDeleter {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
struct SslDeleter {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};

// TLS over memory buffers, so that the bytes the server answered the hello
// with can be looked at before OpenSSL gets them.
class MemoryTls {
 public:
  explicit MemoryTls(const std::string& host) {
    ctx_.reset(SSL_CTX_new(TLS_client_method()));
    if (!ctx_) return;
    SSL_CTX_set_verify(ctx_.get(), SSL_VERIFY_NONE, nullptr);  // diagnosis only, see the header
    ssl_.reset(SSL_new(ctx_.get()));
    if (!ssl_) return;
    BIO* in = BIO_new(BIO_s_mem());
    BIO* out = BIO_new(BIO_s_mem());
    if (in == nullptr || out == nullptr) {
      BIO_free(in);
      BIO_free(out);
      ssl_.reset();
      return;
    }
    in_ = in;
    out_ = out;
    SSL_set_bio(ssl_.get(), in, out);  // the SSL owns both from here
    in_addr v4{};
    in6_addr v6{};
    if (::inet_pton(AF_INET, host.c_str(), &v4) != 1 &&
        ::inet_pton(AF_INET6, host.c_str(), &v6) != 1)
      SSL_set_tlsext_host_name(ssl_.get(), host.c_str());
    SSL_set_connect_state(ssl_.get());
  }
  bool usable() const { return static_cast<bool>(ssl_); }

  // Moves the handshake (or a read) on; returns the bytes OpenSSL wants sent.
  std::string step(std::string& plain_out) {
    if (!SSL_is_init_finished(ssl_.get())) {
      if (SSL_do_handshake(ssl_.get()) != 1 && !wants_more()) failed_ = true;
    }
    if (SSL_is_init_finished(ssl_.get())) {
      char buffer[4096];
      for (;;) {
        const int n = SSL_read(ssl_.get(), buffer, sizeof buffer);
        if (n <= 0) {
          if (!wants_more()) failed_ = true;
          break;
        }
        plain_out.append(buffer, static_cast<std::size_t>(n));
      }
    }
    std::string wire;
    char buffer[4096];
    for (int n; (n = BIO_read(out_, buffer, sizeof buffer)) > 0;)
      wire.append(buffer, static_cast<std::size_t>(n));
    ERR_clear_error();
    return wire;
  }
  void feed(const std::string& wire) {
    if (!wire.empty()) BIO_write(in_, wire.data(), static_cast<int>(wire.size()));
  }
  bool failed() const { return failed_; }

 private:
  bool wants_more() const {
    const int e = SSL_get_error(ssl_.get(), -1);
    return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE;
  }

  std::unique_ptr<SSL_CTX, SslCtxDeleter> ctx_;
  std::unique_ptr<SSL, SslDeleter> ssl_;
  BIO* in_ = nullptr;   // owned by ssl_
  BIO* out_ = nullptr;  // owned by ssl_
  bool failed_ = false;
};

// After the server's TLS hello: finishes the handshake and reads the greeting inside.
void read_inside_tls(int fd, MemoryTls& tls, std::string wire, PortProbe& probe,
                     Clock::time_point deadline) {
  std::string plain;
  for (;;) {
    tls.feed(wire);
    wire.clear();
    const std::string to_send = tls.step(plain);
    if (!to_send.empty() && !send_all(fd, to_send, deadline)) break;
    if (plain.find('\n') != std::string::npos || tls.failed()) break;
    if (!receive_some(fd, wire, deadline)) break;
  }
  probe.speaks = classify_greeting(plain);
  probe.first_line = first_line_of(plain);
}

}  // namespace

PortProbe probe_port(const std::string& host_name, int port, std::chrono::milliseconds limit) {
  PortProbe probe;
  const auto deadline = Clock::now() + limit;
  // An IPv6 literal may come in its URL brackets.
  std::string host = host_name;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  Socket socket(connect_to(host, port, deadline));
  if (socket.fd() < 0) return probe;
  probe.reached = true;

  MemoryTls tls(host);
  if (!tls.usable()) return probe;
  std::string ignored;
  if (!send_all(socket.fd(), tls.step(ignored), deadline)) return probe;

  // A line of text, or enough of a record to tell it is TLS.
  std::string first;
  while (first.find('\n') == std::string::npos && first.size() < 5)
    if (!receive_some(socket.fd(), first, deadline)) break;
  const Speaks plain = classify_greeting(first);
  if (plain == Speaks::Tls) {
    probe.tls = true;
    read_inside_tls(socket.fd(), tls, first, probe, deadline);
    return probe;
  }
  // Plain text: the rest of the first line, if it is still on its way.
  while (!first.empty() && first.find('\n') == std::string::npos && first.size() < 512)
    if (!receive_some(socket.fd(), first, deadline)) break;
  probe.speaks = plain;
  probe.first_line = first_line_of(first);
  return probe;
}

}  // namespace mailferry::net
