// A BodyReader over message bytes already held in memory (a message built
// whole, as from a PST item, or a test's or fuzzer's message). Owns the bytes;
// never throws.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>

#include "mailferry/source/source.hpp"

namespace mailferry::source {

class MemoryBodyReader final : public BodyReader {
 public:
  explicit MemoryBodyReader(std::string bytes) : bytes_(std::move(bytes)) {}

  std::size_t read(char* buffer, std::size_t capacity) override {
    const std::size_t n = std::min(capacity, bytes_.size() - at_);
    std::copy_n(bytes_.data() + at_, n, buffer);
    at_ += n;
    return n;
  }

 private:
  std::string bytes_;
  std::size_t at_ = 0;
};

}  // namespace mailferry::source
