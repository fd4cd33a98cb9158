#include "mailferry/source/source.hpp"

namespace mailferry::source {

std::string SourceFolder::display_name() const {
  std::string out;
  for (const auto& part : path) {
    if (!out.empty()) out += '/';
    out += part;
  }
  return out;
}

}  // namespace mailferry::source
