#include "mailferry/pst/password.hpp"

#include <iconv.h>

#include <algorithm>
#include <optional>
#include <string>

#include "mailferry/pst/block_trailer.hpp"
#include "mailferry/pst/text.hpp"

namespace mailferry::pst {
namespace {

// `utf8` in the Windows code page, or nothing when it has no such spelling.
std::optional<std::string> in_codepage(std::string_view utf8, int codepage) {
  iconv_t cd = iconv_open(charset_for_codepage(codepage).c_str(), "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  std::string out(utf8.size() * 4, '\0');
  char* in = const_cast<char*>(utf8.data());
  std::size_t in_left = utf8.size();
  char* o = out.data();
  std::size_t o_left = out.size();
  const bool converted = iconv(cd, &in, &in_left, &o, &o_left) != static_cast<std::size_t>(-1) &&
                         iconv(cd, nullptr, nullptr, &o, &o_left) != static_cast<std::size_t>(-1);
  iconv_close(cd);
  if (!converted || in_left != 0) return std::nullopt;
  out.resize(out.size() - o_left);
  return out;
}

}  // namespace

bool password_matches(std::uint32_t stored, std::string_view password, int ansi_codepage) {
  if (pst_crc32(password) == stored) return true;
  const bool ascii =
      std::all_of(password.begin(), password.end(), [](char c) { return (c & 0x80) == 0; });
  if (ascii) return false;
  const auto ansi = in_codepage(password, ansi_codepage);
  return ansi && pst_crc32(*ansi) == stored;
}

}  // namespace mailferry::pst
