#include "mailferry/imap/data.hpp"

#include <strings.h>

#include <cctype>

namespace mailferry::imap {
namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::optional<std::uint32_t> small_number(const Value& v) {
  auto n = v.number();
  if (!n || *n > 0xffffffffu) return std::nullopt;
  return static_cast<std::uint32_t>(*n);
}

}  // namespace

std::optional<FetchData> parse_fetch(const Response& r) {
  if (r.kind != Response::Kind::Untagged || r.keyword != "FETCH" || !r.number ||
      r.data.size() != 1 || !r.data[0].is_list())
    return std::nullopt;
  FetchData out;
  out.sequence = *r.number;
  const auto& items = r.data[0].items;
  for (std::size_t i = 0; i + 1 < items.size(); i += 2) {
    const Value& name = items[i];
    const Value& value = items[i + 1];
    if (name.kind != Value::Kind::Atom) return std::nullopt;
    std::string key = upper(name.text);
    if (key == "UID") {
      out.uid = small_number(value);
      if (!out.uid) return std::nullopt;
    } else if (key == "FLAGS") {
      if (!value.is_list()) return std::nullopt;
      std::vector<std::string> flags;
      for (const auto& f : value.items)
        if (f.kind == Value::Kind::Atom) flags.push_back(f.text);
      out.flags = std::move(flags);
    } else if (key == "RFC822.SIZE") {
      out.rfc822_size = value.number();
      if (!out.rfc822_size) return std::nullopt;
    } else if (key == "INTERNALDATE") {
      if (!value.is_string_like()) return std::nullopt;
      out.internal_date = value.text;
    } else if (key.rfind("BODY[HEADER", 0) == 0 || key.rfind("RFC822.HEADER", 0) == 0) {
      if (!value.is_string_like() && !value.is_nil()) return std::nullopt;
      out.header = value.text;
    } else if (key == "BODY[]" || key == "RFC822") {
      if (!value.is_string_like() && !value.is_nil()) return std::nullopt;
      out.body = value.text;
      out.body_streamed = value.streamed;
    }
  }
  return out;
}

bool ListData::has_attribute(std::string_view wanted) const {
  for (const auto& a : attributes)
    if (a.size() == wanted.size() && strncasecmp(a.data(), wanted.data(), a.size()) == 0)
      return true;
  return false;
}

std::optional<ListData> parse_list(const Response& r) {
  if (r.kind != Response::Kind::Untagged || (r.keyword != "LIST" && r.keyword != "LSUB") ||
      r.data.size() < 3 || !r.data[0].is_list())
    return std::nullopt;
  ListData out;
  for (const auto& a : r.data[0].items)
    if (a.kind == Value::Kind::Atom) out.attributes.push_back(a.text);
  const Value& delimiter = r.data[1];
  if (delimiter.kind == Value::Kind::String && delimiter.text.size() == 1)
    out.delimiter = delimiter.text[0];
  else if (!delimiter.is_nil())
    return std::nullopt;
  if (!r.data[2].is_string_like()) return std::nullopt;
  out.name = r.data[2].text;
  return out;
}

std::optional<StatusData> parse_status(const Response& r) {
  if (r.kind != Response::Kind::Untagged || r.keyword != "STATUS" || r.data.size() != 2 ||
      !r.data[0].is_string_like() || !r.data[1].is_list())
    return std::nullopt;
  StatusData out;
  out.mailbox = r.data[0].text;
  const auto& items = r.data[1].items;
  for (std::size_t i = 0; i + 1 < items.size(); i += 2) {
    auto n = items[i + 1].number();
    if (items[i].kind != Value::Kind::Atom || !n) return std::nullopt;
    out.items[upper(items[i].text)] = *n;
  }
  return out;
}

}  // namespace mailferry::imap
