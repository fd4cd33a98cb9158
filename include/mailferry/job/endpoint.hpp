// Endpoint URLs as users write them: "mbox:PATH", "pst:PATH", "eml:PATH", "maildir:PATH",
// "imap://USER@HOST[:PORT]", "imaps://...", "pop3://...", "pop3s://...".
//
// A password inside a URL is refused (it would end up in shell history, ps
// output and logs); the error names the safe ways to give one.
#pragma once

#include <string>
#include <string_view>

namespace mailferry::job {

enum class Scheme { Mbox, Pst, Eml, Maildir, Imap, Imaps, Pop3, Pop3s };

struct Endpoint {
  Scheme scheme = Scheme::Mbox;
  std::string path;  // file schemes: the path, with a leading "~/" expanded
  std::string user;  // network schemes
  std::string host;
  int port = 0;  // 0: the scheme's default

  bool is_network() const;
  bool is_imap() const { return scheme == Scheme::Imap || scheme == Scheme::Imaps; }
  bool is_pop3() const { return scheme == Scheme::Pop3 || scheme == Scheme::Pop3s; }
  bool implicit_tls() const { return scheme == Scheme::Imaps || scheme == Scheme::Pop3s; }
  int effective_port() const;
  // The URL again, canonical and secret-free ("imaps://alice@host:993").
  std::string to_string() const;
};

// Parses an endpoint URL. `role` ("--from", "--to", or a job-file key path)
// is named in errors. Throws core::UsageError.
Endpoint parse_endpoint(std::string_view url, std::string_view role);

}  // namespace mailferry::job
