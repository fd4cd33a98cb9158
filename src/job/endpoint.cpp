#include "mailferry/job/endpoint.hpp"

#include <array>
#include <cctype>
#include <cstdlib>

#include "mailferry/core/error.hpp"

namespace mailferry::job {
namespace {

struct SchemeName {
  Scheme scheme;
  std::string_view prefix;
  int default_port;
};

constexpr std::array<SchemeName, 8> kSchemes{{
    {Scheme::Imaps, "imaps://", 993},
    {Scheme::Imap, "imap://", 143},
    {Scheme::Pop3s, "pop3s://", 995},
    {Scheme::Pop3, "pop3://", 110},
    {Scheme::Mbox, "mbox:", 0},
    {Scheme::Pst, "pst:", 0},
    {Scheme::Eml, "eml:", 0},
    {Scheme::Maildir, "maildir:", 0},
}};

std::string expand_home(std::string path) {
  if (path == "~" || path.rfind("~/", 0) == 0) {
    const char* home = std::getenv("HOME");
    if (home != nullptr) path = std::string(home) + path.substr(1);
  }
  return path;
}

// The URL as it may be shown: a password someone put in it is masked, since
// error messages end up in terminals, logs and cron mail.
std::string redacted(std::string_view url) {
  std::string text(url);
  auto scheme_end = text.find("://");
  if (scheme_end == std::string::npos) return text;
  auto authority_end = text.find('/', scheme_end + 3);
  auto at = text.rfind('@', authority_end);
  if (at == std::string::npos || at < scheme_end) return text;
  auto colon = text.find(':', scheme_end + 3);
  if (colon == std::string::npos || colon > at) return text;
  return text.substr(0, colon + 1) + "****" + text.substr(at);
}

[[noreturn]] void fail(std::string_view role, std::string_view url, const std::string& why) {
  throw core::UsageError(std::string(role) + ": '" + redacted(url) + "': " + why);
}

}  // namespace

bool Endpoint::is_network() const { return is_imap() || is_pop3(); }

int Endpoint::effective_port() const {
  if (port != 0) return port;
  for (const auto& s : kSchemes)
    if (s.scheme == scheme) return s.default_port;
  return 0;
}

std::string Endpoint::to_string() const {
  for (const auto& s : kSchemes) {
    if (s.scheme != scheme) continue;
    if (!is_network()) return std::string(s.prefix) + path;
    // An IPv6 address goes in brackets, as in the URL it came from.
    const std::string shown_host = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return std::string(s.prefix) + user + "@" + shown_host + ":" + std::to_string(effective_port());
  }
  return path;
}

Endpoint parse_endpoint(std::string_view url, std::string_view role) {
  const SchemeName* found = nullptr;
  for (const auto& s : kSchemes)
    if (url.substr(0, s.prefix.size()) == s.prefix) found = &s;
  if (found == nullptr)
    fail(role, url,
         "unknown endpoint; use mbox:PATH, pst:PATH, eml:PATH, maildir:PATH, imap://USER@HOST, "
         "imaps://USER@HOST, pop3://USER@HOST or pop3s://USER@HOST");

  Endpoint ep;
  ep.scheme = found->scheme;
  std::string_view rest = url.substr(found->prefix.size());
  if (!ep.is_network()) {
    if (rest.empty()) fail(role, url, "the path is missing");
    ep.path = expand_home(std::string(rest));
    return ep;
  }

  // Drop a trailing "/" or "/path" part: the folder is chosen with --to-folder.
  std::string_view authority = rest.substr(0, rest.find('/'));
  // The user may itself contain '@' (alice@example.com@imap.example.com): the
  // host starts after the last one.
  auto at = authority.rfind('@');
  if (at == std::string_view::npos)
    fail(role, url, "the user name is missing (write " + std::string(found->prefix) + "USER@HOST)");
  std::string_view userinfo = authority.substr(0, at);
  std::string_view hostport = authority.substr(at + 1);
  if (userinfo.find(':') != std::string_view::npos) {
    const bool to = role.find("to") != std::string_view::npos;
    // `list` names its endpoint's password with options of its own.
    const std::string instead =
        role == "list" ? "--password-file FILE, or MAILFERRY_FROM_PASSWORD (for an IMAP "
                         "account MAILFERRY_TO_PASSWORD)"
        : to           ? "--to-password-file FILE or MAILFERRY_TO_PASSWORD, or password_file, "
                         "password_env or password_command in a job file"
                       : "--from-password-file FILE or MAILFERRY_FROM_PASSWORD, or password_file, "
                         "password_env or password_command in a job file";
    fail(role, url,
         "a password in the URL is refused: it would show in shell history and process lists. "
         "Use " +
             instead);
  }
  if (userinfo.empty()) fail(role, url, "the user name is empty");
  ep.user = std::string(userinfo);
  // Percent-decoding of the user part: "alice%40example.com" is common in URLs.
  std::string decoded;
  for (size_t i = 0; i < ep.user.size(); ++i) {
    if (ep.user[i] == '%' && i + 2 < ep.user.size() && std::isxdigit(ep.user[i + 1]) &&
        std::isxdigit(ep.user[i + 2])) {
      decoded += static_cast<char>(std::strtol(ep.user.substr(i + 1, 2).c_str(), nullptr, 16));
      i += 2;
    } else {
      decoded += ep.user[i];
    }
  }
  ep.user = decoded;

  if (!hostport.empty() && hostport.front() == '[') {  // IPv6 literal
    auto close = hostport.find(']');
    if (close == std::string_view::npos) fail(role, url, "unterminated IPv6 address");
    ep.host = std::string(hostport.substr(1, close - 1));
    // Hex digits, ':' and '.' (an IPv4 tail), and a zone after '%'.
    const auto zone = ep.host.find('%');
    if (ep.host.empty() ||
        ep.host.substr(0, zone).find_first_not_of("0123456789abcdefABCDEF:.") != std::string::npos)
      fail(role, url, "bad IPv6 address '[" + ep.host + "]'");
    hostport = hostport.substr(close + 1);
    if (!hostport.empty() && hostport.front() != ':') fail(role, url, "bad text after the host");
  } else {
    auto colon = hostport.rfind(':');
    ep.host = std::string(hostport.substr(0, colon));
    hostport = colon == std::string_view::npos ? std::string_view{} : hostport.substr(colon);
    for (unsigned char c : ep.host)
      if (c <= ' ' || c == 0x7f || c == '[' || c == ']' || c == '%' || c == '\\' || c == ':')
        fail(role, url,
             "bad character in the host name '" + ep.host +
                 "' (an IPv6 address goes in brackets: imaps://USER@[::1]:993)");
  }
  if (!hostport.empty()) {  // ":PORT"
    std::string port_text(hostport.substr(1));
    char* end = nullptr;
    long p = std::strtol(port_text.c_str(), &end, 10);
    if (port_text.empty() || *end != '\0' || p <= 0 || p > 65535)
      fail(role, url, "bad port number '" + port_text + "'");
    ep.port = static_cast<int>(p);
  }
  if (ep.host.empty()) fail(role, url, "the host is missing");
  return ep;
}

}  // namespace mailferry::job
