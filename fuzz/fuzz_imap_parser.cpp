// Fuzz target: the incremental IMAP response parser (imap/parser.hpp).
//
// Input: the server's byte stream, then one byte choosing the parser limits
// (last, so that plain protocol transcripts work as seeds).
// Invariants checked, beyond "no crash":
//  - resumability: the stream fed whole, one byte at a time and in random
//    pieces gives the same responses, the same literal bytes and the same
//    error;
//  - NeedMore means every byte was consumed; Error is final;
//  - a streamed literal arrives as consecutive chunks adding up to its size,
//    and is marked streamed in its response; a buffered literal holds exactly
//    its announced size;
//  - every feed() makes progress (no endless loop on any input).
// Each response then goes through the typed views the target uses (FETCH,
// LIST, STATUS), the INTERNALDATE reader, the uid-set reader of APPENDUID
// and ESEARCH, and the folder-name codec: any input, no undefined behaviour;
// a uid-set read back from its compact text is the same set; a name encoded
// to modified UTF-7 decodes to itself.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "mailferry/core/internal_date.hpp"
#include "mailferry/imap/data.hpp"
#include "mailferry/imap/mutf7.hpp"
#include "mailferry/imap/parser.hpp"
#include "mailferry/imap/uid_set.hpp"

namespace {

using mailferry::imap::ResponseParser;
using mailferry::imap::Value;

struct Event {
  enum Kind { Response, Literal, Error } kind = Response;
  mailferry::imap::Response response;
  std::string literal;  // all chunks of one streamed literal
  std::uint64_t literal_size = 0;
  ResponseParser::ParseError error = ResponseParser::ParseError::None;
  std::string error_message;

  bool operator==(const Event&) const = default;
};

ResponseParser::Limits limits_for(std::uint8_t choice) {
  ResponseParser::Limits limits;
  if (choice & 1) limits.max_buffered_literal = choice >> 4;  // 0..15: stream almost every literal
  if (choice & 2) limits.max_depth = 1 + ((choice >> 2) & 3);
  if (choice & 4) limits.max_line = 16 + (choice >> 3);
  if (choice & 8) limits.max_literal = 1000;
  return limits;
}

// Checks the literals of a finished response against what was streamed.
void check_values(const std::vector<Value>& values, const ResponseParser::Limits& limits,
                  std::vector<std::uint64_t>& streamed_sizes) {
  for (const Value& v : values) {
    if (v.kind == Value::Kind::List) check_values(v.items, limits, streamed_sizes);
    if (!v.literal) {
      FUZZ_CHECK(!v.streamed, "only literals are streamed");
      continue;
    }
    FUZZ_CHECK(v.kind == Value::Kind::String, "a literal is a string");
    if (v.streamed) {
      FUZZ_CHECK(v.literal_size > limits.max_buffered_literal, "streamed only when too big");
      FUZZ_CHECK(v.text.empty(), "a streamed literal's bytes are not buffered");
      streamed_sizes.push_back(v.literal_size);
    } else {
      FUZZ_CHECK(v.literal_size <= limits.max_buffered_literal, "buffered only when small");
      FUZZ_CHECK(v.text.size() == v.literal_size, "a buffered literal holds its announced size");
    }
  }
}

void check_uid_set(const std::string& text) {
  constexpr std::size_t kMax = 4096;
  const auto uids = mailferry::imap::parse_uid_set(text, kMax);
  if (!uids) return;
  FUZZ_CHECK(uids->size() <= kMax, "a uid-set respects its limit");
  FUZZ_CHECK(std::find(uids->begin(), uids->end(), 0u) == uids->end(), "0 is not a UID");
  std::vector<std::uint32_t> unique = *uids;
  std::sort(unique.begin(), unique.end());
  unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
  const auto again = mailferry::imap::parse_uid_set(mailferry::imap::compact_uid_set(*uids), kMax);
  FUZZ_CHECK(again && *again == unique, "a compact uid-set reads back as the same set");
}

void check_name(const std::string& text) {
  if (text.size() > 512) return;
  try {
    (void)mailferry::imap::mutf7_decode(text);
  } catch (const mailferry::imap::Mutf7Error&) {
  }
  std::string wire;
  try {
    wire = mailferry::imap::mutf7_encode(text);
  } catch (const mailferry::imap::Mutf7Error&) {
    return;  // not UTF-8
  }
  std::string back;
  try {
    back = mailferry::imap::mutf7_decode(wire);
  } catch (const mailferry::imap::Mutf7Error&) {
    FUZZ_CHECK(false, "what mutf7_encode writes, mutf7_decode reads");
  }
  FUZZ_CHECK(back == text, "a folder name survives modified UTF-7");
}

void check_strings(const std::vector<Value>& values) {
  for (const Value& v : values) {
    if (v.kind == Value::Kind::List) check_strings(v.items);
    if (v.kind == Value::Kind::Atom || v.kind == Value::Kind::String) {
      check_name(v.text);
      if (v.text.size() < 64) {
        check_uid_set(v.text);
        (void)mailferry::core::parse_imap_date(v.text);
      }
    }
  }
}

// What the IMAP target reads out of a response.
void check_views(const mailferry::imap::Response& response) {
  if (auto fetch = mailferry::imap::parse_fetch(response)) {
    if (fetch->internal_date) (void)mailferry::core::parse_imap_date(*fetch->internal_date);
  }
  if (auto list = mailferry::imap::parse_list(response)) check_name(list->name);
  (void)mailferry::imap::parse_status(response);
  if (response.code) {
    for (const Value& arg : response.code->args)
      if (arg.kind == Value::Kind::Atom) check_uid_set(arg.text);
  }
  check_strings(response.data);
}

std::vector<Event> run(std::string_view stream, const ResponseParser::Limits& limits,
                       const std::vector<std::size_t>& pieces, bool check_responses = false) {
  ResponseParser parser(limits);
  std::vector<Event> events;
  std::vector<std::uint64_t> chunk_sizes;  // literals streamed since the last response
  bool in_literal = false;
  std::uint64_t expected_offset = 0;
  std::size_t at = 0;
  std::size_t steps = 0;
  bool failed = false;
  for (std::size_t piece : pieces) {
    std::string_view input = stream.substr(at, piece);
    at += piece;
    while (!failed) {
      FUZZ_CHECK(++steps <= 4 * stream.size() + 64, "feed() makes progress");
      const std::size_t before = input.size();
      ResponseParser::Result r = parser.feed(input);
      FUZZ_CHECK(input.size() <= before, "feed() only consumes");
      if (r == ResponseParser::Result::NeedMore) {
        FUZZ_CHECK(input.empty(), "NeedMore only when all input is consumed");
        break;
      }
      if (r == ResponseParser::Result::Error) {
        Event e;
        e.kind = Event::Error;
        e.error = parser.error();
        e.error_message = parser.error_message();
        FUZZ_CHECK(e.error != ResponseParser::ParseError::None, "an error has a reason");
        FUZZ_CHECK(!e.error_message.empty(), "an error has a message");
        events.push_back(std::move(e));
        std::string_view more = input;
        FUZZ_CHECK(parser.feed(more) == ResponseParser::Result::Error, "errors are final");
        failed = true;
        break;
      }
      if (r == ResponseParser::Result::LiteralChunk) {
        std::string_view chunk = parser.literal_chunk();
        FUZZ_CHECK(!chunk.empty(), "a chunk holds bytes");
        FUZZ_CHECK(parser.literal_size() > limits.max_buffered_literal, "chunks only when big");
        if (!in_literal) {
          FUZZ_CHECK(parser.literal_offset() == 0, "a literal's first chunk starts at 0");
          Event e;
          e.kind = Event::Literal;
          e.literal_size = parser.literal_size();
          events.push_back(std::move(e));
          in_literal = true;
          expected_offset = 0;
        }
        Event& e = events.back();
        FUZZ_CHECK(parser.literal_offset() == expected_offset, "chunks are consecutive");
        FUZZ_CHECK(parser.literal_size() == e.literal_size, "one literal, one size");
        e.literal.append(chunk);
        expected_offset += chunk.size();
        FUZZ_CHECK(expected_offset <= e.literal_size, "chunks stay inside the literal");
        if (expected_offset == e.literal_size) {
          chunk_sizes.push_back(e.literal_size);
          in_literal = false;
        }
        continue;
      }
      FUZZ_CHECK(!in_literal, "a response comes after its literal's last chunk");
      Event e;
      e.response = parser.take_response();
      std::vector<std::uint64_t> streamed;
      check_values(e.response.data, limits, streamed);
      if (check_responses) check_views(e.response);
      FUZZ_CHECK(streamed == chunk_sizes, "each streamed literal was delivered in chunks");
      chunk_sizes.clear();
      events.push_back(std::move(e));
    }
  }
  return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const ResponseParser::Limits limits = limits_for(data[size - 1]);
  const std::string_view stream(reinterpret_cast<const char*>(data), size - 1);

  const std::vector<Event> whole = run(stream, limits, {stream.size()}, true);
  const std::vector<Event> bytewise =
      run(stream, limits, mailferry::fuzz::piece_sizes(stream.size(), 1, 0));
  FUZZ_CHECK(whole == bytewise, "byte-by-byte parsing gives the same result as whole");
  const std::vector<Event> pieces =
      run(stream, limits,
          mailferry::fuzz::piece_sizes(stream.size(), 64, mailferry::fuzz::input_hash(stream)));
  FUZZ_CHECK(whole == pieces, "parsing in pieces gives the same result as whole");

  // Response codes' arguments go through the same tokenizer on their own.
  std::vector<Value> values;
  mailferry::imap::parse_value_list(stream.substr(0, 4096), values);
  return 0;
}
