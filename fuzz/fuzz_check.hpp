// Helpers shared by the fuzz targets: an invariant check that stops the
// fuzzer with a readable message (libFuzzer then saves the input), and a
// deterministic way to cut one input into pieces so that incremental parsers
// can be compared against themselves fed in other ways.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#define FUZZ_CHECK(condition, what)                                                          \
  do {                                                                                       \
    if (!(condition)) {                                                                      \
      std::fprintf(stderr, "invariant failed at %s:%d: %s (%s)\n", __FILE__, __LINE__, what, \
                   #condition);                                                              \
      std::abort();                                                                          \
    }                                                                                        \
  } while (0)

namespace mailferry::fuzz {

// Piece sizes for feeding `total` bytes: every piece 1 byte (step == 1), or
// pseudo-random sizes from 1 to `step` drawn from `seed`; the sizes add up to
// `total`.
inline std::vector<std::size_t> piece_sizes(std::size_t total, std::size_t step,
                                            std::uint64_t seed) {
  std::vector<std::size_t> sizes;
  std::uint64_t state = seed * 6364136223846793005ull + 1442695040888963407ull;
  while (total > 0) {
    std::size_t n = 1;
    if (step > 1) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      n = 1 + static_cast<std::size_t>((state >> 33) % step);
    }
    if (n > total) n = total;
    sizes.push_back(n);
    total -= n;
  }
  return sizes;
}

// FNV-1a of the input: a seed for piece_sizes that depends on the input only.
inline std::uint64_t input_hash(std::string_view data) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : data) h = (h ^ c) * 1099511628211ull;
  return h;
}

// Every LF is preceded by CR: what an IMAP literal needs.
inline bool crlf_only(std::string_view bytes) {
  for (std::size_t i = 0; i < bytes.size(); ++i)
    if (bytes[i] == '\n' && (i == 0 || bytes[i - 1] != '\r')) return false;
  return true;
}

}  // namespace mailferry::fuzz
