// The mbox flavours mailferry reads, and what each one means for the reader.
//
//   mboxo   From_ lines separate messages; a body line "From " was written as
//           ">From "; on reading, "^>From " loses its '>'.
//   mboxrd  like mboxo, but every "^>*From " line was quoted with one more '>';
//           on reading, "^>+From " loses exactly one '>'.
//   mboxcl  Content-Length: gives the body size (Solaris, old Netscape and
//           Thunderbird files); body lines are quoted as in mboxo.
//   mboxcl2 Content-Length:, and bodies are stored unquoted.
//   auto    Content-Length: is used where it points exactly at the next From_
//           line (or the end of the file), From_ lines everywhere else, and
//           quoting is undone as in mboxrd. That is the same as "mboxrd if any
//           ">>From " line appears, else mboxo": the two differ only on lines
//           with two or more '>', so deciding per line needs no pre-pass.
#pragma once

#include <optional>
#include <string_view>

namespace mailferry::mbox {

enum class Variant { Auto, Mboxo, Mboxrd, Mboxcl, Mboxcl2 };

// How ">From " lines are undone when a message is read back.
enum class Quoting {
  None,    // bytes stay as they are (mboxcl2)
  Mboxo,   // "^>From " -> "From "
  Mboxrd,  // "^>+From " loses one '>'
};

// "auto", "mboxo", "mboxrd", "mboxcl", "mboxcl2" (case-insensitive); nullopt otherwise.
std::optional<Variant> parse_variant(std::string_view name);
std::string_view variant_name(Variant variant);

Quoting quoting_of(Variant variant);
// Whether Content-Length: may decide where a message ends.
bool uses_content_length(Variant variant);

}  // namespace mailferry::mbox
