// Reads one scanned message back from its mbox file as upload bytes: the raw
// range [offset, offset + length) through the same LineTranscoder and
// BookkeepingFilter the scanner counted with, so it yields exactly ScannedMessage::size bytes
// (unless the file changed in between, which the caller detects by counting).
//
// Streaming: reads the file in 64 KiB pieces at the given offset; holds at
// most about twice that in memory. Errors are core::SourceError with scope
// Message, naming the file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "mailferry/mbox/bookkeeping_filter.hpp"
#include "mailferry/mbox/file_handle.hpp"
#include "mailferry/mbox/transcoder.hpp"
#include "mailferry/mbox/variant.hpp"

namespace mailferry::mbox {

class MessageStream {
 public:
  // `bookkeeping`: for an mbox message, Drop, or DropAndContentLength when the
  // scan found its end by its Content-Length: (ScannedMessage::content_length_framed).
  MessageStream(const std::filesystem::path& file, std::uint64_t offset, std::uint64_t length,
                Quoting quoting, Bookkeeping bookkeeping);

  // Copies up to `capacity` bytes into `buffer`; 0 only at the end.
  std::size_t read(char* buffer, std::size_t capacity);

 private:
  bool refill();

  FileHandle file_;
  std::uint64_t next_offset_;
  std::uint64_t remaining_;
  LineTranscoder transcoder_;
  BookkeepingFilter filter_;
  std::vector<char> raw_;
  std::string out_;
  std::size_t out_pos_ = 0;
  bool finished_ = false;
};

}  // namespace mailferry::mbox
