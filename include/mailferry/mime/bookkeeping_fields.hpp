// The header fields a mail store writes into messages for its own bookkeeping
// (mbox Status:, X-Status:, X-Keywords:, X-UID:, X-IMAP:, X-IMAPbase:,
// Thunderbird's X-Mozilla-Status:, X-Mozilla-Status2:, X-Mozilla-Keys:, and the
// Content-Length: that frames an mboxcl message). They are not part of the
// message as sent: the mbox reader drops them from what it uploads (their
// meaning travels as IMAP flags), and the fingerprint of a message without a
// Message-ID leaves their bytes out, so that a copy uploaded with them and one
// uploaded without them have the same key.
#pragma once

#include <string_view>

namespace mailferry::mime {

// Whether `name` (case-insensitive, without the colon) is one of the fields above.
bool is_bookkeeping_field(std::string_view name);

// The fields above, space-separated, as IMAP HEADER.FIELDS names.
std::string_view bookkeeping_field_names();

}  // namespace mailferry::mime
