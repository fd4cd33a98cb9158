// A throwaway Dovecot (IMAP + POP3) for the integration tests, started on free
// loopback ports in a private temporary directory, with its own self-signed CA.
// Any user name logs in with password(); each test uses its own user name, so
// tests never see each other's mail. Destroying the object stops the server
// and removes its directory.
//
// The same start script (tests/dovecot/start-dovecot.sh) serves the README's
// demo, so tests and users run the same server configuration.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mailferry/net/connection.hpp"

namespace mailferry::testing {

struct DovecotShape {
  bool special_use = true;             // advertise SPECIAL-USE with \Sent, \Drafts, ...
  std::string separator = "/";         // hierarchy delimiter ("/" or ".")
  std::string prefix;                  // personal namespace prefix ("" or "INBOX.")
  bool pop3_pipelining = true;         // false: hide PIPELINING from POP3 CAPA
  bool default_folders = true;         // false: no Drafts, Sent, Trash, Junk made for every user
  std::string quota;                   // quota plugin with this storage limit per user ("300k")
  std::uint64_t max_mail_size = 0;     // bytes: bigger APPENDs get NO [LIMIT] (0: no limit)
  bool advertise_appendlimit = false;  // and CAPABILITY says APPENDLIMIT=max_mail_size
};

class DovecotServer {
 public:
  explicit DovecotServer(DovecotShape shape = {});
  ~DovecotServer();
  DovecotServer(const DovecotServer&) = delete;
  DovecotServer& operator=(const DovecotServer&) = delete;

  int imap_port() const { return imap_port_; }             // plaintext + STARTTLS
  int imaps_port() const { return imaps_port_; }           // implicit TLS
  int pop3_port() const { return pop3_port_; }             // plaintext + STLS
  int pop3s_port() const { return pop3s_port_; }           // implicit TLS
  const std::string& ca_file() const { return ca_file_; }  // PEM; cert is for 127.0.0.1/localhost
  const std::string& password() const { return password_; }
  const std::string& root() const { return root_; }
  // A file holding password(), for --to-password-file / --from-password-file.
  const std::string& password_file() const { return password_file_; }

  // The instance's dovecot.conf, for running Dovecot tools by hand.
  std::string config_file() const { return root_ + "/dovecot.conf"; }
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

  // Runs doveadm against this instance ("-u alice mailbox list", or in doveadm's own
  // order "mailbox list -u alice") and returns stdout.
  // The string is split into words like a shell would (quotes and backslashes;
  // no expansions), so folder names with spaces are written "-u a mailbox status
  // messages 'My Folder'". Throws std::runtime_error when doveadm fails.
  std::string doveadm(const std::string& arguments) const;
  std::string doveadm(const std::vector<std::string>& arguments) const;
  // Stores a message into a user's folder through the server (doveadm save),
  // creating the folder first when it does not exist. flags, when not empty,
  // are set on the new message ("\\Seen \\Flagged").
  void save_message(const std::string& user, const std::string& folder,
                    const std::string& message_bytes, const std::string& flags = "") const;
  // Makes the user's folders `names` (doveadm mailbox create), as a server
  // would have them before a migration.
  void create_mailboxes(const std::string& user, const std::vector<std::string>& names) const;
  // Folder names of a user as the server lists them (doveadm mailbox list).
  std::vector<std::string> mailboxes(const std::string& user) const;
  // Number of messages in a user's folder; throws when the folder does not exist.
  int message_count(const std::string& user, const std::string& folder) const;
  // The server's log so far, for failure messages.
  std::string log() const;

 private:
  void stop_and_remove() noexcept;

  std::string root_, ca_file_, password_, password_file_;
  int imap_port_ = 0, imaps_port_ = 0, pop3_port_ = 0, pop3s_port_ = 0;
};

}  // namespace mailferry::testing
