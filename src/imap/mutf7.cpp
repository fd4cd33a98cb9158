#include "mailferry/imap/mutf7.hpp"

#include <cstdint>
#include <vector>

namespace mailferry::imap {
namespace {

// RFC 3501 uses the base64 alphabet with ',' in place of '/'.
constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == ',') return 63;
  return -1;
}

bool is_direct(unsigned char c) { return c >= 0x20 && c <= 0x7e; }

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

[[noreturn]] void bad_utf8(std::string_view s, std::size_t pos, const char* why) {
  throw Mutf7Error("folder name " + quoted(s) + " is not valid UTF-8 (" + why + " at byte " +
                   std::to_string(pos + 1) + ")");
}

[[noreturn]] void bad_mutf7(std::string_view s, std::size_t pos, const std::string& why) {
  throw Mutf7Error("folder name " + quoted(s) + " is not valid modified UTF-7: " + why +
                   " at byte " + std::to_string(pos + 1));
}

// Decodes one UTF-8 sequence at `pos`; advances `pos`. Throws on invalid input.
char32_t next_code_point(std::string_view s, std::size_t& pos) {
  auto fail = [&](const char* why) { bad_utf8(s, pos, why); };
  unsigned char lead = static_cast<unsigned char>(s[pos]);
  int extra;
  char32_t cp;
  if (lead < 0x80) {
    ++pos;
    return lead;
  } else if ((lead & 0xe0) == 0xc0) {
    extra = 1;
    cp = lead & 0x1f;
  } else if ((lead & 0xf0) == 0xe0) {
    extra = 2;
    cp = lead & 0x0f;
  } else if ((lead & 0xf8) == 0xf0) {
    extra = 3;
    cp = lead & 0x07;
  } else {
    bad_utf8(s, pos, "unexpected byte");
  }
  if (s.size() - pos <= static_cast<std::size_t>(extra)) fail("truncated sequence");
  for (int i = 1; i <= extra; ++i) {
    unsigned char c = static_cast<unsigned char>(s[pos + static_cast<std::size_t>(i)]);
    if ((c & 0xc0) != 0x80) fail("truncated sequence");
    cp = (cp << 6) | (c & 0x3f);
  }
  static constexpr char32_t kMin[] = {0, 0x80, 0x800, 0x10000};
  if (cp < kMin[extra]) fail("overlong sequence");
  if (cp >= 0xd800 && cp <= 0xdfff) fail("surrogate code point");
  if (cp > 0x10ffff) fail("code point past U+10FFFF");
  pos += static_cast<std::size_t>(extra) + 1;
  return cp;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

void append_base64(std::string& out, const std::vector<std::uint16_t>& units) {
  std::uint32_t bits = 0;
  int count = 0;
  for (std::uint16_t unit : units) {
    bits = (bits << 16) | unit;
    count += 16;
    while (count >= 6) {
      count -= 6;
      out += kAlphabet[(bits >> count) & 0x3f];
    }
    bits &= (1u << count) - 1;
  }
  if (count > 0) out += kAlphabet[(bits << (6 - count)) & 0x3f];
}

}  // namespace

std::string mutf7_encode(std::string_view utf8) {
  std::string out;
  std::vector<std::uint16_t> pending;  // UTF-16 units of the current shifted run
  auto flush = [&] {
    if (pending.empty()) return;
    out += '&';
    append_base64(out, pending);
    out += '-';
    pending.clear();
  };
  std::size_t pos = 0;
  while (pos < utf8.size()) {
    char32_t cp = next_code_point(utf8, pos);
    if (cp < 0x80 && is_direct(static_cast<unsigned char>(cp))) {
      flush();
      out += static_cast<char>(cp);
      if (cp == '&') out += '-';
    } else if (cp < 0x10000) {
      pending.push_back(static_cast<std::uint16_t>(cp));
    } else {
      char32_t v = cp - 0x10000;
      pending.push_back(static_cast<std::uint16_t>(0xd800 | (v >> 10)));
      pending.push_back(static_cast<std::uint16_t>(0xdc00 | (v & 0x3ff)));
    }
  }
  flush();
  return out;
}

std::string mutf7_decode(std::string_view in) {
  auto fail = [&](std::size_t at, const std::string& why) { bad_mutf7(in, at, why); };
  std::string out;
  std::size_t pos = 0;
  while (pos < in.size()) {
    unsigned char c = static_cast<unsigned char>(in[pos]);
    if (!is_direct(c)) fail(pos, c >= 0x80 ? "8-bit byte" : "control character");
    if (c != '&') {
      out += static_cast<char>(c);
      ++pos;
      continue;
    }
    std::size_t start = pos++;
    if (pos < in.size() && in[pos] == '-') {
      out += '&';
      ++pos;
      continue;
    }
    std::uint32_t bits = 0;
    int count = 0;
    char32_t high = 0;  // a pending high surrogate
    bool any = false;
    for (;;) {
      if (pos >= in.size()) fail(start, "'&' sequence without its closing '-'");
      char ch = in[pos];
      if (ch == '-') break;
      int v = base64_value(ch);
      if (v < 0) fail(pos, std::string("'") + ch + "' inside an '&' sequence");
      bits = (bits << 6) | static_cast<std::uint32_t>(v);
      count += 6;
      ++pos;
      if (count < 16) continue;
      count -= 16;
      char32_t unit = (bits >> count) & 0xffff;
      bits &= (1u << count) - 1;
      any = true;
      if (high != 0) {
        if (unit < 0xdc00 || unit > 0xdfff) fail(pos - 1, "unpaired UTF-16 surrogate");
        append_utf8(out, 0x10000 + ((high - 0xd800) << 10) + (unit - 0xdc00));
        high = 0;
      } else if (unit >= 0xd800 && unit <= 0xdbff) {
        high = unit;
      } else if (unit >= 0xdc00 && unit <= 0xdfff) {
        fail(pos - 1, "unpaired UTF-16 surrogate");
      } else if (unit < 0x80 && is_direct(static_cast<unsigned char>(unit))) {
        fail(pos - 1, "printable ASCII encoded in base64");
      } else {
        append_utf8(out, unit);
      }
    }
    if (!any) fail(start, "empty '&' sequence");
    if (high != 0) fail(pos, "unpaired UTF-16 surrogate");
    if (count >= 6 || bits != 0) fail(pos, "leftover bits in '&' sequence");
    ++pos;  // the '-'
  }
  return out;
}

}  // namespace mailferry::imap
