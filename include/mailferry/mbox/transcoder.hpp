// The one transformation from mbox bytes to upload bytes, shared by the scanner
// (which only counts the output, to know the exact literal size) and by the
// message stream (which produces it), so that the two can never disagree.
//
//  - A bare LF becomes CRLF; an existing CRLF stays; a lone CR stays as it is.
//  - At the start of a line, mbox quoting is undone as `Quoting` says.
//
// Streaming: input may be cut anywhere (even between CR and LF, or inside a
// ">>From " prefix); state carries over between feed() calls. Memory is O(1).
// `out` is any callable taking (const char* data, std::size_t size).
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include "mailferry/mbox/variant.hpp"

namespace mailferry::mbox {

class LineTranscoder {
 public:
  explicit LineTranscoder(Quoting quoting) : quoting_(quoting) {}

  template <typename Out>
  void feed(std::string_view in, Out&& out) {
    const char* p = in.data();
    const char* const end = p + in.size();
    while (p < end) {
      if (quoting_ != Quoting::None && (line_start_ || gt_ > 0)) {
        const char c = *p;
        if (from_matched_ == 0 && c == '>' && (gt_ == 0 || quoting_ == Quoting::Mboxrd)) {
          ++gt_;
          line_start_ = false;
          ++p;
          continue;
        }
        if (gt_ > 0 && c == kFrom[from_matched_]) {
          ++p;
          if (++from_matched_ == kFrom.size()) {
            emit_gt(gt_ - 1, out);  // the unquoting: one '>' fewer
            out(kFrom.data(), kFrom.size());
            gt_ = 0;
            from_matched_ = 0;
            prev_cr_ = false;
          }
          continue;
        }
        release(out);
      }
      line_start_ = false;
      const void* hit = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
      const char* lf = static_cast<const char*>(hit);
      const char* stop = lf ? lf : end;
      if (stop > p) {
        out(p, static_cast<std::size_t>(stop - p));
        prev_cr_ = stop[-1] == '\r';
      }
      if (!lf) break;
      if (prev_cr_)
        out("\n", 1);
      else
        out("\r\n", 2);
      prev_cr_ = false;
      line_start_ = true;
      p = lf + 1;
    }
  }

  // Ends the message: bytes held back while matching a quoted prefix are
  // written out unchanged. No line end is added.
  template <typename Out>
  void finish(Out&& out) {
    release(out);
    line_start_ = true;
    prev_cr_ = false;
  }

 private:
  static constexpr std::string_view kFrom = "From ";

  template <typename Out>
  void release(Out& out) {
    if (gt_ == 0) return;
    emit_gt(gt_, out);
    out(kFrom.data(), from_matched_);
    gt_ = 0;
    from_matched_ = 0;
    prev_cr_ = false;
  }

  template <typename Out>
  static void emit_gt(std::uint64_t count, Out& out) {
    static constexpr char kGt[] = ">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>";
    while (count > 0) {
      std::size_t n = count < 32 ? static_cast<std::size_t>(count) : 32;
      out(kGt, n);
      count -= n;
    }
  }

  Quoting quoting_;
  bool line_start_ = true;
  bool prev_cr_ = false;          // the last byte written was CR
  std::uint64_t gt_ = 0;          // '>' held back at the start of the line
  std::size_t from_matched_ = 0;  // bytes of "From " matched after them
};

}  // namespace mailferry::mbox
