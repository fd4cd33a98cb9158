#include "mailferry/mbox/variant.hpp"

#include <strings.h>

#include <array>

namespace mailferry::mbox {
namespace {

struct VariantName {
  Variant variant;
  std::string_view name;
};

constexpr std::array<VariantName, 5> kNames{{
    {Variant::Auto, "auto"},
    {Variant::Mboxo, "mboxo"},
    {Variant::Mboxrd, "mboxrd"},
    {Variant::Mboxcl, "mboxcl"},
    {Variant::Mboxcl2, "mboxcl2"},
}};

}  // namespace

std::optional<Variant> parse_variant(std::string_view name) {
  for (const auto& n : kNames)
    if (n.name.size() == name.size() && strncasecmp(n.name.data(), name.data(), name.size()) == 0)
      return n.variant;
  return std::nullopt;
}

std::string_view variant_name(Variant variant) {
  for (const auto& n : kNames)
    if (n.variant == variant) return n.name;
  return "auto";
}

Quoting quoting_of(Variant variant) {
  switch (variant) {
    case Variant::Mboxo:
    case Variant::Mboxcl:
      return Quoting::Mboxo;
    case Variant::Mboxcl2:
      return Quoting::None;
    case Variant::Auto:
    case Variant::Mboxrd:
      return Quoting::Mboxrd;
  }
  return Quoting::Mboxrd;
}

bool uses_content_length(Variant variant) {
  return variant == Variant::Auto || variant == Variant::Mboxcl || variant == Variant::Mboxcl2;
}

}  // namespace mailferry::mbox
