#include "line_reader.hpp"

#include <algorithm>
#include <cstring>

namespace mailferry::mbox {

LineReader::LineReader(FileHandle& file, std::size_t buffer_size)
    : file_(file), buffer_(std::max<std::size_t>(buffer_size, 8192)) {}

bool LineReader::next(LinePiece& piece) {
  for (;;) {
    if (begin_ < end_) {
      const char* start = buffer_.data() + begin_;
      const void* nl = std::memchr(start, '\n', end_ - begin_);
      std::size_t length = 0;
      bool ends_line = true;
      if (nl) {
        length = static_cast<std::size_t>(static_cast<const char*>(nl) - start) + 1;
      } else if (eof_) {
        length = end_ - begin_;
      } else if (begin_ == 0 && end_ == buffer_.size()) {
        length = end_;  // longer than the buffer: hand out what we have
        ends_line = false;
      }
      if (length > 0) {
        piece.offset = buffer_offset_ + begin_;
        piece.data = std::string_view(start, length);
        piece.starts_line = at_line_start_;
        piece.ends_line = ends_line;
        at_line_start_ = ends_line;
        begin_ += length;
        return true;
      }
    } else if (eof_) {
      return false;
    }
    // Keep the unfinished line at the front so that it can grow to a full buffer.
    if (begin_ > 0) {
      std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
      buffer_offset_ += begin_;
      end_ -= begin_;
      begin_ = 0;
    }
    // Stop at the size the file had when opened: mail appended during the scan
    // belongs to the next run, not half to this one.
    std::uint64_t left = file_.size() - std::min(file_.size(), buffer_offset_ + end_);
    std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(buffer_.size() - end_, left));
    std::size_t n = want == 0 ? 0 : file_.read(buffer_.data() + end_, want);
    if (n == 0)
      eof_ = true;
    else
      end_ += n;
  }
}

}  // namespace mailferry::mbox
