#include <doctest/doctest.h>

#include <string>

#include "mailferry/mbox/transcoder.hpp"
#include "mailferry/mbox/variant.hpp"

using mailferry::mbox::LineTranscoder;
using mailferry::mbox::Quoting;

namespace {

std::string whole(std::string_view in, Quoting q) {
  std::string out;
  LineTranscoder t(q);
  auto sink = [&](const char* d, std::size_t n) { out.append(d, n); };
  t.feed(in, sink);
  t.finish(sink);
  return out;
}

// One byte per feed(): every state must survive every cut.
std::string bytewise(std::string_view in, Quoting q) {
  std::string out;
  LineTranscoder t(q);
  auto sink = [&](const char* d, std::size_t n) { out.append(d, n); };
  for (char c : in) t.feed(std::string_view(&c, 1), sink);
  t.finish(sink);
  return out;
}

const std::string kTricky =
    "From the start of the message\n"
    ">From one\n"
    ">>From two\n"
    ">>>From three\n"
    " >From not at line start\n"
    ">Fro\n"
    ">>Fromage\n"
    ">\n"
    ">>\n"
    "crlf line\r\n"
    "lone\rcr\n"
    "\r\n"
    "\n"
    ">From at the end without LF";

}  // namespace

TEST_CASE("mbox transcoder: bare LF becomes CRLF, CRLF and lone CR stay") {
  CHECK(whole("a\nb\r\nc\rd\n\n", Quoting::None) == "a\r\nb\r\nc\rd\r\n\r\n");
  CHECK(whole("no line end", Quoting::None) == "no line end");
  CHECK(whole("ends with CR\r", Quoting::None) == "ends with CR\r");
  CHECK(whole("", Quoting::Mboxrd).empty());
}

TEST_CASE("mbox transcoder: mboxrd removes one '>' from every quoted From line") {
  CHECK(whole(kTricky, Quoting::Mboxrd) ==
        "From the start of the message\r\n"
        "From one\r\n"
        ">From two\r\n"
        ">>From three\r\n"
        " >From not at line start\r\n"
        ">Fro\r\n"
        ">>Fromage\r\n"
        ">\r\n"
        ">>\r\n"
        "crlf line\r\n"
        "lone\rcr\r\n"
        "\r\n"
        "\r\n"
        "From at the end without LF");
}

TEST_CASE("mbox transcoder: mboxo unquotes only a single '>'") {
  const std::string out = whole(kTricky, Quoting::Mboxo);
  CHECK(out.find("\r\nFrom one\r\n") != std::string::npos);
  CHECK(out.find("\r\n>>From two\r\n") != std::string::npos);
  CHECK(out.find("\r\n>>>From three\r\n") != std::string::npos);
  CHECK(out.find("\r\n>Fro\r\n") != std::string::npos);
}

TEST_CASE("mbox transcoder: no quoting leaves every '>' in place") {
  const std::string out = whole(kTricky, Quoting::None);
  CHECK(out.find("\r\n>From one\r\n") != std::string::npos);
  CHECK(out.find("\r\n>>From two\r\n") != std::string::npos);
}

TEST_CASE("mbox transcoder: byte-by-byte feeding gives the same bytes") {
  for (Quoting q : {Quoting::None, Quoting::Mboxo, Quoting::Mboxrd}) {
    CAPTURE(static_cast<int>(q));
    CHECK(bytewise(kTricky, q) == whole(kTricky, q));
    CHECK(bytewise("a\r\n\r\n>>From x\r\n", q) == whole("a\r\n\r\n>>From x\r\n", q));
  }
}

TEST_CASE("mbox transcoder: a very long run of '>' is handled in constant memory") {
  std::string in(100000, '>');
  in += "From x\n";
  std::string out = whole(in, Quoting::Mboxrd);
  CHECK(out == std::string(99999, '>') + "From x\r\n");
  CHECK(bytewise(in, Quoting::Mboxrd) == out);
}
