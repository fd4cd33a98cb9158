// Reading a file that holds one message (an .eml file, a Maildir file)
// through the CRLF conversion, once: what its scan needs to know without
// keeping the body.
//
// Two things in front of the header block are not part of the message and are
// left out: a UTF-8 byte order mark and an mbox "From " separator line.
//
// Errors: core::SourceError (scope Message) naming what is wrong, for files
// that cannot be read and files that are not messages (empty, an Outlook
// binary .msg, no header field at the start, a header block over the cap).
// Blocking; no state.
#pragma once

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>

namespace mailferry::source {

struct MessageFileScan {
  std::uint64_t start = 0;   // file offset of the message's first byte
  std::uint64_t length = 0;  // raw bytes from there to the end of the file
  std::uint64_t size = 0;    // bytes after CRLF conversion
  std::string header;        // converted header block, with its empty line if it has one
  bool has_nul = false;      // in what was read
  std::time_t mtime = 0;
  bool body_read = true;  // false: only the header block was read
};

// Reads `file` once: the exact upload size and the header block (at most
// `max_header` bytes of it). When the caller knows the size after the
// conversion (`converted_size`, a Maildir name's W=), only the header block is
// read, so the body is read once in all, at upload; that size is taken when
// the message starts at the file's first byte (it counts the whole file).
MessageFileScan scan_message_file(const std::filesystem::path& file, std::uint64_t max_header,
                                  std::optional<std::uint64_t> converted_size = std::nullopt);

}  // namespace mailferry::source
