// The body Outlook encapsulated in RTF ([MS-OXRTFEX]).
//
// Outlook often stores a message's only rich body as compressed RTF that
// merely wraps the original: "\fromhtml1" RTF carries the HTML in
// {\*\htmltag} groups, "\fromtext" RTF carries plain text. Unwrapping gives
// the original body back, so such RTF never needs to travel as an attachment;
// only RTF that is native (written in Outlook's RTF editor) is kept as RTF.
//
// Never throws; malformed RTF yields nullopt. Bounded: nesting is capped.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mailferry::pst {

struct UnwrappedBody {
  bool html = false;  // true: HTML, false: plain text
  std::string utf8;   // the body in UTF-8
};

// nullopt when `rtf` is native RTF (nothing encapsulated) or unreadable.
std::optional<UnwrappedBody> unwrap_rtf_body(std::string_view rtf);

}  // namespace mailferry::pst
