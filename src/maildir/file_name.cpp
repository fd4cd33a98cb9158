#include "mailferry/maildir/file_name.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

namespace mailferry::maildir {
namespace {

// The position of the info separator of "UNIQUE:2,INFO", or npos.
std::size_t info_separator(std::string_view name) {
  for (std::size_t at = name.size(); at >= 3; --at) {
    const std::size_t i = at - 3;
    const char c = name[i];
    if ((c == ':' || c == ';' || c == '!') && name[i + 1] == '2' && name[i + 2] == ',') return i;
  }
  return std::string_view::npos;
}

// The number after ",FIELD=" in `unique`, when it is there and whole.
std::optional<std::uint64_t> size_field(std::string_view unique, std::string_view field) {
  const std::size_t at = unique.find(field);
  if (at == std::string_view::npos) return std::nullopt;
  const char* begin = unique.data() + at + field.size();
  const char* end = unique.data() + unique.size();
  std::uint64_t value = 0;
  auto r = std::from_chars(begin, end, value);
  if (r.ec != std::errc{} || r.ptr == begin || (r.ptr != end && *r.ptr != ',')) return std::nullopt;
  return value;
}

}  // namespace

FileName parse_file_name(std::string_view name) {
  FileName out;
  const std::size_t sep = info_separator(name);
  if (sep != std::string_view::npos) {
    out.has_info = true;
    out.info = std::string(name.substr(sep + 3));
    name = name.substr(0, sep);
  }
  out.unique = std::string(name);
  out.size = size_field(name, ",S=");
  out.virtual_size = size_field(name, ",W=");
  return out;
}

KeywordTable KeywordTable::read(const std::filesystem::path& dir) {
  std::ifstream in(dir / "dovecot-keywords", std::ios::binary);
  if (!in) return {};
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str());
}

KeywordTable KeywordTable::parse(std::string_view text) {
  KeywordTable table;
  while (!text.empty()) {
    std::size_t lf = text.find('\n');
    std::string_view line = text.substr(0, lf);
    text = lf == std::string_view::npos ? std::string_view{} : text.substr(lf + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    unsigned index = 0;
    auto r = std::from_chars(line.data(), line.data() + line.size(), index);
    if (r.ec != std::errc{} || index >= 26 || r.ptr == line.data() + line.size() || *r.ptr != ' ')
      continue;
    table.names_[index] =
        std::string(line.substr(static_cast<std::size_t>(r.ptr - line.data()) + 1));
  }
  return table;
}

const std::string& KeywordTable::name(char letter) const {
  static const std::string kNone;
  if (letter < 'a' || letter > 'z') return kNone;
  return names_[static_cast<std::size_t>(letter - 'a')];
}

InfoFlags flags_from_info(std::string_view info, const KeywordTable& keywords) {
  InfoFlags out;
  for (char c : info) {
    switch (c) {
      case 'D':
        out.flags.add(core::Flag::Draft);
        break;
      case 'F':
        out.flags.add(core::Flag::Flagged);
        break;
      case 'P':
        out.flags.add(core::Flag::Forwarded);
        break;
      case 'R':
        out.flags.add(core::Flag::Answered);
        break;
      case 'S':
        out.flags.add(core::Flag::Seen);
        break;
      case 'T':
        out.trashed = true;
        break;
      default:
        if (c >= 'a' && c <= 'z') {
          const std::string& name = keywords.name(c);
          core::Flags keyword;
          // A keyword is never a system flag, even when a file says "\Seen".
          if (!name.empty() && name.front() != '\\') keyword.add_imap_token(name);
          if (keyword.empty())
            out.dropped_keywords.push_back(name.empty() ? std::string("letter ") + c : name);
          else
            out.flags.add(keyword);
        }
        // Other letters (experimental or future flags) mean nothing to IMAP.
        break;
    }
  }
  return out;
}

}  // namespace mailferry::maildir
