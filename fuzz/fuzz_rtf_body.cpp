// Fuzz target: a message's RTF body (pst/compressed_rtf.hpp, pst/rtf_body.hpp).
//
// Input: RTF bytes; the last byte picks the path. Even: the rest is the
// decompressed RTF, given to the unwrapper as it is. Odd: the rest is the
// stored PR_RTF_COMPRESSED value (header and LZFu data), decompressed through
// libpst first, as message_reader does.
// Invariants checked, beyond "no crash":
//  - decompression gives at most the raw size its header names, and at most
//    max_decompressed_rtf() of the stored size;
//  - unwrapping never throws, is deterministic, and gives valid UTF-8 whose
//    size is linear in the RTF's;
//  - only RTF that says \fromhtml or \fromtext is unwrapped, HTML only from
//    \fromhtml.
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "mailferry/pst/compressed_rtf.hpp"
#include "mailferry/pst/rtf_body.hpp"
#include "mailferry/pst/text.hpp"

namespace {

using namespace mailferry;

// One input byte becomes at most 3 bytes of UTF-8 (U+FFFD for an
// undecodable byte, a 3-byte character for one code-page byte); 4 leaves room
// for the few control symbols that are shorter than what they stand for.
constexpr std::size_t kMaxGrowth = 4;

void check_unwrap(std::string_view rtf) {
  const std::optional<pst::UnwrappedBody> body = pst::unwrap_rtf_body(rtf);
  const std::optional<pst::UnwrappedBody> again = pst::unwrap_rtf_body(rtf);
  FUZZ_CHECK(body.has_value() == again.has_value(), "unwrapping is deterministic");
  if (!body) return;
  FUZZ_CHECK(body->html == again->html && body->utf8 == again->utf8, "unwrapping is deterministic");
  FUZZ_CHECK(pst::is_valid_utf8(body->utf8), "the body is valid UTF-8");
  FUZZ_CHECK(body->utf8.size() <= kMaxGrowth * rtf.size(), "the body is linear in the RTF");
  FUZZ_CHECK(rtf.find("\\fromhtml") != std::string_view::npos ||
                 rtf.find("\\fromtext") != std::string_view::npos,
             "only encapsulated RTF is unwrapped");
  if (body->html)
    FUZZ_CHECK(rtf.find("\\fromhtml") != std::string_view::npos, "HTML comes from \\fromhtml");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size - 1);
  if ((data[size - 1] & 1) == 0) {
    check_unwrap(bytes);
    return 0;
  }
  const std::optional<std::string> rtf = pst::decompress_rtf(bytes);
  if (!rtf) return 0;
  std::uint32_t raw_size = 0;
  FUZZ_CHECK(bytes.size() >= 16, "only a whole header is decompressed");
  std::memcpy(&raw_size, bytes.data() + 4, 4);
  FUZZ_CHECK(rtf->size() <= raw_size, "no more than the header's raw size");
  FUZZ_CHECK(rtf->size() <= pst::max_decompressed_rtf(bytes.size()), "bounded by the input");
  check_unwrap(*rtf);
  return 0;
}
