// The diff key of a message, computed the same way from a source's headers and
// from what the IMAP server returns for a stored message.
//
//  - With a Message-ID: the normalized id "<local@domain>" (white space and
//    comments removed, angle brackets enforced, domain lower-cased).
//  - Without one: "fp:" + SHA-256 (hex, truncated) over the unfolded, white-space
//    normalized Date, From, To, Cc and Subject values and the exact size of the
//    CRLF message less its bookkeeping fields (mime/bookkeeping_fields.hpp),
//    so that two ID-less messages differing in any of these never share a key,
//    and a re-run finds its own uploads again, with or without those fields.
//    For a message without bookkeeping fields the fingerprint is what it always
//    was, so keys kept from earlier runs stay valid.
#pragma once

#include <cstdint>
#include <string_view>

#include "mailferry/core/message_key.hpp"
#include "mailferry/mime/header_fields.hpp"

namespace mailferry::mime {

core::MessageKey message_key(const HeaderFields& fields, std::uint64_t crlf_size);

// Normalizes one Message-ID value; empty when it holds no usable id.
std::string normalize_message_id(std::string_view raw);

// The header names the target must fetch so message_key can be computed there
// ("Message-ID Date From To Cc Subject" and the bookkeeping fields),
// space-separated, for HEADER.FIELDS.
std::string_view key_header_names();

}  // namespace mailferry::mime
