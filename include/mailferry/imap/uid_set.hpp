// Compact IMAP sequence sets of UIDs ("1:5,7,9:10").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailferry::imap {

// Sorts and de-duplicates `uids` (0 is ignored) and joins runs into ranges.
// Returns an empty string for no UIDs.
std::string compact_uid_set(std::vector<std::uint32_t> uids);

// The same set split into pieces of at most `max_chars` characters each (a
// single range is never split), so that no command line grows without bound.
std::vector<std::string> split_uid_set(std::vector<std::uint32_t> uids, std::size_t max_chars);

// The UIDs of a uid-set as a server sends it (APPENDUID, COPYUID, ESEARCH:
// "7", "3:5,9", "5:3"), in the order written, each range ascending. nullopt
// when the text is not a uid-set (0 is not a UID) or holds more than
// `max_count` UIDs.
std::optional<std::vector<std::uint32_t>> parse_uid_set(std::string_view text,
                                                        std::size_t max_count);

}  // namespace mailferry::imap
