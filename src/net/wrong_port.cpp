#include "mailferry/net/wrong_port.hpp"

#include <string>

namespace mailferry::net {
namespace {

std::string protocol_name(Protocol p) { return p == Protocol::Imap ? "IMAP" : "POP3"; }

// The same account at the same host and port, with another scheme.
std::string url_with(const ConnectOptions& wanted, Protocol protocol, bool tls) {
  ConnectOptions other;
  other.protocol = protocol;
  other.implicit_tls = tls;
  other.host = wanted.host;
  other.user = wanted.user;
  other.port = wanted.effective_port();
  return other.display();
}

// Where the protocol usually is, for ports that speak no mail protocol at all.
std::string usual_ports(Protocol p) {
  return p == Protocol::Imap ? "the server's IMAP port (imaps://, usually 993, or imap:// with "
                               "STARTTLS, usually 143)"
                             : "the server's POP3 port (pop3s://, usually 995, or pop3:// with "
                               "STLS, usually 110)";
}

std::string seconds(std::chrono::milliseconds ms) {
  return std::to_string((ms.count() + 999) / 1000) + " s";
}

}  // namespace

std::optional<std::string> explain_wrong_port(const ConnectOptions& wanted, const PortProbe& found,
                                              std::chrono::milliseconds waited) {
  if (!found.reached) return std::nullopt;
  const Protocol want = wanted.protocol;
  const std::string want_name = protocol_name(want);
  const bool mail = found.speaks == Speaks::Imap || found.speaks == Speaks::Pop3;

  if (mail) {
    const Protocol has = found.speaks == Speaks::Imap ? Protocol::Imap : Protocol::Pop3;
    if (has == want) {
      if (found.tls == wanted.implicit_tls) return std::nullopt;
      const std::string upgrade = want == Protocol::Imap ? "STARTTLS" : "STLS";
      if (found.tls)
        return "the port expects TLS from the first byte (implicit TLS), so " + upgrade +
               " cannot work here: use " + url_with(wanted, want, true);
      return "the server does not speak TLS on this port (it greets in plain text): use " +
             url_with(wanted, want, false) + " (" + upgrade + ")";
    }
    const std::string right = url_with(wanted, has, found.tls);
    std::string text = "this port speaks " + protocol_name(has) +
                       (found.tls ? " over TLS" : " in plain text") + ", not " + want_name + ": ";
    if (has == Protocol::Pop3)
      return text + "use " + right + " (as a source, with --from), or " + usual_ports(want);
    return text + "use " + right + ", or " + usual_ports(want);
  }

  const std::string over = found.tls ? " over TLS" : "";
  switch (found.speaks) {
    case Speaks::Smtp:
      return "this port speaks SMTP" + over + " (mail submission or relay), not " + want_name +
             ": use " + usual_ports(want);
    case Speaks::Http:
      return "this port speaks HTTP" + over + " (a web server), not " + want_name + ": use " +
             usual_ports(want);
    case Speaks::Other:
      return "this port does not speak " + want_name + " (it greeted with \"" + found.first_line +
             "\"): use " + usual_ports(want);
    case Speaks::Nothing:
    case Speaks::Tls:
    default:
      break;
  }
  if (found.tls)
    return "the port speaks TLS but sent no " + want_name + " greeting inside it within " +
           seconds(waited) + ": use " + usual_ports(want);
  return "the server sent no greeting within " + seconds(waited) +
         ", neither in plain text nor over TLS, so this is not " + want_name + ": use " +
         usual_ports(want) +
         " (a server this slow to greet gets longer with MAILFERRY_GREETING_TIMEOUT)";
}

}  // namespace mailferry::net
