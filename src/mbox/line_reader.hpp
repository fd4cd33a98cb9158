// Splits a file into lines through one fixed buffer. A line that does not fit
// the buffer comes in several pieces; every other line comes whole, so short
// lines (From_ lines, header names) can always be inspected in one piece.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "mailferry/mbox/file_handle.hpp"

namespace mailferry::mbox {

struct LinePiece {
  std::uint64_t offset = 0;
  std::string_view data;    // includes the LF when ends_line and there is one
  bool starts_line = true;  // the piece begins a line
  bool ends_line = true;    // the piece ends a line (at an LF or the end of the file)
};

class LineReader {
 public:
  LineReader(FileHandle& file, std::size_t buffer_size);
  // The next piece, valid until the next call; false at the end of the file.
  bool next(LinePiece& piece);

 private:
  FileHandle& file_;
  std::vector<char> buffer_;
  std::size_t begin_ = 0, end_ = 0;
  std::uint64_t buffer_offset_ = 0;  // file offset of buffer_[0]
  bool eof_ = false;
  bool at_line_start_ = true;
};

}  // namespace mailferry::mbox
