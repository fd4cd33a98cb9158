// What a port's first bytes say, and the advice a wrong port or scheme gets.
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "mailferry/net/greeting.hpp"
#include "mailferry/net/wrong_port.hpp"

using namespace mailferry;
using net::Speaks;

namespace {

net::ConnectOptions wanted(net::Protocol protocol, bool tls, int port) {
  net::ConnectOptions o;
  o.protocol = protocol;
  o.implicit_tls = tls;
  o.host = "mail.example.com";
  o.user = "alice";
  o.port = port;
  return o;
}

net::PortProbe found(Speaks speaks, bool tls, std::string line = "") {
  net::PortProbe p;
  p.reached = true;
  p.tls = tls;
  p.speaks = speaks;
  p.first_line = std::move(line);
  return p;
}

std::string advice(const net::ConnectOptions& o, const net::PortProbe& p) {
  return net::explain_wrong_port(o, p, std::chrono::seconds(10)).value_or("(none)");
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("greeting: each protocol's first line is recognised") {
  CHECK(net::classify_greeting("* OK [CAPABILITY IMAP4rev1] ready\r\n") == Speaks::Imap);
  CHECK(net::classify_greeting("* PREAUTH logged in") == Speaks::Imap);
  CHECK(net::classify_greeting("* BYE too many connections") == Speaks::Imap);
  CHECK(net::classify_greeting("+OK Dovecot ready.") == Speaks::Pop3);
  CHECK(net::classify_greeting("-ERR [SYS/TEMP] try later") == Speaks::Pop3);
  CHECK(net::classify_greeting("220 smtp.example.com ESMTP Postfix") == Speaks::Smtp);
  CHECK(net::classify_greeting("220-first line of a long greeting") == Speaks::Smtp);
  CHECK(net::classify_greeting("554 no service") == Speaks::Smtp);
  CHECK(net::classify_greeting("HTTP/1.1 400 Bad Request\r\n") == Speaks::Http);
  CHECK(net::classify_greeting(std::string("\x16\x03\x03\x00\x7a", 5)) == Speaks::Tls);
  CHECK(net::classify_greeting(std::string("\x15\x03\x01\x00\x02", 5)) == Speaks::Tls);
  CHECK(net::classify_greeting("") == Speaks::Nothing);
  CHECK(net::classify_greeting("SSH-2.0-OpenSSH_9.2") == Speaks::Other);
  CHECK(net::classify_greeting("2200 not a reply code") == Speaks::Other);
  CHECK(net::greets_as(Speaks::Imap, net::Protocol::Imap));
  CHECK_FALSE(net::greets_as(Speaks::Pop3, net::Protocol::Imap));
}

TEST_CASE("greeting: MAILFERRY_GREETING_TIMEOUT sets the limit in seconds, 10 s otherwise") {
  ::unsetenv("MAILFERRY_GREETING_TIMEOUT");
  CHECK(net::greeting_timeout_from_environment() == std::chrono::seconds(10));
  ::setenv("MAILFERRY_GREETING_TIMEOUT", "3", 1);
  CHECK(net::greeting_timeout_from_environment() == std::chrono::seconds(3));
  for (const char* bad : {"0", "-4", "ten", "5s", ""}) {
    ::setenv("MAILFERRY_GREETING_TIMEOUT", bad, 1);
    CHECK(net::greeting_timeout_from_environment() == std::chrono::seconds(10));
  }
  ::unsetenv("MAILFERRY_GREETING_TIMEOUT");
}

TEST_CASE("wrong port: another mail protocol names its scheme at the same port") {
  const auto imaps = wanted(net::Protocol::Imap, true, 995);
  const auto text = advice(imaps, found(Speaks::Pop3, true));
  CHECK(has(text, "this port speaks POP3"));
  CHECK(has(text, "not IMAP"));
  CHECK(has(text, "pop3s://alice@mail.example.com:995"));
  CHECK(has(text, "993"));

  const auto pop3 = wanted(net::Protocol::Pop3, false, 143);
  const auto other = advice(pop3, found(Speaks::Imap, false));
  CHECK(has(other, "speaks IMAP in plain text, not POP3"));
  CHECK(has(other, "imap://alice@mail.example.com:143"));
}

TEST_CASE("wrong port: the TLS mode is named when only it is wrong") {
  const auto plain_server =
      advice(wanted(net::Protocol::Imap, true, 143), found(Speaks::Imap, false));
  CHECK(has(plain_server, "does not speak TLS on this port"));
  CHECK(has(plain_server, "imap://alice@mail.example.com:143 (STARTTLS)"));

  const auto tls_server =
      advice(wanted(net::Protocol::Pop3, false, 995), found(Speaks::Pop3, true));
  CHECK(has(tls_server, "expects TLS"));
  CHECK(has(tls_server, "pop3s://alice@mail.example.com:995"));
  CHECK(has(tls_server, "STLS"));
}

TEST_CASE("wrong port: SMTP, HTTP and silence point at the protocol's usual ports") {
  const auto imap = wanted(net::Protocol::Imap, true, 587);
  const auto smtp = advice(imap, found(Speaks::Smtp, false, "220 mx ESMTP"));
  CHECK(has(smtp, "speaks SMTP"));
  CHECK(has(smtp, "imaps://"));
  CHECK(has(smtp, "993"));
  const auto http = advice(wanted(net::Protocol::Pop3, false, 80), found(Speaks::Http, false));
  CHECK(has(http, "speaks HTTP"));
  CHECK(has(http, "pop3s://"));
  CHECK(has(http, "995"));
  const auto silent = advice(imap, found(Speaks::Nothing, false));
  CHECK(has(silent, "no greeting within 10 s"));
  CHECK(has(silent, "MAILFERRY_GREETING_TIMEOUT"));
  const auto odd = advice(imap, found(Speaks::Other, false, "SSH-2.0-OpenSSH_9.2"));
  CHECK(has(odd, "SSH-2.0-OpenSSH_9.2"));
}

TEST_CASE("wrong port: a port that is right, or was not reached, gets no advice") {
  CHECK_FALSE(net::explain_wrong_port(wanted(net::Protocol::Imap, true, 993),
                                      found(Speaks::Imap, true), std::chrono::seconds(10)));
  CHECK_FALSE(net::explain_wrong_port(wanted(net::Protocol::Pop3, false, 110),
                                      found(Speaks::Pop3, false), std::chrono::seconds(10)));
  CHECK_FALSE(net::explain_wrong_port(wanted(net::Protocol::Imap, true, 993), net::PortProbe{},
                                      std::chrono::seconds(10)));
}
