// An incremental IMAP response parser.
//
// Feed it bytes as they come, in pieces of any size (one byte at a time works
// and gives the same result as the whole input at once). It is a pull parser:
// feed() consumes input until something is ready and says what:
//   Response      - a complete response; take it with take_response().
//   LiteralChunk  - a piece of a literal too big to buffer (see Limits); the
//                   bytes are literal_chunk() until the next feed(). The
//                   literal's Value in the finished response is marked streamed.
//   NeedMore      - every input byte was consumed; feed more.
//   Error         - the input is not IMAP; error() and error_message() say
//                   why. The parser stays in this state: the stream is lost.
// Memory: one response at a time, bounded by Limits; no exceptions are thrown
// for bad input (suitable for fuzzing).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mailferry/imap/response.hpp"

namespace mailferry::imap {

class ResponseParser {
 public:
  struct Limits {
    std::size_t max_line = 8u << 20;              // bytes of one line outside literals
    std::uint64_t max_literal = 1ull << 40;       // larger literals: ParseError::LiteralTooBig
    std::size_t max_buffered_literal = 1u << 20;  // larger literals are streamed in chunks
    std::size_t max_depth = 64;                   // nesting of parenthesized lists
  };

  enum class Result { NeedMore, Response, LiteralChunk, Error };
  enum class ParseError { None, Syntax, LineTooLong, LiteralTooBig, TooDeep };

  ResponseParser();
  explicit ResponseParser(Limits limits);

  // Consumes bytes from the front of `input` (advancing it) and reports.
  Result feed(std::string_view& input);

  // After Result::Response: the response (moved out; the parser goes on).
  Response take_response();
  // After Result::LiteralChunk: the bytes (a view into the fed input), the
  // literal's total size, and how many of its bytes came before this chunk.
  std::string_view literal_chunk() const { return chunk_; }
  std::uint64_t literal_size() const { return literal_size_; }
  std::uint64_t literal_offset() const { return chunk_offset_; }

  ParseError error() const { return error_; }
  const std::string& error_message() const { return error_message_; }

 private:
  enum class State { Line, Literal, Done, Failed };

  Result fail(ParseError error, std::string message);
  Result finish_line();
  bool parse_head(std::string_view line, std::size_t& pos);

  Limits limits_;
  State state_ = State::Line;
  std::string line_;  // the current line (without its line end)
  bool first_line_ = true;
  Response response_;
  std::vector<std::vector<Value>> stack_;  // open lists; [0] is the response's data

  std::uint64_t literal_size_ = 0;
  std::uint64_t literal_left_ = 0;
  bool literal_streamed_ = false;
  std::string_view chunk_;
  std::uint64_t chunk_offset_ = 0;

  ParseError error_ = ParseError::None;
  std::string error_message_;
};

// Tokenises a string of values (no literals) the way the parser does, e.g. a
// response code's arguments. Returns false if it does not tokenise.
bool parse_value_list(std::string_view text, std::vector<Value>& out);

}  // namespace mailferry::imap
