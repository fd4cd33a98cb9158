#include "mailferry/mime/display_text.hpp"

#include <gmime/gmime.h>

#include <algorithm>
#include <mutex>

namespace mailferry::mime {
namespace {

std::size_t sequence_length(unsigned char lead) {
  return lead < 0x80 ? 1 : lead >> 5 == 0x6 ? 2 : lead >> 4 == 0xE ? 3 : lead >> 3 == 0x1E ? 4 : 1;
}

// C0 and C1 controls and DEL: a subject must not move the cursor or change
// the terminal's colours.
bool is_control(std::string_view character) {
  const auto lead = static_cast<unsigned char>(character[0]);
  if (character.size() == 1) return lead < 0x20 || lead == 0x7F;
  return character.size() == 2 && lead == 0xC2 && static_cast<unsigned char>(character[1]) < 0xA0;
}

// Blanks and controls collapsed to single spaces, trimmed, then cut to
// `max_chars` characters (the last three "..." when it was longer).
std::string one_line(std::string_view text, std::size_t max_chars) {
  std::string out;
  std::size_t chars = 0;
  std::size_t cut_at = std::string::npos;  // where the text ends if it must be cut
  const std::size_t keep = max_chars > 3 ? max_chars - 3 : 0;
  bool blank = false;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = std::min(sequence_length(text[i]), text.size() - i);
    const std::string_view character = text.substr(i, length);
    i += length;
    if (character == " " || is_control(character)) {
      blank = true;
      continue;
    }
    if (blank && !out.empty()) {
      if (chars == keep) cut_at = out.size();
      out += ' ';
      ++chars;
    }
    blank = false;
    if (chars == keep && cut_at == std::string::npos) cut_at = out.size();
    out.append(character);
    ++chars;
  }
  if (chars <= max_chars) return out;
  out.resize(cut_at);
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out + "...";
}

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

}  // namespace

std::string decode_header_text(std::string_view value) {
  std::string text(value);
  const bool valid = g_utf8_validate(text.data(), static_cast<gssize>(text.size()), nullptr);
  if (valid && text.find("=?") == std::string::npos) return text;
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
  // Decodes RFC 2047 words and turns stray 8-bit text into UTF-8.
  char* decoded = g_mime_utils_header_decode_text(nullptr, text.c_str());
  if (decoded == nullptr) return text;
  std::string out(decoded);
  g_free(decoded);
  return out;
}

std::string display_subject(std::string_view raw, std::size_t max_chars) {
  return one_line(decode_header_text(raw), max_chars);
}

std::string display_sender(std::string_view raw, std::size_t max_chars) {
  // The first '<' outside a quoted string starts the address; what is before
  // it is the display name.
  bool quoted = false;
  std::size_t angle = std::string_view::npos;
  for (std::size_t i = 0; i < raw.size() && angle == std::string_view::npos; ++i) {
    if (raw[i] == '\\' && quoted)
      ++i;
    else if (raw[i] == '"')
      quoted = !quoted;
    else if (raw[i] == '<' && !quoted)
      angle = i;
  }
  if (angle == std::string_view::npos) return one_line(decode_header_text(trim(raw)), max_chars);
  std::string name;
  const std::string_view phrase = trim(raw.substr(0, angle));
  for (std::size_t i = 0; i < phrase.size(); ++i) {
    if (phrase[i] == '"') continue;
    if (phrase[i] == '\\' && i + 1 < phrase.size()) ++i;
    name += phrase[i];
  }
  std::string shown = one_line(decode_header_text(name), max_chars);
  if (!shown.empty()) return shown;
  std::string_view address = raw.substr(angle + 1);
  address = address.substr(0, address.find('>'));
  return one_line(trim(address), max_chars);
}

}  // namespace mailferry::mime
