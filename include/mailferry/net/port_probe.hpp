// A look at what a port speaks, after libcurl's login has failed in a way a
// wrong port or scheme explains (no greeting in time, a greeting of another
// protocol, TLS that met plain text).
//
// One TCP connection that sends a TLS client hello at once and reads the first
// bytes that come back: a plain-text server has greeted before reading
// anything ("* OK", "+OK", "220"), a web server answers the hello with
// "HTTP/1.x 400", and a TLS server with its own hello, after which the
// handshake is finished (the certificate is NOT checked: no credential is ever
// sent here) and the greeting inside is read. The probe never logs in; it is a
// diagnosis only, and the login stays libcurl's.
//
// Blocking, bounded by `limit` for the whole probe. Never throws: whatever
// fails leaves the fields it could not learn at their defaults.
#pragma once

#include <chrono>
#include <string>

#include "mailferry/net/greeting.hpp"

namespace mailferry::net {

struct PortProbe {
  bool reached = false;             // the TCP connection was made
  bool tls = false;                 // the port answered the hello with TLS
  Speaks speaks = Speaks::Nothing;  // the greeting: in plain text, or inside TLS when tls
  std::string first_line;           // the greeting's first line, cut short, for messages
};

PortProbe probe_port(const std::string& host, int port, std::chrono::milliseconds limit);

}  // namespace mailferry::net
