// Drops a mail store's bookkeeping fields (mime/bookkeeping_fields.hpp) from
// the header block of a message on its way out of an mbox file, so that what
// is uploaded is the message as it was sent: Status:, X-Mozilla-Status: and
// their kind say what the flags say already, and a Content-Length: that
// framed the message in the file says nothing about the message itself.
// A Content-Length: that did not frame it (the reader found the end by From_
// lines) is kept, as Dovecot keeps it.
//
// Works on upload bytes (after mbox/transcoder.hpp), shared by the scanner
// (which counts the output) and the message stream (which produces it), so
// that the two never disagree. Streaming: input may be cut anywhere; at most
// the start of one header line (up to its colon, a few hundred bytes) is held.
// After the header block everything passes through. `out` is any callable
// taking (const char* data, std::size_t size).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "mailferry/mime/bookkeeping_fields.hpp"
#include "mailferry/mime/header_fields.hpp"

namespace mailferry::mbox {

enum class Bookkeeping {
  Keep,                  // pass every byte (files that are not a store's: .eml)
  Drop,                  // drop the fields; keep Content-Length:
  DropAndContentLength,  // also Content-Length: (the reader framed the message by it)
};

class BookkeepingFilter {
 public:
  explicit BookkeepingFilter(Bookkeeping mode)
      : drop_content_length_(mode == Bookkeeping::DropAndContentLength),
        in_header_(mode != Bookkeeping::Keep) {}

  template <typename Out>
  void feed(std::string_view in, Out&& out) {
    while (!in.empty()) {
      if (!in_header_) {
        out(in.data(), in.size());
        return;
      }
      if (deciding_) {
        in = take_line_start(in);
        if (deciding_) return;  // the field name is not complete yet
        if (!in_header_) {
          out(head_.data(), head_.size());
          head_.clear();
          continue;
        }
        if (head_.empty()) continue;  // a continuation line: nothing held
        emit(head_.data(), head_.size(), out);
        const bool line_ended = head_.back() == '\n';
        head_.clear();
        if (line_ended) deciding_ = true;
        continue;
      }
      const void* lf = std::memchr(in.data(), '\n', in.size());
      const std::size_t n =
          lf ? static_cast<std::size_t>(static_cast<const char*>(lf) - in.data()) + 1 : in.size();
      emit(in.data(), n, out);
      in.remove_prefix(n);
      if (lf) deciding_ = true;
    }
  }

  // Ends the message: a line start still held back is written out unchanged.
  template <typename Out>
  void finish(Out&& out) {
    if (!head_.empty()) out(head_.data(), head_.size());
    head_.clear();
  }

  // Bytes of Content-Length: fields passed through (not dropped): what a
  // reader that drops them would write fewer.
  std::uint64_t content_length_bytes() const { return content_length_bytes_; }

 private:
  enum class Field { Keep, Drop, ContentLength };
  // Longer line starts without a colon are not field names worth dropping.
  static constexpr std::size_t kMaxHead = 300;

  // Collects the start of a header line until its fate is known; returns the
  // input not consumed.
  std::string_view take_line_start(std::string_view in) {
    if (head_.empty() && (in.front() == ' ' || in.front() == '\t')) {
      deciding_ = false;  // a continuation line: it shares the fate of its field
      return in;
    }
    std::size_t i = 0;
    bool decided = false;
    while (i < in.size() && !decided) {
      const char c = in[i++];
      head_ += c;
      decided = c == ':' || c == '\n' || head_.size() > kMaxHead;
    }
    if (!decided) return in.substr(i);
    deciding_ = false;
    if (head_ == "\n" || head_ == "\r\n") {
      in_header_ = false;  // the empty line that ends the header block
    } else {
      const std::string_view name = mime::header_field_name(head_);
      if (name.empty() || !mime::is_bookkeeping_field(name))
        field_ = Field::Keep;
      else if (name.size() != 14 || !is_content_length(name))
        field_ = Field::Drop;
      else
        field_ = drop_content_length_ ? Field::Drop : Field::ContentLength;
    }
    return in.substr(i);
  }

  static bool is_content_length(std::string_view name) {
    static constexpr std::string_view kName = "content-length";
    for (std::size_t i = 0; i < kName.size(); ++i) {
      char c = name[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != kName[i]) return false;
    }
    return true;
  }

  template <typename Out>
  void emit(const char* data, std::size_t n, Out& out) {
    if (field_ == Field::Drop) return;
    if (field_ == Field::ContentLength) content_length_bytes_ += n;
    out(data, n);
  }

  bool drop_content_length_;
  bool in_header_;
  bool deciding_ = true;  // at the start of a header line, its fate not yet known
  Field field_ = Field::Keep;
  std::string head_;
  std::uint64_t content_length_bytes_ = 0;
};

}  // namespace mailferry::mbox
