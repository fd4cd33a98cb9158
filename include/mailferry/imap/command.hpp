// Building IMAP commands: arguments, quoting, literals.
//
// A Command is the text after the tag, kept as parts so that the client can
// choose how each literal travels (LITERAL+, LITERAL-, or synchronizing) and
// stream a message body from its source without holding it in memory.
// Builders add one space before each argument. Nothing here does I/O.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mailferry/core/body_reader.hpp"

namespace mailferry::imap {

using BodyOpener = std::function<std::unique_ptr<core::BodyReader>()>;

class Command {
 public:
  struct Part {
    enum class Kind { Text, Literal, Body };
    Kind kind = Kind::Text;
    std::string bytes;       // Text: verbatim; Literal: the literal's bytes
    std::uint64_t size = 0;  // Literal, Body: the literal's size
    BodyOpener open;         // Body: opened when the literal is about to be sent
  };

  // `verb` is verbatim: "APPEND", "UID FETCH", "LIST".
  explicit Command(std::string_view verb);

  Command& raw(std::string_view text);       // verbatim: atoms, lists, sequence sets
  Command& astring(std::string_view value);  // atom, quoted string or literal, as needed
  Command& string(std::string_view value);   // quoted string or literal (never an atom)
  // A folder name in UTF-8: encoded as modified UTF-7; any case of "INBOX" is INBOX.
  // Throws Mutf7Error when the name is not valid UTF-8.
  Command& mailbox(std::string_view utf8_name);
  Command& literal(std::string bytes);                 // always a literal
  Command& body(std::uint64_t size, BodyOpener open);  // a literal streamed from a source

  const std::vector<Part>& parts() const { return parts_; }
  // The verb the command was made with: "APPEND", "UID FETCH".
  const std::string& verb() const { return verb_; }
  bool has_literals() const;
  // For logs: the command with each literal shown as {size}.
  std::string summary() const;

 private:
  void text(std::string_view bytes);
  std::string verb_;
  std::vector<Part> parts_;
};

// How a string argument must travel.
enum class StringForm { Atom, Quoted, Literal };
StringForm astring_form(std::string_view value);
// `value` as a quoted string: "..." with '"' and '\' escaped. Only for values
// astring_form() does not call Literal.
std::string quote(std::string_view value);

}  // namespace mailferry::imap
