// An authenticated byte stream to an IMAP or POP3 server.
//
// libcurl (CURLOPT_CONNECT_ONLY) does the TCP connect, implicit TLS or
// STARTTLS, certificate verification and the login; after that this class hands
// out the raw stream and the protocol code speaks IMAP or POP3 itself. It is the
// only user of libcurl in the project, and owns exactly one easy handle.
//
// Blocking: every call that waits is bounded by ConnectOptions::timeout and
// throws core::ConnectionError when it passes; the greeting has a shorter
// limit of its own (greeting_timeout). Errors: core::ConnectionError (exit
// code 3) for connect, TLS, login, timeout and peer close. A refused login, an
// untrusted certificate and a port that speaks something else are not
// retryable(): trying again cannot help.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "mailferry/core/secret.hpp"

namespace mailferry::net {

enum class Protocol { Imap, Pop3 };

struct ConnectOptions {
  Protocol protocol = Protocol::Imap;
  std::string host;
  int port = 0;                  // 0: the protocol's default for the TLS mode
  bool implicit_tls = true;      // imaps:// / pop3s://; else STARTTLS/STLS is required
  bool allow_plaintext = false;  // --insecure-plaintext: no TLS at all (warned about)
  std::string ca_file;           // extra PEM CA to trust besides the system store
  std::string user;
  core::Secret password;
  core::Secret bearer_token;    // OAuth2 (XOAUTH2/OAUTHBEARER) instead of a password
  std::string sasl_mechanisms;  // libcurl login options, e.g. "AUTH=PLAIN"; empty: best
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};
  // From the start of the connection to the server's first line (TLS
  // included). Far shorter than `timeout`: a port that does not greet soon is
  // most likely the wrong port, and the login fails with a message saying
  // what it speaks instead (net/port_probe.hpp).
  std::chrono::milliseconds greeting_timeout{std::chrono::seconds(10)};
  // For messages: "imaps://alice@mail.example.com:993" (never holds a secret).
  std::string display() const;
  // `port`, or the protocol's default for the TLS mode when it is 0.
  int effective_port() const;
};

class Connection {
 public:
  // Connects and logs in. Throws core::ConnectionError naming host and cause
  // (and, for certificate failures, how to trust a CA: --ca-file).
  static std::unique_ptr<Connection> open(const ConnectOptions& options);
  virtual ~Connection() = default;

  // Sends as much as the socket takes without blocking; returns the count (may be 0).
  virtual std::size_t send_some(std::string_view data) = 0;
  // Reads what is available without blocking; returns the count (0: nothing yet).
  // Throws core::ConnectionError when the peer has closed the connection.
  virtual std::size_t receive_some(char* buffer, std::size_t capacity) = 0;
  // Waits until the stream is readable (and/or writable); throws on timeout.
  virtual void wait(bool for_read, bool for_write) = 0;
  // Like wait(), but gives up after `limit` (shorter than the timeout) and
  // returns false instead of throwing; for best-effort goodbyes (LOGOUT, QUIT).
  // The default waits the full timeout.
  virtual bool wait_for(bool for_read, bool for_write, std::chrono::milliseconds limit) {
    (void)limit;
    wait(for_read, for_write);
    return true;
  }

  // Convenience: loops over send_some/wait until everything is sent.
  void send_all(std::string_view data);
  // Convenience: waits for and returns at least one byte.
  std::size_t receive(char* buffer, std::size_t capacity);

  virtual const ConnectOptions& options() const = 0;
};

}  // namespace mailferry::net
