// Compact IMAP sequence sets of UIDs ("1:5,7,9:10").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mailferry::imap {

// Sorts and de-duplicates `uids` (0 is ignored) and joins runs into ranges.
// Returns an empty string for no UIDs.
std::string compact_uid_set(std::vector<std::uint32_t> uids);

// The same set split into pieces of at most `max_chars` characters each (a
// single range is never split), so that no command line grows without bound.
std::vector<std::string> split_uid_set(std::vector<std::uint32_t> uids, std::size_t max_chars);

}  // namespace mailferry::imap
