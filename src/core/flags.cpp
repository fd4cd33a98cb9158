#include "mailferry/core/flags.hpp"

#include <strings.h>

#include <array>

namespace mailferry::core {
namespace {

struct FlagName {
  Flag flag;
  std::string_view imap;
};

constexpr std::array<FlagName, 7> kFlagNames{{
    {Flag::Seen, "\\Seen"},
    {Flag::Answered, "\\Answered"},
    {Flag::Flagged, "\\Flagged"},
    {Flag::Deleted, "\\Deleted"},
    {Flag::Draft, "\\Draft"},
    {Flag::Forwarded, "$Forwarded"},
    {Flag::MdnSent, "$MDNSent"},
}};

}  // namespace

std::string Flags::to_imap() const {
  std::string out;
  for (const auto& name : kFlagNames) {
    if (!has(name.flag)) continue;
    if (!out.empty()) out += ' ';
    out += name.imap;
  }
  return out;
}

void Flags::add_imap_token(std::string_view token) {
  for (const auto& name : kFlagNames) {
    if (token.size() == name.imap.size() &&
        strncasecmp(token.data(), name.imap.data(), token.size()) == 0) {
      add(name.flag);
      return;
    }
  }
}

}  // namespace mailferry::core
