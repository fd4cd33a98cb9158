#include "mailferry/core/folder_rules.hpp"

#include "mailferry/core/role_names.hpp"

namespace mailferry::core {
namespace {

std::size_t code_point_length(std::string_view s, std::size_t i) {
  std::size_t n = 1;
  while (i + n < s.size() && (static_cast<unsigned char>(s[i + n]) & 0xC0) == 0x80) ++n;
  return n;
}

// '*' stays within a level, '**' crosses levels. Folder paths are short, so
// plain recursion is fine.
bool match(std::string_view p, std::string_view s) {
  if (p.empty()) return s.empty();
  if (p[0] == '*') {
    const bool crosses = p.size() > 1 && p[1] == '*';
    const std::string_view rest = p.substr(crosses ? 2 : 1);
    for (std::size_t i = 0;; i += code_point_length(s, i)) {
      if (match(rest, s.substr(i))) return true;
      if (i >= s.size() || (!crosses && s[i] == '/')) return false;
    }
  }
  if (s.empty()) return false;
  if (p[0] == '?') return s[0] != '/' && match(p.substr(1), s.substr(code_point_length(s, 0)));
  return p[0] == s[0] && match(p.substr(1), s.substr(1));
}

}  // namespace

std::string_view gmail_labels_name(GmailLabels mode) {
  switch (mode) {
    case GmailLabels::Each:
      return "each";
    case GmailLabels::First:
      return "first";
    case GmailLabels::Ignore:
      return "ignore";
  }
  return "each";
}

std::optional<GmailLabels> parse_gmail_labels(std::string_view name) {
  for (auto mode : {GmailLabels::Each, GmailLabels::First, GmailLabels::Ignore})
    if (gmail_labels_name(mode) == name) return mode;
  return std::nullopt;
}

bool folder_glob_matches(std::string_view pattern, std::string_view path) {
  const std::string p = fold_case(pattern);
  const std::string s = fold_case(path);
  for (std::size_t end = s.find('/');; end = s.find('/', end + 1)) {
    if (match(p, std::string_view(s).substr(0, end))) return true;
    if (end == std::string::npos) return false;
  }
}

}  // namespace mailferry::core
