#include "mailferry/mbox/from_line.hpp"

#include "mailferry/mime/header_fields.hpp"

namespace mailferry::mbox {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// 2001-09-17 00:00:00 UTC: the date git format-patch writes into every From_ line.
constexpr std::time_t kGitPlaceholder = 1000684800;

}  // namespace

FromLine parse_from_line(std::string_view line) {
  FromLine result;
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.substr(0, 5) != "From ") return result;
  std::string_view rest = line.substr(5);
  while (!rest.empty() && is_blank(rest.front())) rest.remove_prefix(1);

  // The sender is one word (or, from pipermail, "user at domain"); the date
  // parser ignores words it does not know, so it can start right after the
  // first word. Without a sender, the date starts at once.
  std::size_t sender_end = 0;
  while (sender_end < rest.size() && !is_blank(rest[sender_end])) ++sender_end;
  std::size_t after = sender_end;
  while (after < rest.size() && is_blank(rest[after])) ++after;
  result.bare = after == rest.size();
  auto date = mime::parse_date_with_time(rest.substr(sender_end));
  if (!date) date = mime::parse_date_with_time(rest);
  if (!date) return result;
  result.has_date = true;
  if (date->utc == kGitPlaceholder && date->offset_minutes == 0) {
    result.placeholder_date = true;
    return result;
  }
  result.date = date;
  return result;
}

}  // namespace mailferry::mbox
