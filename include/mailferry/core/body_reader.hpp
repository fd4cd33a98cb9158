// Pull-style reader of one message's upload bytes: what a source hands out
// and a target sends, so both sides know it without knowing each other.
#pragma once

#include <cstddef>

namespace mailferry::core {

class BodyReader {
 public:
  virtual ~BodyReader() = default;
  // Copies up to `capacity` bytes into `buffer`; returns 0 only at the end.
  // Throws core::SourceError (scope Message) if the message cannot be read.
  virtual std::size_t read(char* buffer, std::size_t capacity) = 0;
};

}  // namespace mailferry::core
