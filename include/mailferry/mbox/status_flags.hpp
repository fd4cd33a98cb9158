// Message flags stored inside mbox files by the mail clients that wrote them.
//
//   Status:            R = read (\Seen); O = old (not recent; no IMAP flag)
//   X-Status:          A = answered, F = flagged, D = deleted, T = draft
//   X-Mozilla-Status:  hex bit field (Thunderbird, Netscape): 0x0001 read,
//                      0x0002 replied, 0x0004 marked (flagged), 0x0008 expunged
//                      (\Deleted), 0x1000 forwarded ($Forwarded)
// The result is the union of all three. The headers stay in the uploaded
// message: the bytes on the server are the bytes of the file.
#pragma once

#include "mailferry/core/flags.hpp"
#include "mailferry/mime/header_fields.hpp"

namespace mailferry::mbox {

core::Flags flags_from_status_headers(const mime::HeaderFields& fields);

}  // namespace mailferry::mbox
