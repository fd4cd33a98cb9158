// What a server's first bytes say about the protocol behind a port.
//
// A mail server speaks first: IMAP greets with "* OK", POP3 with "+OK", SMTP
// (and FTP) with "220". A TLS server sends nothing until the client's hello
// and then answers with a TLS record; a web server answers anything with
// "HTTP/1.x". Telling these apart turns a wrong port or a wrong scheme into a
// message naming the right one, instead of a timeout or OpenSSL's "wrong
// version number".
//
// Pure functions: no I/O.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "mailferry/net/connection.hpp"

namespace mailferry::net {

enum class Speaks {
  Nothing,  // no byte arrived (or the peer closed at once)
  Imap,
  Pop3,
  Smtp,  // "220 ..." / "220-...": SMTP submission or relay (or FTP)
  Http,
  Tls,    // a TLS record: the port expects TLS before any text
  Other,  // bytes that are none of the above
};

// Classifies the first bytes a peer sent (a greeting line, or the start of a
// TLS record). Case-insensitive where the protocols are.
Speaks classify_greeting(std::string_view first_bytes);

// "IMAP", "POP3", "SMTP", "HTTP", "TLS", ...
std::string speaks_name(Speaks speaks);

// Whether `speaks` is the protocol `protocol` expects to be greeted in.
bool greets_as(Speaks speaks, Protocol protocol);

// How long the server may take, from the start of the connection, to greet
// (TLS handshake included): the environment variable
// MAILFERRY_GREETING_TIMEOUT in seconds (a whole number from 1), else 10 s.
std::chrono::milliseconds greeting_timeout_from_environment();

}  // namespace mailferry::net
