// Streaming scan of one mbox file: where each message starts and ends, its
// header block, and the exact number of bytes it has once converted for upload
// (CRLF line ends, quoting undone; see transcoder.hpp). The file is read once,
// front to back, through one buffer; memory is bounded by the buffer, the
// header cap and a few short lines, whatever the size of the file.
//
// Where messages are split (all variants):
//  - A "From " line at the start of a line may separate two messages. It does
//    when it is preceded by an empty line (or begins the file, or follows
//    blank/garbage data between messages) AND either carries a date with a
//    time of day or is followed by a header field line ("Name: value").
//  - Without an empty line before it, it separates only when it is followed by
//    a header field line AND either carries a date or holds nothing but a
//    sender ("From -", as old Netscape wrote): files written by git
//    format-patch, pipermail archives, Netscape and hand-concatenations omit
//    the empty line.
//  - Never while the current message is still empty (a second From_ line
//    directly after the first one belongs to the message).
//  - Everything else starting with "From " is body text: an unquoted line in
//    an mboxo body, "From me to you" after a paragraph, and so on.
//  - With Content-Length (variants auto, mboxcl, mboxcl2), a message whose
//    Content-Length: points exactly at a "From " line, at an empty line
//    followed by one, or at the end of the file, ends there, whatever its body
//    holds. Otherwise the rules above apply.
//  - One empty line right before a separating From_ line (and at the end of the
//    file) is the separator's, not the message's, and is not uploaded.
// Before the first message and between messages, empty and blank lines and a
// UTF-8 byte order mark at the start are skipped silently; anything else is
// reported (file, byte offset, size) and skipped.
//
// Per-message errors (no header fields, header block over the cap, nothing
// after the From_ line) are reported with the message's ordinal and the
// message is not returned; the scan goes on. Messages that are only odd (NUL
// bytes, a file that ends inside a line or a header block) are returned, with
// a warning.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "mailferry/mbox/variant.hpp"

namespace mailferry::mbox {

struct ScanOptions {
  Variant variant = Variant::Auto;
  std::size_t max_header_bytes = std::size_t{1} << 20;  // per message
  std::size_t buffer_size = std::size_t{1} << 20;       // read size; at least 8 KiB is used
};

struct ScannedMessage {
  std::uint64_t ordinal = 0;  // 1-based; counts every message found, including rejected ones
  std::uint64_t offset = 0;   // file offset of the first byte after the From_ line
  std::uint64_t length = 0;   // raw bytes of the message in the file
  // Bytes after conversion (CRLF, unquoted, bookkeeping fields dropped as
  // mbox/bookkeeping_filter.hpp says): the literal size.
  std::uint64_t size = 0;
  // The same with the bookkeeping fields kept: what older versions uploaded.
  std::uint64_t size_with_bookkeeping = 0;
  std::string from_line;  // the From_ line, without its line end
  // The header block after conversion, bookkeeping fields included (they give
  // the flags), ending with an empty line (CRLF).
  std::string header;
  bool content_length_framed = false;  // its end came from Content-Length:
};

enum class Severity { Warning, Error };

struct ScanProblem {
  Severity severity = Severity::Error;
  std::uint64_t ordinal = 0;  // the message's ordinal; 0 for data between messages
  std::uint64_t offset = 0;   // byte offset in the file where the problem starts
  std::string text;           // a sentence, without the file name
};

class ScanHandler {
 public:
  virtual ~ScanHandler() = default;
  virtual void message(ScannedMessage&& message) = 0;
  virtual void problem(ScanProblem&& problem) = 0;
};

// Scans `file`, calling `handler` in file order. Blocks; reads sequentially.
// Throws core::SourceError (scope Folder) if the file cannot be opened or
// read; what was reported before the failure stays reported.
void scan_mbox_file(const std::filesystem::path& file, const ScanOptions& options,
                    ScanHandler& handler);

}  // namespace mailferry::mbox
