#include "mailferry/net/greeting.hpp"

#include <cctype>
#include <cstdlib>

namespace mailferry::net {
namespace {

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(text[i])) !=
        std::toupper(static_cast<unsigned char>(prefix[i])))
      return false;
  return true;
}

// An SMTP (or FTP) reply code at the start of a line: three digits, then a
// space, a hyphen (a multi-line greeting) or the end of the line.
bool smtp_reply(std::string_view line) {
  if (line.size() < 3) return false;
  if (line[0] != '2' && line[0] != '4' && line[0] != '5') return false;
  if (!std::isdigit(static_cast<unsigned char>(line[1])) ||
      !std::isdigit(static_cast<unsigned char>(line[2])))
    return false;
  return line.size() == 3 || line[3] == ' ' || line[3] == '-' || line[3] == '\r';
}

}  // namespace

Speaks classify_greeting(std::string_view bytes) {
  if (bytes.empty()) return Speaks::Nothing;
  // A TLS record: handshake (22) or alert (21), then major version 3.
  const auto b0 = static_cast<unsigned char>(bytes[0]);
  if ((b0 == 0x16 || b0 == 0x15) && (bytes.size() < 2 || bytes[1] == 0x03)) return Speaks::Tls;
  if (starts_with_nocase(bytes, "* OK") || starts_with_nocase(bytes, "* PREAUTH") ||
      starts_with_nocase(bytes, "* BYE"))
    return Speaks::Imap;
  if (starts_with_nocase(bytes, "+OK") || starts_with_nocase(bytes, "-ERR")) return Speaks::Pop3;
  if (starts_with_nocase(bytes, "HTTP/")) return Speaks::Http;
  if (smtp_reply(bytes)) return Speaks::Smtp;
  return Speaks::Other;
}

std::string speaks_name(Speaks speaks) {
  switch (speaks) {
    case Speaks::Nothing:
      return "nothing";
    case Speaks::Imap:
      return "IMAP";
    case Speaks::Pop3:
      return "POP3";
    case Speaks::Smtp:
      return "SMTP";
    case Speaks::Http:
      return "HTTP";
    case Speaks::Tls:
      return "TLS";
    case Speaks::Other:
      break;
  }
  return "an unknown protocol";
}

bool greets_as(Speaks speaks, Protocol protocol) {
  return speaks == (protocol == Protocol::Imap ? Speaks::Imap : Speaks::Pop3);
}

std::chrono::milliseconds greeting_timeout_from_environment() {
  constexpr std::chrono::seconds kDefault{10};
  const char* text = std::getenv("MAILFERRY_GREETING_TIMEOUT");
  if (text == nullptr || *text == '\0') return kDefault;
  char* end = nullptr;
  const long seconds = std::strtol(text, &end, 10);
  // Anything unreadable keeps the default: a typo must not turn the limit off.
  if (*end != '\0' || seconds < 1 || seconds > 3600) return kDefault;
  return std::chrono::seconds(seconds);
}

}  // namespace mailferry::net
