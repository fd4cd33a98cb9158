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
#include "support/mail_server.hpp"

namespace mailferry::testing {

struct DovecotShape {
  bool special_use = true;  // advertise SPECIAL-USE with \Sent, \Drafts, ...
  // A minimal IMAP4rev1 (Courier-like): no NAMESPACE, LITERAL+, UIDPLUS,
  // CONDSTORE, SPECIAL-USE or MULTIAPPEND advertised (implies !special_use).
  bool minimal = false;
  std::string separator = "/";         // hierarchy delimiter ("/" or ".")
  std::string prefix;                  // personal namespace prefix ("" or "INBOX.")
  bool pop3_pipelining = true;         // false: hide PIPELINING from POP3 CAPA
  bool default_folders = true;         // false: no Drafts, Sent, Trash, Junk made for every user
  std::string quota;                   // quota plugin with this storage limit per user ("300k")
  std::uint64_t max_mail_size = 0;     // bytes: bigger APPENDs get NO [LIMIT] (0: no limit)
  bool advertise_appendlimit = false;  // and CAPABILITY says APPENDLIMIT=max_mail_size
};

class DovecotServer : public MailServer {
 public:
  explicit DovecotServer(DovecotShape shape = {});
  ~DovecotServer() override;

  std::string kind() const override { return "dovecot"; }
  // Any user name logs in: nothing to make.
  void add_user(const std::string&) const override {}

  // The instance's dovecot.conf, for running Dovecot tools by hand.
  std::string config_file() const { return root_ + "/dovecot.conf"; }

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
};

}  // namespace mailferry::testing
