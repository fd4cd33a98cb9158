#include "mailferry/pst/text.hpp"

#include <iconv.h>
#include <libpst/libpst.h>

#include <cerrno>
#include <map>

namespace mailferry::pst {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// Windows code pages whose iconv name is not simply "CP<n>".
const std::map<int, const char*>& named_codepages() {
  static const std::map<int, const char*> names{
      {874, "WINDOWS-874"},   {1200, "UTF-16LE"},     {1201, "UTF-16BE"},
      {10000, "MACINTOSH"},   {20127, "ASCII"},       {20866, "KOI8-R"},
      {21866, "KOI8-U"},      {50220, "ISO-2022-JP"}, {50221, "ISO-2022-JP"},
      {50222, "ISO-2022-JP"}, {50225, "ISO-2022-KR"}, {51932, "EUC-JP"},
      {51936, "GB2312"},      {51949, "EUC-KR"},      {52936, "HZ-GB-2312"},
      {54936, "GB18030"},     {65000, "UTF-7"},       {65001, "UTF-8"},
  };
  return names;
}

bool iconv_knows(const std::string& charset) {
  iconv_t cd = iconv_open("UTF-8", charset.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return false;
  iconv_close(cd);
  return true;
}

// Length of the valid UTF-8 sequence at `s`, 0 if invalid.
std::size_t utf8_sequence(std::string_view s) {
  const auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char c = b(0);
  if (c < 0x80) return 1;
  std::size_t len = 0;
  std::uint32_t cp = 0;
  if ((c & 0xE0) == 0xC0) {
    len = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (s.size() < len) return 0;
  for (std::size_t i = 1; i < len; ++i) {
    if ((b(i) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i) & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are invalid.
  static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

std::string sanitize_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  while (!s.empty()) {
    std::size_t n = utf8_sequence(s);
    if (n == 0) {
      out += kReplacement;
      n = 1;
    } else {
      out.append(s.substr(0, n));
    }
    s.remove_prefix(n);
  }
  return out;
}

}  // namespace

std::string charset_for_codepage(int codepage) {
  if (codepage <= 0) return {};
  static std::map<int, std::string> cache;
  if (auto it = cache.find(codepage); it != cache.end()) return it->second;
  std::string name;
  if (auto it = named_codepages().find(codepage); it != named_codepages().end()) {
    name = it->second;
  } else if (codepage >= 28591 && codepage <= 28606) {
    name = "ISO-8859-" + std::to_string(codepage - 28590);
  } else {
    name = "CP" + std::to_string(codepage);
  }
  if (!iconv_knows(name)) name.clear();
  cache.emplace(codepage, name);
  return name;
}

std::string mime_charset_for_codepage(int codepage) {
  static const std::map<int, const char*> names{
      {874, "windows-874"},    {932, "shift_jis"},     {936, "gb2312"},
      {949, "ks_c_5601-1987"}, {950, "big5"},          {1200, "utf-16le"},
      {1201, "utf-16be"},      {10000, "macintosh"},   {20127, "us-ascii"},
      {20866, "koi8-r"},       {21866, "koi8-u"},      {50220, "iso-2022-jp"},
      {50221, "iso-2022-jp"},  {50222, "iso-2022-jp"}, {50225, "iso-2022-kr"},
      {51932, "euc-jp"},       {51936, "gb2312"},      {51949, "euc-kr"},
      {52936, "hz-gb-2312"},   {54936, "gb18030"},     {65000, "utf-7"},
      {65001, "utf-8"},
  };
  if (auto it = names.find(codepage); it != names.end()) return it->second;
  if (codepage >= 1250 && codepage <= 1258) return "windows-" + std::to_string(codepage);
  if (codepage >= 28591 && codepage <= 28606) return "iso-8859-" + std::to_string(codepage - 28590);
  return {};
}

bool is_valid_utf8(std::string_view bytes) {
  while (!bytes.empty()) {
    std::size_t n = utf8_sequence(bytes);
    if (n == 0) return false;
    bytes.remove_prefix(n);
  }
  return true;
}

std::string to_utf8(std::string_view bytes, const std::string& charset) {
  std::string cs = charset.empty() ? std::string("CP1252") : charset;
  if (cs == "UTF-8" || cs == "utf-8") return sanitize_utf8(bytes);
  iconv_t cd = iconv_open("UTF-8", cs.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) cd = iconv_open("UTF-8", "CP1252");
  if (cd == reinterpret_cast<iconv_t>(-1)) return sanitize_utf8(bytes);

  std::string out;
  out.reserve(bytes.size() * 2);
  char buffer[4096];
  char* in = const_cast<char*>(bytes.data());
  std::size_t in_left = bytes.size();
  while (true) {
    char* o = buffer;
    std::size_t o_left = sizeof buffer;
    std::size_t rc =
        in_left ? iconv(cd, &in, &in_left, &o, &o_left) : iconv(cd, nullptr, nullptr, &o, &o_left);
    out.append(buffer, static_cast<std::size_t>(o - buffer));
    if (rc != static_cast<std::size_t>(-1)) {
      if (in_left == 0) break;
      continue;
    }
    if (errno == E2BIG) continue;
    // EILSEQ / EINVAL: an undecodable or truncated sequence; skip one byte.
    out += kReplacement;
    ++in;
    --in_left;
    iconv(cd, nullptr, nullptr, nullptr, nullptr);
    if (in_left == 0) break;
  }
  iconv_close(cd);
  return sanitize_utf8(out);
}

std::string utf16le_to_utf8(std::string_view bytes) {
  if (bytes.size() % 2) bytes.remove_suffix(1);
  return to_utf8(bytes, "UTF-16LE");
}

std::string decode(const pst_string& s, int codepage) {
  if (!s.str) return {};
  std::string_view raw(s.str);
  if (s.is_utf8) return sanitize_utf8(raw);
  return to_utf8(raw, charset_for_codepage(codepage));
}

}  // namespace mailferry::pst
