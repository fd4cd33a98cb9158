#include "mailferry/imap/response.hpp"

#include <strings.h>

namespace mailferry::imap {

bool Value::is_atom(std::string_view name) const {
  return kind == Kind::Atom && text.size() == name.size() &&
         strncasecmp(text.data(), name.data(), name.size()) == 0;
}

std::optional<std::uint64_t> Value::number() const {
  if (kind != Kind::Atom || text.empty() || text.size() > 19) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n;
}

bool Response::has_code(std::string_view name) const {
  return code && code->name.size() == name.size() &&
         strncasecmp(code->name.data(), name.data(), name.size()) == 0;
}

const char* status_name(Status status) {
  switch (status) {
    case Status::Ok:
      return "OK";
    case Status::No:
      return "NO";
    case Status::Bad:
      return "BAD";
    case Status::Bye:
      return "BYE";
    case Status::Preauth:
      return "PREAUTH";
    case Status::None:
      break;
  }
  return "";
}

}  // namespace mailferry::imap
