#include "mailferry/mime/header_fields.hpp"

#include <strings.h>

#include "mailferry/mime/bookkeeping_fields.hpp"

namespace mailferry::mime {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// One line without its terminator (LF or CRLF).
std::string_view chomp(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// Length of the field name if the line starts a field, else 0.
std::size_t field_name_length(std::string_view line) {
  std::size_t n = 0;
  while (n < line.size() && n <= 256) {
    const auto c = static_cast<unsigned char>(line[n]);
    if (c == ':' || c <= ' ' || c >= 127) break;
    ++n;
  }
  if (n == 0 || n > 256) return 0;
  std::size_t i = n;
  while (i < line.size() && is_blank(line[i])) ++i;  // obsolete "Name :" form
  return i < line.size() && line[i] == ':' ? n : 0;
}

}  // namespace

bool looks_like_header_field(std::string_view line) { return field_name_length(line) > 0; }

namespace {

// for_each_header_field, also telling how many bytes the field takes with
// CRLF line ends (its lines, continuation lines included), whatever line ends
// the block has: sizes that are compared with it are CRLF sizes.
template <typename Visit>
void for_each_field_with_length(std::string_view block, Visit&& visit) {
  std::string_view name;
  std::string value;  // unfolded so far
  bool open = false;  // a field is being collected
  std::size_t field_bytes = 0;

  auto flush = [&] {
    if (open) visit(name, trim(value), field_bytes);
    open = false;
  };

  std::size_t pos = 0;
  while (pos < block.size()) {
    std::size_t end = block.find('\n', pos);
    std::size_t next = end == std::string_view::npos ? block.size() : end + 1;
    std::string_view line = chomp(block.substr(pos, next - pos));
    pos = next;
    if (line.empty()) break;  // end of the header block
    if (is_blank(line.front())) {
      // Unfolding removes only the line break; the leading blank stays.
      if (open) {
        value.append(line);
        field_bytes += line.size() + 2;
      }
      continue;
    }
    flush();
    std::size_t n = field_name_length(line);
    if (n == 0) continue;  // not a field: it and its continuation lines are dropped
    name = line.substr(0, n);
    std::size_t colon = line.find(':', n);
    value.assign(line.substr(colon + 1));
    open = true;
    field_bytes = line.size() + 2;
  }
  flush();
}

}  // namespace

std::string_view header_field_name(std::string_view line) {
  return line.substr(0, field_name_length(line));
}

void for_each_header_field(
    std::string_view block,
    const std::function<void(std::string_view name, std::string_view value)>& visit) {
  for_each_field_with_length(block, [&](std::string_view name, std::string_view value,
                                        std::size_t) { visit(name, value); });
}

std::optional<std::string> find_header_field(std::string_view block, std::string_view name) {
  std::optional<std::string> found;
  for_each_header_field(block, [&](std::string_view n, std::string_view v) {
    if (!found && iequals(n, name)) found.emplace(v);
  });
  return found;
}

HeaderFields scan_header_fields(std::string_view block) {
  HeaderFields f;
  // Tracks "seen" separately from "non-empty": an empty first Subject still
  // wins over a later one, so both sides of the diff agree on the first field.
  bool seen_id = false, seen_date = false, seen_from = false, seen_to = false, seen_cc = false,
       seen_subject = false, seen_status = false, seen_x_status = false, seen_moz = false,
       seen_labels = false;
  auto take = [](bool& seen, std::string& into, std::string_view v) {
    if (seen) return;
    seen = true;
    into.assign(v);
  };
  for_each_field_with_length(
      block, [&](std::string_view n, std::string_view v, std::size_t length) {
        if (is_bookkeeping_field(n)) f.bookkeeping_bytes += length;
        if (iequals(n, "Message-ID")) {
          take(seen_id, f.message_id, v);
        } else if (iequals(n, "Date")) {
          take(seen_date, f.date, v);
        } else if (iequals(n, "From")) {
          take(seen_from, f.from, v);
        } else if (iequals(n, "To")) {
          take(seen_to, f.to, v);
        } else if (iequals(n, "Cc")) {
          take(seen_cc, f.cc, v);
        } else if (iequals(n, "Subject")) {
          take(seen_subject, f.subject, v);
        } else if (iequals(n, "Received")) {
          // The last Received: is the first hop, the closest to when it was sent.
          std::size_t semi = v.rfind(';');
          f.last_received_date =
              semi == std::string_view::npos ? "" : std::string(trim(v.substr(semi + 1)));
        } else if (iequals(n, "Status")) {
          take(seen_status, f.status, v);
        } else if (iequals(n, "X-Status")) {
          take(seen_x_status, f.x_status, v);
        } else if (iequals(n, "X-Mozilla-Status")) {
          take(seen_moz, f.x_mozilla_status, v);
        } else if (iequals(n, "X-Gmail-Labels")) {
          take(seen_labels, f.x_gmail_labels, v);
        } else if (iequals(n, "Disposition-Notification-To")) {
          if (!v.empty()) f.has_disposition_notification_to = true;
        }
      });
  return f;
}

}  // namespace mailferry::mime
