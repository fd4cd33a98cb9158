// The libcurl implementation of net::Connection.
//
// libcurl (CONNECT_ONLY) does connect, TLS and login; afterwards curl_easy_send
// and curl_easy_recv carry the bytes and poll() on the active socket waits.
#include <curl/curl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>

#include "extra_ca.hpp"
#include "greeting_watch.hpp"
#include "mailferry/core/error.hpp"
#include "mailferry/core/log.hpp"
#include "mailferry/net/connection.hpp"
#include "mailferry/net/port_probe.hpp"
#include "mailferry/net/wrong_port.hpp"

namespace mailferry::net {
namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
      throw core::ConnectionError("libcurl could not be initialised");
  });
}

struct CurlDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
using CurlHandle = std::unique_ptr<CURL, CurlDeleter>;

std::string url_for(const ConnectOptions& o) {
  std::string url = o.protocol == Protocol::Imap ? "imap" : "pop3";
  if (o.implicit_tls) url += 's';
  url += "://";
  bool bracket = o.host.find(':') != std::string::npos && o.host.front() != '[';
  url += bracket ? "[" + o.host + "]" : o.host;
  if (o.port != 0) url += ':' + std::to_string(o.port);
  url += '/';
  return url;
}

bool curl_uses_openssl() {
  const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
  return info && info->ssl_version && std::strncmp(info->ssl_version, "OpenSSL", 7) == 0;
}

// Runs on every TLS context libcurl creates, after it has loaded the system store.
CURLcode on_ssl_context(CURL*, void* ssl_ctx, void* user) {
  auto* ctx = static_cast<SSL_CTX*>(ssl_ctx);
  // Our writer may hand the same pending bytes to SSL_write from a different
  // address after a retry; OpenSSL rejects that unless told it is fine.
  SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (user) static_cast<const detail::ExtraCa*>(user)->add_to(SSL_CTX_get_cert_store(ctx));
  return CURLE_OK;
}

// What the server said during login, for the message of a refused one.
struct LoginTrace {
  std::string last_line;
  bool saw_capabilities = false;
  std::string mechanisms;  // the AUTH=... capabilities, space-separated
  detail::GreetingWatch* greeting = nullptr;
  // OpenSSL's connection once TLS is up: libcurl gives it out only while
  // it works on the connection, not after a CONNECT_ONLY transfer.
  SSL* tls = nullptr;
};

// Whether `line` lists IMAP capabilities ("* CAPABILITY ..." or a greeting's
// "[CAPABILITY ...]"), and if so the AUTH= ones in it.
void note_capabilities(const std::string& line, LoginTrace& trace) {
  std::string upper = line;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper.find("CAPABILITY ") == std::string::npos) return;
  trace.saw_capabilities = true;
  trace.mechanisms.clear();
  for (std::size_t at = upper.find("AUTH="); at != std::string::npos;
       at = upper.find("AUTH=", at + 5)) {
    if (at > 0 && upper[at - 1] != ' ' && upper[at - 1] != '[') continue;
    const auto end = upper.find_first_of(" ]", at);
    if (!trace.mechanisms.empty()) trace.mechanisms += ' ';
    trace.mechanisms += upper.substr(at + 5, end == std::string::npos ? end : end - at - 5);
  }
}

std::string replace_spaces(const std::string& text, const std::string& with) {
  std::string out;
  for (char c : text) out += c == ' ' ? with : std::string(1, c);
  return out;
}

// Records the last line the server sent and its capabilities; everything
// else libcurl reports (what we send included) is ignored.
int on_debug(CURL* handle, curl_infotype type, char* data, size_t size, void* user) {
  if (type != CURLINFO_HEADER_IN || user == nullptr) return 0;
  auto& trace = *static_cast<LoginTrace*>(user);
  if (trace.tls == nullptr && curl_uses_openssl()) {
    const curl_tlssessioninfo* info = nullptr;
    if (curl_easy_getinfo(handle, CURLINFO_TLS_SSL_PTR, &info) == CURLE_OK && info != nullptr &&
        info->backend == CURLSSLBACKEND_OPENSSL)
      trace.tls = static_cast<SSL*>(info->internals);
  }
  std::string line(data, size);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  if (line.size() > 300) line.resize(300);
  if (line.empty()) return 0;
  note_capabilities(line, trace);
  trace.last_line = line;
  if (trace.greeting) trace.greeting->line(line);
  return 0;
}

// libcurl's progress callback, which it also calls while it logs in: a
// non-zero answer stops the login (CURLE_ABORTED_BY_CALLBACK).
int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto& trace = *static_cast<LoginTrace*>(user);
  return trace.greeting && trace.greeting->should_stop() ? 1 : 0;
}

class CurlConnection final : public Connection {
 public:
  explicit CurlConnection(const ConnectOptions& options) : options_(options) {}

  void connect() {
    global_init();
    if (options_.host.empty()) throw core::ConnectionError("no server host name given");
    if (!options_.ca_file.empty()) {
      if (!curl_uses_openssl())
        throw core::ConnectionError("--ca-file needs libcurl built with OpenSSL");
      extra_ca_ = detail::ExtraCa::load(options_.ca_file);
    }
    handle_.reset(curl_easy_init());
    if (!handle_) throw core::ConnectionError("libcurl could not create a handle");
    CURL* h = handle_.get();
    error_[0] = '\0';

    const std::string url = url_for(options_);
    long timeout_ms = static_cast<long>(options_.timeout.count());
    set(CURLOPT_ERRORBUFFER, error_);
    set(CURLOPT_URL, url.c_str());
    set(CURLOPT_PROTOCOLS_STR, "imap,imaps,pop3,pop3s");
    set(CURLOPT_CONNECT_ONLY, 1L);
    set(CURLOPT_NOSIGNAL, 1L);
    set(CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    set(CURLOPT_TIMEOUT_MS, timeout_ms);  // connect + TLS + login together
    set(CURLOPT_SERVER_RESPONSE_TIMEOUT, std::max(1L, timeout_ms / 1000));
    set(CURLOPT_TCP_KEEPALIVE, 1L);
    set(CURLOPT_SSL_VERIFYPEER, 1L);
    set(CURLOPT_SSL_VERIFYHOST, 2L);
    if (options_.implicit_tls || !options_.allow_plaintext) {
      set(CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
    } else {
      set(CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_NONE));
      core::log_warn(options_.display() +
                     ": --insecure-plaintext: password and mail travel unencrypted");
    }
    if (curl_uses_openssl()) {
      set(CURLOPT_SSL_CTX_FUNCTION, on_ssl_context);
      set(CURLOPT_SSL_CTX_DATA, extra_ca_ ? static_cast<void*>(&*extra_ca_) : nullptr);
      // A cached store would be shared with later handshakes; ours carries the extra CA.
      if (extra_ca_) set(CURLOPT_CA_CACHE_TIMEOUT, 0L);
    }
    if (!options_.user.empty()) set(CURLOPT_USERNAME, options_.user.c_str());
    if (!options_.password.empty()) set(CURLOPT_PASSWORD, options_.password.reveal().c_str());
    if (!options_.bearer_token.empty())
      set(CURLOPT_XOAUTH2_BEARER, options_.bearer_token.reveal().c_str());
    if (!options_.sasl_mechanisms.empty())
      set(CURLOPT_LOGIN_OPTIONS, options_.sasl_mechanisms.c_str());

    // Keep the server's last line during login: libcurl's own message for a
    // refused login drops the server's words ("[IN-USE] mailbox locked",
    // "[UNAVAILABLE] ..."), which are what tells the user what to do. Only
    // lines the server sent are kept; what we send (credentials) is never seen.
    set(CURLOPT_DEBUGFUNCTION, on_debug);
    set(CURLOPT_DEBUGDATA, static_cast<void*>(&login_trace_));
    set(CURLOPT_VERBOSE, 1L);
    greeting_.emplace(options_.protocol, options_.greeting_timeout);
    login_trace_.greeting = &*greeting_;
    set(CURLOPT_XFERINFOFUNCTION, on_progress);
    set(CURLOPT_XFERINFODATA, static_cast<void*>(&login_trace_));
    set(CURLOPT_NOPROGRESS, 0L);

    CURLcode rc = curl_easy_perform(h);
    curl_easy_setopt(h, CURLOPT_VERBOSE, 0L);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 1L);
    // libcurl keeps its own copies of the credentials; drop them once logged in.
    curl_easy_setopt(h, CURLOPT_PASSWORD, nullptr);
    curl_easy_setopt(h, CURLOPT_XOAUTH2_BEARER, nullptr);
    if (rc != CURLE_OK) throw connect_error(rc);

    curl_socket_t socket = CURL_SOCKET_BAD;
    if (curl_easy_getinfo(h, CURLINFO_ACTIVESOCKET, &socket) != CURLE_OK ||
        socket == CURL_SOCKET_BAD)
      throw core::ConnectionError(options_.display() + ": libcurl gave no socket after login");
    socket_ = socket;
    read_ahead_after_login();
  }

  std::size_t send_some(std::string_view data) override {
    if (data.empty()) return 0;
    std::size_t sent = 0;
    error_[0] = '\0';
    CURLcode rc = curl_easy_send(handle_.get(), data.data(), data.size(), &sent);
    if (rc == CURLE_AGAIN) return 0;
    if (rc != CURLE_OK) throw io_error("sending to", rc);
    return sent;
  }

  std::size_t receive_some(char* buffer, std::size_t capacity) override {
    std::size_t got = 0;
    error_[0] = '\0';
    CURLcode rc = curl_easy_recv(handle_.get(), buffer, capacity, &got);
    if (rc == CURLE_AGAIN) return 0;
    if (rc != CURLE_OK) throw io_error("receiving from", rc);
    if (got == 0)
      throw core::ConnectionError(options_.display() + ": the server closed the connection");
    return got;
  }

  void wait(bool for_read, bool for_write) override {
    if (for_read) acknowledge_at_once();
    if (!poll_socket(for_read, for_write, options_.timeout))
      throw core::ConnectionError(options_.display() + ": no answer from the server for " +
                                  std::to_string(options_.timeout.count() / 1000) + " s");
  }

  bool wait_for(bool for_read, bool for_write, std::chrono::milliseconds limit) override {
    if (for_read) acknowledge_at_once();
    return poll_socket(for_read, for_write, std::min(limit, options_.timeout));
  }

  const ConnectOptions& options() const override { return options_; }

 private:
  // By default OpenSSL reads each TLS record with two system calls (its
  // header, then the rest); a server sending a body in 4 kB records costs
  // two per 4 kB. Reading ahead fills OpenSSL's buffer with whatever the
  // socket holds. Only after login: libcurl's own login loop polls the
  // socket when OpenSSL reports nothing decrypted, which read-ahead bytes
  // would stall; ours always reads until OpenSSL wants more before polling.
  void read_ahead_after_login() {
    if (login_trace_.tls != nullptr) SSL_set_read_ahead(login_trace_.tls, 1);
  }

  // A server that writes one answer in several small pieces with Nagle's
  // algorithm on (Courier does) holds each piece after the first until the
  // last one is acknowledged, and Linux delays that acknowledgement by up to
  // 40 ms: 40 ms per APPEND, measured. Acknowledging at once releases the
  // rest of the answer. Linux forgets the setting after a while, so it is
  // renewed before every wait for more to read; setting it also sends an
  // acknowledgement that is being held back at once. Not after every read:
  // a body streamed in 4 kB TLS records would cost a system call each.
  void acknowledge_at_once() {
#ifdef TCP_QUICKACK
    const int on = 1;
    ::setsockopt(static_cast<int>(socket_), IPPROTO_TCP, TCP_QUICKACK, &on, sizeof on);
#endif
  }

  template <typename T>
  void set(CURLoption option, T value) {
    CURLcode rc = curl_easy_setopt(handle_.get(), option, value);
    if (rc != CURLE_OK)
      throw core::ConnectionError(options_.display() +
                                  ": libcurl refused an option: " + curl_easy_strerror(rc));
  }

  std::string curl_text(CURLcode rc) const {
    std::string text = error_[0] ? error_ : curl_easy_strerror(rc);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
  }

  // A refused login, an untrusted certificate and a missing STARTTLS cannot
  // heal by trying again (core/retry.hpp): those errors say so, and only
  // timeouts and broken connections are retryable.
  core::ConnectionError connect_error(CURLcode rc) const {
    const std::string where = options_.display();
    std::string text = curl_text(rc);
    constexpr bool kFinal = false;
    if (auto wrong = wrong_port(rc)) return *wrong;
    switch (rc) {
      case CURLE_LOGIN_DENIED: {
        const std::string failed = "login failed for user " + options_.user + " at " + host_port();
        const bool oauth2 = !options_.bearer_token.empty();
        const auto& offered = login_trace_.mechanisms;
        if (oauth2 && login_trace_.saw_capabilities &&
            offered.find("XOAUTH2") == std::string::npos &&
            offered.find("OAUTHBEARER") == std::string::npos)
          return core::ConnectionError(
              failed + ": the server does not offer OAuth2 login (AUTH=XOAUTH2 or " +
                  "AUTH=OAUTHBEARER); it offers " +
                  (offered.empty() ? std::string("only LOGIN with a password")
                                   : "AUTH=" + replace_spaces(offered, " AUTH=")) +
                  ". Use a password (password_file, password_env, password_command) for this "
                  "server.",
              kFinal);
        // A capability list is not an answer to the login: libcurl found no
        // mechanism to try, and its own words say so.
        const std::string& said = login_trace_.last_line;
        const bool answer = !said.empty() && said.find("CAPABILITY") == std::string::npos;
        return core::ConnectionError(
            failed + ": " + text + (answer ? " (the server said: " + said + ")" : std::string()),
            kFinal);
      }
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_CACERT_BADFILE:
      case CURLE_SSL_ISSUER_ERROR:
        return core::ConnectionError(
            where + ": the server's TLS certificate could not be verified: " + text +
                ". If the server uses a private CA, trust it with --ca-file FILE (PEM).",
            kFinal);
      case CURLE_USE_SSL_FAILED:
        return core::ConnectionError(
            where + ": the server does not offer STARTTLS (" + text +
                "); use the implicit-TLS port (imaps://, pop3s://) or, on a trusted network only, "
                "--insecure-plaintext",
            kFinal);
      case CURLE_OPERATION_TIMEDOUT:
        return core::ConnectionError(where + ": timed out connecting or logging in: " + text);
      default:
        return core::ConnectionError(where + ": " + text);
    }
  }

  // The failures a wrong port or scheme explains: no greeting in time, one of
  // another protocol, TLS that met plain text (OpenSSL's "wrong version
  // number"), an answer that makes no sense. What the port speaks is known
  // from the greeting libcurl read, or else found out by probe_port(). A port
  // that speaks something else is final; nullopt leaves the error as it was.
  std::optional<core::ConnectionError> wrong_port(CURLcode rc) const {
    const bool suspicious = rc == CURLE_ABORTED_BY_CALLBACK || rc == CURLE_SSL_CONNECT_ERROR ||
                            rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_WEIRD_SERVER_REPLY ||
                            rc == CURLE_RECV_ERROR || rc == CURLE_GOT_NOTHING;
    if (!suspicious || !greeting_ || greeting_->greeted()) return std::nullopt;
    PortProbe found;
    if (!greeting_->first_line().empty()) {
      found.reached = true;
      found.tls = options_.implicit_tls;  // libcurl reads lines only after the handshake
      found.speaks = classify_greeting(greeting_->first_line());
      found.first_line = greeting_->first_line();
    } else {
      // Half the greeting's time again at most, so a silent port still fails soon.
      const auto limit = std::max<std::chrono::milliseconds>(std::chrono::seconds(1),
                                                             options_.greeting_timeout / 2);
      found = probe_port(options_.host, options_.effective_port(), limit);
    }
    const std::string where = options_.display();
    if (auto advice = explain_wrong_port(options_, found, options_.greeting_timeout))
      return core::ConnectionError(where + ": " + *advice, false);
    if (greeting_->timed_out())
      // The probe was greeted properly: a slow server, which may heal.
      return core::ConnectionError(where + ": no greeting from the server within " +
                                   std::to_string(options_.greeting_timeout.count() / 1000) +
                                   " s (MAILFERRY_GREETING_TIMEOUT sets how long to wait)");
    return std::nullopt;
  }

  std::string host_port() const {
    std::string shown = options_.display();
    return shown.substr(shown.rfind('@') == std::string::npos ? shown.find("://") + 3
                                                              : shown.rfind('@') + 1);
  }

  // False on timeout; true when the socket is ready (or has an error the next call reports).
  bool poll_socket(bool for_read, bool for_write, std::chrono::milliseconds limit) {
    pollfd fd{};
    fd.fd = socket_;
    fd.events = static_cast<short>((for_read ? POLLIN : 0) | (for_write ? POLLOUT : 0));
    auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() < 0) left = std::chrono::milliseconds(0);
      int rc = ::poll(&fd, 1, static_cast<int>(left.count()));
      if (rc > 0) return true;
      if (rc == 0) return false;
      if (errno != EINTR)
        throw core::ConnectionError(options_.display() + ": poll failed: " + std::strerror(errno));
    }
  }

  core::ConnectionError io_error(const char* verb, CURLcode rc) const {
    return core::ConnectionError(options_.display() + ": error " + verb +
                                 " the server: " + curl_text(rc));
  }

  ConnectOptions options_;
  std::optional<detail::ExtraCa> extra_ca_;        // outlives handle_: libcurl points at it
  LoginTrace login_trace_;                         // during login only, for refused-login messages
  std::optional<detail::GreetingWatch> greeting_;  // during login only
  char error_[CURL_ERROR_SIZE] = {};               // outlives handle_: libcurl writes into it
  CurlHandle handle_;
  curl_socket_t socket_ = CURL_SOCKET_BAD;
};

}  // namespace

std::unique_ptr<Connection> Connection::open(const ConnectOptions& options) {
  auto connection = std::make_unique<CurlConnection>(options);
  connection->connect();
  return connection;
}

}  // namespace mailferry::net
