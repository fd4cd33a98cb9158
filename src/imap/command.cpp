#include "mailferry/imap/command.hpp"

#include <strings.h>

#include "mailferry/imap/mutf7.hpp"

namespace mailferry::imap {
namespace {

// ASTRING-CHAR of RFC 3501: any CHAR except atom-specials, but ']' is allowed.
bool is_astring_char(unsigned char c) {
  if (c <= 0x20 || c >= 0x7f) return false;
  switch (c) {
    case '(':
    case ')':
    case '{':
    case '%':
    case '*':
    case '"':
    case '\\':
      return false;
    default:
      return true;
  }
}

// Quoted strings are short, 7-bit, and hold no CR, LF or NUL.
constexpr std::size_t kMaxQuoted = 1024;

}  // namespace

StringForm astring_form(std::string_view value) {
  bool atom = !value.empty();
  bool quotable = value.size() <= kMaxQuoted;
  for (char ch : value) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (!is_astring_char(c)) atom = false;
    if (c == 0 || c == '\r' || c == '\n' || c >= 0x80) quotable = false;
  }
  // A bare NIL would read as "no value" to some servers.
  if (atom && value.size() == 3 && strncasecmp(value.data(), "NIL", 3) == 0) atom = false;
  if (atom) return StringForm::Atom;
  return quotable ? StringForm::Quoted : StringForm::Literal;
}

std::string quote(std::string_view value) {
  std::string out;
  out.reserve(value.size() + 2);
  out += '"';
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

Command::Command(std::string_view verb) : verb_(verb) {
  parts_.push_back({Part::Kind::Text, std::string(verb), 0, {}});
}

void Command::text(std::string_view bytes) {
  if (parts_.back().kind == Part::Kind::Text)
    parts_.back().bytes += bytes;
  else
    parts_.push_back({Part::Kind::Text, std::string(bytes), 0, {}});
}

Command& Command::raw(std::string_view value) {
  text(" ");
  text(value);
  return *this;
}

Command& Command::astring(std::string_view value) {
  switch (astring_form(value)) {
    case StringForm::Atom:
      return raw(value);
    case StringForm::Quoted:
      return raw(quote(value));
    case StringForm::Literal:
      return literal(std::string(value));
  }
  return *this;
}

Command& Command::string(std::string_view value) {
  if (astring_form(value) == StringForm::Literal) return literal(std::string(value));
  return raw(quote(value));
}

Command& Command::mailbox(std::string_view utf8_name) {
  if (utf8_name.size() == 5 && strncasecmp(utf8_name.data(), "INBOX", 5) == 0) return raw("INBOX");
  return astring(mutf7_encode(utf8_name));
}

Command& Command::literal(std::string bytes) {
  text(" ");
  std::uint64_t size = bytes.size();
  parts_.push_back({Part::Kind::Literal, std::move(bytes), size, {}});
  return *this;
}

Command& Command::body(std::uint64_t size, BodyOpener open) {
  text(" ");
  parts_.push_back({Part::Kind::Body, {}, size, std::move(open)});
  return *this;
}

bool Command::has_literals() const {
  for (const auto& p : parts_)
    if (p.kind != Part::Kind::Text) return true;
  return false;
}

std::string Command::summary() const {
  std::string out;
  for (const auto& p : parts_) {
    if (p.kind == Part::Kind::Text)
      out += p.bytes;
    else
      out.append("{").append(std::to_string(p.size)).append("}");
  }
  return out;
}

}  // namespace mailferry::imap
