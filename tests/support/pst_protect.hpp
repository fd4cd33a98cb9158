// A copy of a PST that Outlook guards with a password we know.
//
// Outlook sets a password by writing PR_PST_PASSWORD (0x67FF), the CRC-32 of
// the password, into the message store's property context; nothing else in
// the file changes. This does the same to a copy of a PST whose store already
// holds the property with the value 0 (as every Outlook-written corpus file
// does): it finds the store's data block through libpst's index, finds the
// property's record in the decoded block, writes the new value in the file's
// own block encoding (learned from the file's blocks, raw against decoded),
// and writes the block's CRC again as Outlook would.
#pragma once

#include <string>
#include <string_view>

namespace mailferry::testing {

// Writes `to`, a copy of `from` guarded by `password`. Throws
// std::runtime_error when `from` has no such property to set.
void copy_pst_with_password(const std::string& from, const std::string& to,
                            std::string_view password);

}  // namespace mailferry::testing
