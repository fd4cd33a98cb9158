// What the sources that read messages out of local files (mbox:, eml:, maildir:) share:
// the check of the path they are given, the "START+LENGTH" byte range their
// locators carry, the fields every message takes from its header block, and
// the reader that hands back exactly the size the scan announced.
//
// Errors: core::SourceError, as documented per function. Blocking; no state.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "mailferry/mbox/bookkeeping_filter.hpp"
#include "mailferry/mbox/variant.hpp"
#include "mailferry/mime/header_fields.hpp"
#include "mailferry/source/source.hpp"

namespace mailferry::source {

// True for a regular file, false for a directory. Throws core::SourceError
// "SCHEME:PATH: ..." when the path does not exist, cannot be looked at, or is
// something else (a socket, a device).
bool is_single_file_path(std::string_view scheme, const std::filesystem::path& path);

// "START+LENGTH", both decimal.
std::string byte_range_text(std::uint64_t start, std::uint64_t length);
// Reads "START+LENGTH" at the beginning of `text`; returns how many characters
// it took, or 0 (start and length then unspecified) when `text` does not begin so.
std::size_t parse_byte_range(std::string_view text, std::uint64_t& start, std::uint64_t& length);
// "START+LENGTH:FILE": a message's raw byte range and the file holding it.
std::string file_range_locator(std::uint64_t start, std::uint64_t length, const std::string& file);
// Reads such a locator; false when `locator` is not one (or names no file).
bool parse_file_range_locator(const std::string& locator, std::uint64_t& start,
                              std::uint64_t& length, std::string& file);

// A message of `size` upload bytes with what its header block says: the diff
// key (computed from `size_with_bookkeeping`, the size of the message with the
// bookkeeping fields its header block holds), Message-ID, flags from
// Status:/X-Status:/X-Mozilla-Status: and whether it asks for a read receipt. Ordinal, locator and
// date are the caller's.
SourceMessage message_from_header(const mime::HeaderFields& fields, std::uint64_t size,
                                  std::uint64_t size_with_bookkeeping);

// Reads [start, start + length) of `file` through the line conversion and the
// bookkeeping filter of mbox/message_stream.hpp and guards SourceMessage::size: a reader that would
// give more or fewer than `expected` bytes throws core::SourceError (scope
// Message) "WHERE: the file changed since it was scanned ...". Opening the
// file may throw core::SourceError (scope Message) naming the file.
std::unique_ptr<BodyReader> open_file_range(const std::filesystem::path& file, std::uint64_t start,
                                            std::uint64_t length, mbox::Quoting quoting,
                                            mbox::Bookkeeping bookkeeping, std::uint64_t expected,
                                            std::string where);

}  // namespace mailferry::source
