// A real Cyrus IMAP or Courier-IMAP from Debian's packages, unpacked privately
// (never installed) and started on free loopback ports by
// tests/<kind>/start-<kind>.sh in a private temporary directory. Destroying
// the object stops the server and removes its directory.
#pragma once

#include <string>

#include "support/mail_server.hpp"

namespace mailferry::testing {

class PackagedServer : public MailServer {
 public:
  // `kind`: "cyrus" or "courier".
  explicit PackagedServer(std::string kind);
  ~PackagedServer() override;

  std::string kind() const override { return kind_; }
  // tests/<kind>/add-users.sh: the account, with password().
  void add_user(const std::string& user) const override;
  // The server's log so far, for failure messages.
  std::string log() const;

 private:
  std::string script(const std::string& name) const;
  void stop_and_remove() noexcept;

  std::string kind_;
  std::string log_file_;
};

}  // namespace mailferry::testing
