// What every throwaway test server offers, whatever its kind (Dovecot, Cyrus,
// Courier): where it listens on 127.0.0.1, its CA and password, and how a
// test names it to mailferry. Each is started by its own script in
// tests/<kind>/ and stopped when the object goes.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "mailferry/net/connection.hpp"

namespace mailferry::testing {

class MailServer {
 public:
  virtual ~MailServer() = default;
  MailServer(const MailServer&) = delete;
  MailServer& operator=(const MailServer&) = delete;

  // "dovecot", "cyrus", "courier".
  virtual std::string kind() const = 0;
  // Makes `user` an account that logs in with password(). Dovecot's test
  // server takes any user name; the others make the account.
  virtual void add_user(const std::string& user) const = 0;

  int imap_port() const { return imap_port_; }    // plaintext + STARTTLS
  int imaps_port() const { return imaps_port_; }  // implicit TLS
  int pop3_port() const { return pop3_port_; }    // plaintext + STLS (0: no POP3)
  int pop3s_port() const { return pop3s_port_; }  // implicit TLS (0: no POP3)
  bool has_pop3() const { return pop3s_port_ != 0; }
  const std::string& ca_file() const { return ca_file_; }  // PEM; cert for 127.0.0.1/localhost
  const std::string& password() const { return password_; }
  // A file holding password(), for --to-password-file / --from-password-file.
  const std::string& password_file() const { return password_file_; }
  const std::string& root() const { return root_; }

  // "imaps://alice@127.0.0.1:PORT" for scheme imap, imaps, pop3 or pop3s.
  std::string url(std::string_view scheme, std::string_view user) const;
  // "--to imaps://USER@127.0.0.1:PORT --ca-file CA --to-password-file PW":
  // how the CLI tests name this server as a job's target.
  std::vector<std::string> target_args(std::string_view user) const;
  // How the library's own clients reach this server as `user`: implicit TLS
  // on the IMAPS or POP3S port, this server's CA, its password.
  net::ConnectOptions connect_options(net::Protocol protocol, std::string_view user) const;
  // "sync --from FROM" with target_args(user), then `extra`.
  std::vector<std::string> sync_args(const std::string& from, std::string_view user,
                                     const std::vector<std::string>& extra = {}) const;

 protected:
  MailServer() = default;
  // Reads the start script's DIR/env: IMAP_PORT IMAPS_PORT POP3_PORT
  // POP3S_PORT CA_FILE PASSWORD_FILE, and returns all its assignments.
  std::map<std::string, std::string> read_env(const std::string& root);

  std::string root_, ca_file_, password_, password_file_;
  int imap_port_ = 0, imaps_port_ = 0, pop3_port_ = 0, pop3s_port_ = 0;
};

// "KEY=value" lines of a start script's env file.
std::map<std::string, std::string> read_env_file(const std::string& path);

}  // namespace mailferry::testing
