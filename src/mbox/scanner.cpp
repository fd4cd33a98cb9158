#include "mailferry/mbox/scanner.hpp"

#include <cstring>
#include <optional>
#include <utility>

#include "line_reader.hpp"
#include "mailferry/mbox/bookkeeping_filter.hpp"
#include "mailferry/mbox/file_handle.hpp"
#include "mailferry/mbox/from_line.hpp"
#include "mailferry/mbox/transcoder.hpp"
#include "mailferry/mime/header_fields.hpp"

namespace mailferry::mbox {
namespace {

// Longer "From " lines are body text: real From_ lines are a sender and a date.
constexpr std::size_t kMaxFromLine = 4096;
constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool is_empty_line(std::string_view line) { return line == "\n" || line == "\r\n"; }

bool is_blank_only(std::string_view line) {
  for (char c : line)
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '\f' && c != '\v') return false;
  return true;
}

std::string chomp(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  return std::string(line);
}

std::optional<std::uint64_t> parse_length(std::string_view v) {
  if (v.empty() || v.size() > 15) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n;
}

class Scanner {
 public:
  Scanner(const std::filesystem::path& file, const ScanOptions& options, ScanHandler& handler)
      : options_(options),
        handler_(handler),
        file_(file, core::ErrorScope::Folder),
        quoting_(quoting_of(options.variant)) {}

  void run() {
    LineReader reader(file_, options_.buffer_size);
    LinePiece piece;
    bool first = true;
    while (reader.next(piece)) {
      if (first && starts_with(piece.data, kBom)) {
        piece.data.remove_prefix(kBom.size());
        piece.offset += kBom.size();
      }
      first = false;
      on_piece(piece);
    }
    if (pending_) decide_pending(std::nullopt);
    if (in_message_) {
      std::uint64_t end = file_.size();
      if (cl_end_)
        end = *cl_end_;
      else if (held_blank_)
        end = held_blank_->offset;
      finish_message(end, true);
    }
    report_garbage();
  }

 private:
  struct Held {
    std::uint64_t offset = 0;
    std::string bytes;
  };
  struct Pending {
    std::uint64_t offset = 0;
    std::string bytes;
    bool after_empty_line = false;
  };
  struct Current {
    ScannedMessage out;
    LineTranscoder transcoder{Quoting::None};
    BookkeepingFilter filter{
        Bookkeeping::Drop};  // counts; the Content-Length verdict comes at the end
    std::uint64_t fed = 0;   // raw bytes given to the transcoder
    bool in_header = true;
    bool header_overflow = false;
    bool has_nul = false;
    bool ends_with_lf = true;
    int header_fields = 0;
  };

  void on_piece(const LinePiece& piece) {
    if (!piece.starts_line) {  // the rest of a line longer than the buffer
      if (in_message_)
        feed(piece.data, false);
      else
        add_garbage(piece.offset, piece.data.size());
      return;
    }
    if (pending_) decide_pending(piece.data);
    on_line(piece);
  }

  void on_line(const LinePiece& piece) {
    std::string_view line = piece.data;
    if (in_message_ && cl_end_) {
      if (piece.offset < *cl_end_) {
        flush_held();
        feed(line, piece.starts_line);
        return;
      }
      finish_message(*cl_end_, false);
    }
    const bool from = starts_with(line, "From ") && piece.ends_line && line.size() <= kMaxFromLine;
    if (!in_message_) {
      if (from) {
        Pending p{piece.offset, std::string(line), true};
        if (forced_from_ && *forced_from_ == piece.offset)
          start_message(p);
        else
          pending_ = std::move(p);
      } else if (!is_blank_only(line)) {
        add_garbage(piece.offset, line.size());
      }
      return;
    }
    if (from) {
      pending_ = Pending{piece.offset, std::string(line), held_blank_.has_value()};
      return;
    }
    if (is_empty_line(line)) {
      flush_held();
      if (current_.in_header) end_header(piece.offset + line.size());
      held_blank_ = Held{piece.offset, std::string(line)};
      return;
    }
    flush_held();
    feed(line, true);
  }

  // A "From " line waits for the first piece of the next line (nullopt: end
  // of file) to decide whether it separates messages.
  void decide_pending(std::optional<std::string_view> next) {
    Pending p = std::move(*pending_);
    pending_.reset();
    const FromLine info = parse_from_line(p.bytes);
    const bool header_next = next && mime::looks_like_header_field(*next);
    bool separates;
    if (!in_message_)
      separates = info.has_date || header_next;
    else if (current_.fed == 0 && !held_blank_)
      separates = false;
    else if (p.after_empty_line)
      separates = info.has_date || header_next;
    else
      separates = (info.has_date || info.bare) && header_next;

    if (separates) {
      if (in_message_) finish_message(held_blank_ ? held_blank_->offset : p.offset, false);
      start_message(p);
    } else if (in_message_) {
      flush_held();
      feed(p.bytes, true);
    } else {
      add_garbage(p.offset, p.bytes.size());
    }
  }

  void start_message(const Pending& from) {
    report_garbage();
    forced_from_.reset();
    current_ = Current{};
    current_.transcoder = LineTranscoder(quoting_);
    current_.out.ordinal = next_ordinal_++;
    current_.out.offset = from.offset + from.bytes.size();
    current_.out.from_line = chomp(from.bytes);
    in_message_ = true;
  }

  void feed(std::string_view bytes, bool starts_line) {
    Current& c = current_;
    if (starts_line && c.in_header && mime::looks_like_header_field(bytes)) ++c.header_fields;
    if (!c.has_nul && std::memchr(bytes.data(), '\0', bytes.size())) c.has_nul = true;
    c.transcoder.feed(bytes, [&](const char* data, std::size_t n) {
      c.out.size_with_bookkeeping += n;
      c.filter.feed(std::string_view(data, n),
                    [&](const char*, std::size_t kept) { c.out.size += kept; });
      if (!c.in_header || c.header_overflow) return;
      if (c.out.header.size() + n > options_.max_header_bytes) {
        c.header_overflow = true;
        c.out.header.clear();
        c.out.header.shrink_to_fit();
      } else {
        c.out.header.append(data, n);
      }
    });
    c.fed += bytes.size();
    if (!bytes.empty()) c.ends_with_lf = bytes.back() == '\n';
  }

  void flush_held() {
    if (!held_blank_) return;
    Held h = std::move(*held_blank_);
    held_blank_.reset();
    feed(h.bytes, true);
  }

  void end_header(std::uint64_t body_start) {
    Current& c = current_;
    c.in_header = false;
    if (c.header_overflow) return;
    c.out.header += "\r\n";
    if (!uses_content_length(options_.variant)) return;
    auto value = mime::find_header_field(c.out.header, "Content-Length");
    if (!value) return;
    auto length = parse_length(*value);
    if (!length) return;
    const std::uint64_t end = body_start + *length;
    if (end > file_.size()) return;  // a truncated file, or a wrong value: From_ lines decide
    if (end == file_.size()) {
      cl_end_ = end;
      c.out.content_length_framed = true;
      return;
    }
    char next[8] = {};
    std::size_t n = file_.read_at(end - 1, next, sizeof next);
    std::string_view at(next, n);
    if (at.empty() || at[0] != '\n') return;  // must end a line
    at.remove_prefix(1);
    std::uint64_t from_at = end;
    if (starts_with(at, "\r\n")) {
      at.remove_prefix(2);
      from_at += 2;
    } else if (starts_with(at, "\n")) {
      at.remove_prefix(1);
      from_at += 1;
    }
    if (starts_with(at, "From ") || (from_at > end && from_at == file_.size())) {
      cl_end_ = end;
      forced_from_ = from_at;
      c.out.content_length_framed = true;
    }
  }

  void finish_message(std::uint64_t end, bool at_eof) {
    if (held_blank_ && held_blank_->offset + held_blank_->bytes.size() <= end) flush_held();
    held_blank_.reset();
    cl_end_.reset();
    in_message_ = false;
    Current& c = current_;
    auto count_kept = [&](const char*, std::size_t kept) { c.out.size += kept; };
    c.transcoder.finish([&](const char* data, std::size_t n) {
      c.out.size_with_bookkeeping += n;
      c.filter.feed(std::string_view(data, n), count_kept);
    });
    c.filter.finish(count_kept);
    if (c.out.content_length_framed) c.out.size -= c.filter.content_length_bytes();
    c.out.length = end - c.out.offset;
    const std::uint64_t ordinal = c.out.ordinal;
    const std::uint64_t offset = c.out.offset;
    if (c.fed != c.out.length) {
      error(ordinal, offset, "internal error: message boundaries are inconsistent; not uploaded");
      return;
    }
    if (c.out.length == 0) {
      error(ordinal, offset,
            at_eof ? "nothing follows the From_ line (the file may be truncated); not uploaded"
                   : "the message is empty (nothing between two From_ lines); not uploaded");
      return;
    }
    if (c.header_overflow) {
      error(ordinal, offset,
            "the header block is larger than " + std::to_string(options_.max_header_bytes) +
                " bytes (no empty line ends it); not uploaded");
      return;
    }
    if (c.header_fields == 0) {
      error(ordinal, offset, "no header fields after the From_ line; not uploaded");
      return;
    }
    if (c.has_nul)
      warning(ordinal, offset, "contains NUL bytes; uploaded as it is, which some servers refuse");
    if (at_eof && !c.out.content_length_framed) {
      if (c.in_header)
        warning(ordinal, offset,
                "the file ends inside the header block (it may be truncated); uploaded as it is");
      else if (!c.ends_with_lf)
        warning(ordinal, offset,
                "the file ends in the middle of a line (it may be truncated); uploaded as it is");
    }
    handler_.message(std::move(c.out));
  }

  void add_garbage(std::uint64_t offset, std::uint64_t size) {
    if (garbage_bytes_ == 0) garbage_offset_ = offset;
    garbage_bytes_ += size;
  }

  void report_garbage() {
    if (garbage_bytes_ == 0) return;
    std::string where = next_ordinal_ == 1 ? "before the first message"
                                           : "after message " + std::to_string(next_ordinal_ - 1);
    error(0, garbage_offset_,
          std::to_string(garbage_bytes_) + " bytes at offset " + std::to_string(garbage_offset_) +
              " (" + where + ") are not part of any message (no From_ line); skipped");
    garbage_bytes_ = 0;
  }

  void error(std::uint64_t ordinal, std::uint64_t offset, std::string text) {
    handler_.problem(ScanProblem{Severity::Error, ordinal, offset, std::move(text)});
  }
  void warning(std::uint64_t ordinal, std::uint64_t offset, std::string text) {
    handler_.problem(ScanProblem{Severity::Warning, ordinal, offset, std::move(text)});
  }

  const ScanOptions& options_;
  ScanHandler& handler_;
  FileHandle file_;
  Quoting quoting_;

  bool in_message_ = false;
  Current current_;
  std::optional<Held> held_blank_;            // an empty line not yet known to be the message's
  std::optional<Pending> pending_;            // a "From " line not yet known to separate
  std::optional<std::uint64_t> cl_end_;       // Content-Length: the current message ends here
  std::optional<std::uint64_t> forced_from_;  // Content-Length: a From_ line starts here
  std::uint64_t next_ordinal_ = 1;
  std::uint64_t garbage_offset_ = 0, garbage_bytes_ = 0;
};

}  // namespace

void scan_mbox_file(const std::filesystem::path& file, const ScanOptions& options,
                    ScanHandler& handler) {
  Scanner(file, options, handler).run();
}

}  // namespace mailferry::mbox
