// Cleaning the transport headers a PST keeps for a received message.
//
// PR_TRANSPORT_MESSAGE_HEADERS is the header block as the message arrived, but
// PSTs written by Exchange and conversion tools also hold a banner line
// ("Microsoft Mail Internet Headers Version 2.0"), trailing blank lines, or
// stray lines that are not header fields. The cleaned block:
//  - starts at the first line that is a header field;
//  - ends before the first empty line;
//  - turns any other line that is neither a field nor a continuation into a
//    continuation of the field before it (nothing is lost, the syntax holds);
//  - leaves out MIME-Version and the Content-* fields that describe the
//    original body (the rebuilt body brings its own).
// LF line ends in and out. Never throws.
#pragma once

#include <set>
#include <string>
#include <string_view>

namespace mailferry::pst {

struct CleanHeaders {
  std::string block;              // field lines, each ending in LF; empty if none
  std::set<std::string> present;  // lower-case names of the fields kept
};

CleanHeaders clean_transport_headers(std::string_view raw);

}  // namespace mailferry::pst
