// The personal namespace a folder listing implies, for servers that do not
// announce theirs (no NAMESPACE, RFC 2342).
#pragma once

#include <vector>

#include "mailferry/target/target.hpp"

namespace mailferry::target {

// INBOX's delimiter; the prefix "INBOX" + delimiter when every other folder
// is below INBOX, else none. Uncertain when the listing shows INBOX alone (a
// fresh account: nothing tells whether folders may go beside it) or no INBOX.
TargetNamespace namespace_from_listing(const std::vector<TargetFolder>& folders);

}  // namespace mailferry::target
