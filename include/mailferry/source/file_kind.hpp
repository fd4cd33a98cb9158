// What a source file is, judged by its first bytes: so that a PST, a ZIP
// archive or another binary file given as mbox: is named as such, with the
// scheme that reads it, instead of failing as one unreadable message.
#pragma once

#include <filesystem>
#include <string_view>

namespace mailferry::source {

enum class FileKind {
  Empty,    // no bytes at all
  Mbox,     // starts with a "From " line
  Pst,      // Outlook's "!BDN" signature
  Zip,      // "PK\3\4" (also Gmail Takeout's download, before unpacking)
  Gzip,     // "\x1f\x8b"
  Binary,   // NUL bytes near the start: no mail file of any kind
  Unknown,  // text of some other shape (a single message, an mbox with a preamble)
};

// The kind of a regular file; Unknown when it cannot be read (opening it
// later says why).
FileKind sniff_file_kind(const std::filesystem::path& file);

// Throws core::SourceError (exit status 4) "SCHEME:PATH: this is not an mbox
// file (it looks like a PST: use pst:)" when `file` is clearly not what
// `scheme` ("mbox", "pst", "eml") reads. Directories and files that may be
// right pass.
void require_file_kind(std::string_view scheme, const std::filesystem::path& file);

}  // namespace mailferry::source
