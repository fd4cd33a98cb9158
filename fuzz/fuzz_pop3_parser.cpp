// Fuzz target: the incremental POP3 response parser (pop3/response_parser.hpp)
// and the status-line parser behind it.
//
// Input: the server's byte stream, then two bytes saying which of up to 16
// pipelined responses are multi-line (CAPA/UIDL/LIST/TOP/RETR) and which are
// not (bit i of the little-endian value: response i).
// Invariants checked, beyond "no crash":
//  - resumability: whole, byte-by-byte and random pieces give the same
//    statuses, bodies, consumed byte counts and protocol errors;
//  - feed() stops exactly at the end of a response: it consumes everything
//    unless the response is complete;
//  - a body is delivered with CRLF line ends only (bare LF normalized), the
//    sink is called at most once per feed(), body_bytes() counts what was
//    delivered, and single-line or -ERR answers have no body;
//  - the only exception is pop3::ProtocolError.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "mailferry/pop3/response_parser.hpp"

namespace {

using mailferry::pop3::ResponseParser;

struct Answer {
  bool multiline = false;
  bool status_known = false;
  bool ok = false;
  std::string code, text;
  std::string body;
  bool complete = false;
  std::size_t consumed = 0;  // bytes of the stream this response took
  std::string error;         // ProtocolError text, if the line was not POP3

  bool operator==(const Answer&) const = default;
};

std::vector<Answer> run(std::string_view stream, std::uint16_t multiline_mask,
                        const std::vector<std::size_t>& pieces) {
  std::vector<Answer> answers;
  ResponseParser parser;
  std::size_t index = 0;
  auto start_next = [&] {
    const bool multiline = (multiline_mask >> (index % 16)) & 1;
    ++index;
    parser.start(multiline);
    answers.push_back(Answer{});
    answers.back().multiline = multiline;
  };
  start_next();
  std::size_t at = 0;
  for (std::size_t piece : pieces) {
    std::string_view input = stream.substr(at, piece);
    at += piece;
    while (!input.empty()) {
      Answer& a = answers.back();
      int calls = 0;
      std::size_t taken = 0;
      try {
        taken = parser.feed(input, [&](std::string_view bytes) {
          ++calls;
          FUZZ_CHECK(!bytes.empty(), "the sink gets bytes");
          a.body.append(bytes);
        });
      } catch (const mailferry::pop3::ProtocolError& e) {
        a.error = e.what();
        a.consumed = 0;  // how much of the bad line came before the throw depends on the pieces
        FUZZ_CHECK(!a.error.empty(), "a protocol error says why");
        return answers;
      }
      FUZZ_CHECK(calls <= 1, "the sink is called at most once per feed()");
      FUZZ_CHECK(taken <= input.size(), "feed() consumes only what it was given");
      FUZZ_CHECK(taken == input.size() || parser.complete(),
                 "feed() stops early only at the end of a response");
      FUZZ_CHECK(parser.body_bytes() == a.body.size(), "body_bytes() counts the delivered bytes");
      a.consumed += taken;
      input.remove_prefix(taken);
      if (parser.status_known()) {
        a.status_known = true;
        a.ok = parser.status().ok;
        a.code = parser.status().code;
        a.text = parser.status().text;
      }
      if (parser.complete()) {
        a.complete = true;
        FUZZ_CHECK(a.status_known, "a complete response has a status");
        if (!a.ok || !a.multiline) FUZZ_CHECK(a.body.empty(), "-ERR and single-line have no body");
        FUZZ_CHECK(mailferry::fuzz::crlf_only(a.body), "a body has CRLF line ends only");
        // What reports quote must not crash on any status.
        (void)parser.status().describe();
        (void)parser.status().code_kind();
        start_next();
      }
    }
  }
  return answers;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint16_t mask = static_cast<std::uint16_t>(data[size - 2] | (data[size - 1] << 8));
  const std::string_view stream(reinterpret_cast<const char*>(data), size - 2);

  const auto whole = run(stream, mask, {stream.size()});
  const auto bytewise = run(stream, mask, mailferry::fuzz::piece_sizes(stream.size(), 1, 0));
  FUZZ_CHECK(whole == bytewise, "byte-by-byte parsing gives the same result as whole");
  const auto pieces =
      run(stream, mask,
          mailferry::fuzz::piece_sizes(stream.size(), 48, mailferry::fuzz::input_hash(stream)));
  FUZZ_CHECK(whole == pieces, "parsing in pieces gives the same result as whole");
  return 0;
}
