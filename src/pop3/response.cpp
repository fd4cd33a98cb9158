#include "mailferry/pop3/response.hpp"

#include <cctype>

namespace mailferry::pop3 {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(a[i])) !=
        std::toupper(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Status lines end up in error messages and logs: keep them printable.
std::string printable(std::string_view s, std::size_t limit) {
  std::string out;
  for (char c : s.substr(0, limit)) {
    auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7f) ? '?' : c;
  }
  if (s.size() > limit) out += "...";
  return out;
}

}  // namespace

ResponseCode classify_code(std::string_view code) {
  if (code.empty()) return ResponseCode::None;
  if (iequals(code, "IN-USE")) return ResponseCode::InUse;
  if (iequals(code, "LOGIN-DELAY")) return ResponseCode::LoginDelay;
  if (iequals(code, "AUTH")) return ResponseCode::Auth;
  // RFC 3206 codes are hierarchical: "SYS/TEMP/whatever" is still SYS/TEMP.
  auto first_two = code.substr(0, code.find('/', code.find('/') + 1));
  if (iequals(first_two, "SYS/TEMP")) return ResponseCode::SysTemp;
  if (iequals(first_two, "SYS/PERM")) return ResponseCode::SysPerm;
  return ResponseCode::Other;
}

ResponseCode Status::code_kind() const { return classify_code(code); }

std::string Status::describe() const {
  std::string out = ok ? "+OK" : "-ERR";
  if (!code.empty()) out += " [" + code + "]";
  if (!text.empty()) out += " " + text;
  return out;
}

Status parse_status_line(std::string_view line) {
  Status status;
  std::string_view rest;
  if (line.substr(0, 3) == "+OK") {
    status.ok = true;
    rest = line.substr(3);
  } else if (line.substr(0, 4) == "-ERR") {
    rest = line.substr(4);
  } else {
    throw ProtocolError("POP3 server sent an unexpected response line: \"" + printable(line, 200) +
                        "\"");
  }
  // "+OKAY" is not a status; the keyword must end the line or be followed by a space.
  if (!rest.empty() && rest.front() != ' ' && rest.front() != '\t')
    throw ProtocolError("POP3 server sent an unexpected response line: \"" + printable(line, 200) +
                        "\"");
  rest = trim(rest);
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    if (close != std::string_view::npos) {
      status.code = std::string(trim(rest.substr(1, close - 1)));
      rest = trim(rest.substr(close + 1));
    }
  }
  status.text = printable(rest, 1000);
  return status;
}

CommandError::CommandError(std::string command, Status status, core::ErrorScope scope)
    : core::SourceError("POP3 " + command + " failed: " + status.describe(), scope),
      command_(std::move(command)),
      status_(std::move(status)) {}

}  // namespace mailferry::pop3
