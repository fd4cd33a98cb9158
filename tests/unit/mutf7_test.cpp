#include "mailferry/imap/mutf7.hpp"

#include <doctest/doctest.h>

#include <string>

using mailferry::imap::mutf7_decode;
using mailferry::imap::mutf7_encode;
using mailferry::imap::Mutf7Error;

namespace {

struct Pair {
  const char* utf8;
  const char* wire;
};

// Expected wire forms: RFC 3501's example, and names real clients create.
constexpr Pair kPairs[] = {
    {"INBOX", "INBOX"},
    {"", ""},
    {"&", "&-"},
    {"Tom & Jerry", "Tom &- Jerry"},
    {"&&", "&-&-"},
    {"~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
     "~peter/mail/&U,BTFw-/&ZeVnLIqe-"},
    {"Entw\xc3\xbcrfe", "Entw&APw-rfe"},
    {"Gel\xc3\xb6schte Elemente", "Gel&APY-schte Elemente"},
    {"\xc3\x84rger/\xc3\x9c"
     "bersicht",
     "&AMQ-rger/&ANw-bersicht"},
    {"\xeb\xb3\xb4\xeb\x82\xb8 \xed\x8e\xb8\xec\xa7\x80\xed\x95\xa8", "&vPSwuA- &07jJwNVo-"},
    {"\xe9\x80\x81\xe4\xbf\xa1\xe6\xb8\x88\xe3\x81\xbf\xe3\x82\xa2\xe3\x82\xa4\xe3\x83\x86\xe3"
     "\x83\xa0",
     "&kAFP4W4IMH8wojCkMMYw4A-"},
    {"\xf0\x9f\x93\xa7 Post", "&2D3c5w- Post"},  // outside the BMP: a surrogate pair
    {"\xe2\x82\xac", "&IKw-"},
    {"a\tb", "a&AAk-b"},  // control characters are shifted too
};

}  // namespace

TEST_CASE("mutf7: encodes and decodes known names both ways") {
  for (const auto& p : kPairs) {
    CAPTURE(p.wire);
    CHECK(mutf7_encode(p.utf8) == p.wire);
    CHECK(mutf7_decode(p.wire) == p.utf8);
  }
}

TEST_CASE("mutf7: a round trip keeps every BMP and astral sample") {
  std::string all;
  for (char32_t cp : {0x41u, 0xe9u, 0x3b1u, 0x4e2du, 0xac00u, 0xfffdu, 0x1f600u, 0x10ffffu}) {
    std::string one;
    if (cp < 0x80) {
      one += static_cast<char>(cp);
    } else if (cp < 0x800) {
      one += static_cast<char>(0xc0 | (cp >> 6));
      one += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      one += static_cast<char>(0xe0 | (cp >> 12));
      one += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      one += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
      one += static_cast<char>(0xf0 | (cp >> 18));
      one += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
      one += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      one += static_cast<char>(0x80 | (cp & 0x3f));
    }
    all += one;
    CHECK(mutf7_decode(mutf7_encode(one)) == one);
  }
  std::string wire = mutf7_encode(all);
  CHECK(wire.find_first_not_of(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,&-") ==
        std::string::npos);
  CHECK(mutf7_decode(wire) == all);
}

TEST_CASE("mutf7: invalid UTF-8 is refused with the reason") {
  const char* bad[] = {
      "\xc3",              // truncated
      "abc\xe6\x97",       // truncated at the end
      "\xc0\xaf",          // overlong '/'
      "\xed\xa0\x80",      // a surrogate encoded in UTF-8
      "\xf4\x90\x80\x80",  // past U+10FFFF
      "\xff",              // never valid
      "\x80",              // continuation without a lead byte
  };
  for (const char* s : bad) {
    CAPTURE(s);
    CHECK_THROWS_AS(mutf7_encode(s), Mutf7Error);
  }
  try {
    mutf7_encode("Entw\xc3");
    FAIL("no error");
  } catch (const Mutf7Error& e) {
    CHECK(std::string(e.what()).find("not valid UTF-8") != std::string::npos);
    CHECK(std::string(e.what()).find("byte 5") != std::string::npos);
  }
}

TEST_CASE("mutf7: invalid modified UTF-7 is refused with the reason") {
  struct Bad {
    const char* wire;
    const char* why;
  };
  const Bad bad[] = {
      {"&", "closing '-'"},
      {"Entw&APw", "closing '-'"},
      {"&U,BTFw!-", "inside an '&' sequence"},
      {"&AGE-", "printable ASCII"},  // 'a' must not be shifted
      {"&2D0-", "surrogate"},        // a high surrogate alone
      {"&3ec-", "surrogate"},        // a low surrogate alone
      {"&APx-", "leftover bits"},    // padding bits not zero
      {"&APwA-", "leftover bits"},   // a dangling partial unit
      {"Entw\xc3\xbcrfe", "8-bit"},  // raw UTF-8 is not modified UTF-7
      {"a\tb", "control character"},
      {"&U/BTFw-", "inside an '&' sequence"},  // '/' is not in the alphabet
  };
  for (const auto& b : bad) {
    CAPTURE(b.wire);
    try {
      mutf7_decode(b.wire);
      FAIL("accepted invalid input");
    } catch (const Mutf7Error& e) {
      CHECK(std::string(e.what()).find(b.why) != std::string::npos);
    }
  }
}
