// "1 message", "2 messages": counts in text people read.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mailferry::core {

// `n` and the noun in the form the count takes ("0 messages", "1 message").
inline std::string counted(std::uint64_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

}  // namespace mailferry::core
