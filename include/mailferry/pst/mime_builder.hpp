// A PST message to the RFC 5322 bytes that are uploaded, built with GMime.
//
// Header block:
//  - When the PST holds the transport headers (PR_TRANSPORT_MESSAGE_HEADERS,
//    i.e. the message arrived by mail), they are kept as received, minus
//    MIME-Version and the Content-* fields the rebuilt body replaces; fields a
//    reader needs but the block lacks (Date, From, To, Cc, Subject, Message-ID)
//    are added from the item's properties.
//  - Otherwise (Sent items, drafts) the headers are built from the properties:
//    Date (client submit time), From, Sender, To, Cc, Bcc, Subject,
//    Message-ID (PR_INTERNET_MESSAGE_ID only, never invented), In-Reply-To,
//    References; non-ASCII as RFC 2047 encoded-words in UTF-8. A party with no
//    SMTP address in the PST (an unresolved Exchange DN, or only a display
//    name) is written as a named empty group ("Dennis Lee: ;", RFC 6854).
// Body: text/plain and text/html as multipart/alternative when both exist;
// attachments referenced from the HTML by Content-ID as multipart/related;
// other attachments (names in any script as RFC 2231 UTF-8 parameters) and
// embedded messages (message/rfc822, to any depth) in multipart/mixed.
// RTF: the reader unwraps RTF that encapsulates HTML or text into the body
// (rtf_body.hpp); native RTF reaches the builder only when the message has no
// HTML body, and is then attached as "body.rtf" (application/rtf) next to the
// plain text, so no formatting is lost.
//
// Output: CRLF line ends, bodies 7-bit (quoted-printable or base64); only
// transport headers kept as received may hold 8-bit bytes. Deterministic: the
// same message and seed give the same bytes (boundaries derive from the seed),
// so the size computed at scan time holds when the body is built again.
#pragma once

#include <string>
#include <string_view>

#include "mailferry/pst/message.hpp"

namespace mailferry::pst {

std::string build_rfc5322(const Message& message, std::string_view boundary_seed);

}  // namespace mailferry::pst
