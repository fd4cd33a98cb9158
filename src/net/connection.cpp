#include "mailferry/net/connection.hpp"

#include <string>

namespace mailferry::net {
namespace {

int default_port(const ConnectOptions& o) {
  if (o.protocol == Protocol::Imap) return o.implicit_tls ? 993 : 143;
  return o.implicit_tls ? 995 : 110;
}

}  // namespace

std::string ConnectOptions::display() const {
  std::string out = protocol == Protocol::Imap ? "imap" : "pop3";
  if (implicit_tls) out += 's';
  out += "://";
  if (!user.empty()) out += user + '@';
  // An IPv6 literal needs brackets so that the port stays readable.
  bool bracket = host.find(':') != std::string::npos && host.front() != '[';
  if (bracket) out += '[';
  out += host;
  if (bracket) out += ']';
  out += ':' + std::to_string(effective_port());
  return out;
}

int ConnectOptions::effective_port() const { return port != 0 ? port : default_port(*this); }

void Connection::send_all(std::string_view data) {
  while (!data.empty()) {
    std::size_t n = send_some(data);
    data.remove_prefix(n);
    if (n == 0) wait(false, true);
  }
}

std::size_t Connection::receive(char* buffer, std::size_t capacity) {
  for (;;) {
    // Read before polling: TLS may already hold decrypted bytes the socket no longer shows.
    std::size_t n = receive_some(buffer, capacity);
    if (n > 0) return n;
    wait(true, false);
  }
}

}  // namespace mailferry::net
