#include "support/scan_collect.hpp"

namespace mailferry::testing {

std::string read_body(core::BodyReader& reader, std::size_t chunk) {
  std::string out;
  std::vector<char> buffer(chunk);
  while (std::size_t n = reader.read(buffer.data(), buffer.size())) out.append(buffer.data(), n);
  return out;
}

}  // namespace mailferry::testing
