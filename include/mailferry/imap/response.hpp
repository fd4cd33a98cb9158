// What the IMAP server says, as the response parser hands it out.
//
// A response is one of: untagged ("* ..."), tagged ("A7 OK ..."), or a
// continuation request ("+ ..."). Status responses (OK, NO, BAD, BYE, PREAUTH)
// carry an optional response code and human-readable text; data responses
// (FETCH, LIST, CAPABILITY, EXISTS, ...) carry their values as a tree.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailferry::imap {

// One value of a data response: an atom (numbers and flags are atoms), a
// string (quoted or literal), NIL, or a parenthesized list.
struct Value {
  enum class Kind { Atom, String, Nil, List };
  Kind kind = Kind::Nil;
  std::string text;          // Atom and String: the bytes (unescaped for quoted strings)
  std::vector<Value> items;  // List
  bool literal = false;      // a String that came as {n} literal
  bool streamed = false;     // a literal too big to buffer: its bytes went out as chunks
  std::uint64_t literal_size = 0;

  bool is_atom(std::string_view name) const;  // case-insensitive
  bool is_list() const { return kind == Kind::List; }
  bool is_nil() const { return kind == Kind::Nil; }
  // Atom or String (astring), e.g. a mailbox name or a header block; NIL gives "".
  bool is_string_like() const { return kind == Kind::Atom || kind == Kind::String; }
  // An atom holding a decimal number that fits, else nullopt.
  std::optional<std::uint64_t> number() const;

  bool operator==(const Value&) const = default;
};

enum class Status { None, Ok, No, Bad, Bye, Preauth };

// "[APPENDUID 38505 3955]": name upper-cased, the rest raw and, where it
// tokenises, as values.
struct ResponseCode {
  std::string name;
  std::string raw;
  std::vector<Value> args;
  bool operator==(const ResponseCode&) const = default;
};

struct Response {
  enum class Kind { Untagged, Tagged, Continuation };
  Kind kind = Kind::Untagged;
  std::string tag;                      // Tagged only
  std::optional<std::uint32_t> number;  // "* 5 EXISTS", "* 3 FETCH (...)"
  std::string keyword;                  // upper-cased: "OK", "FETCH", "LIST", "CAPABILITY"
  Status status = Status::None;         // for OK/NO/BAD/BYE/PREAUTH
  std::optional<ResponseCode> code;     // status responses only
  std::string text;                     // status text, or a continuation's text
  std::vector<Value> data;              // data responses: the values after the keyword

  bool is_status() const { return status != Status::None; }
  bool has_code(std::string_view name) const;  // case-insensitive
  bool operator==(const Response&) const = default;
};

// For messages and logs: "OK", "NO", ...
const char* status_name(Status status);

}  // namespace mailferry::imap
