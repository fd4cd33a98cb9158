// Sender and subject as a message line shows them: decoded, on one line,
// short, and harmless to a terminal.
#include <doctest/doctest.h>

#include "mailferry/mime/display_text.hpp"

using namespace mailferry::mime;

TEST_CASE("display text: encoded words are decoded, in subjects and display names") {
  CHECK(display_subject("=?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=") == "Grüße aus Köln");
  CHECK(display_subject("=?ISO-8859-1?B?SGVsbG8g5A==?=") == "Hello ä");
  CHECK(display_sender("=?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <joerg@example.de>") == "Jörg Müller");
}

TEST_CASE("display text: the sender is the display name, else the address") {
  CHECK(display_sender("Alice Example <alice@example.com>") == "Alice Example");
  CHECK(display_sender("\"Example, Alice\" <alice@example.com>") == "Example, Alice");
  CHECK(display_sender("\"a <b>\" <c@example.com>") == "a <b>");
  CHECK(display_sender("<bob@example.com>") == "bob@example.com");
  CHECK(display_sender("bob@example.com") == "bob@example.com");
  CHECK(display_sender("") == "");
}

TEST_CASE("display text: one line, no control characters, cut to a width") {
  CHECK(display_subject("  Re:\tthe\r\n plan  ") == "Re: the plan");
  CHECK(display_subject("red \x1b[31malert") == "red [31malert");
  const std::string cut = display_subject(std::string(200, 'x'), 20);
  CHECK(cut == std::string(17, 'x') + "...");
  // Cut between characters, never inside one.
  std::string umlauts;
  for (int i = 0; i < 30; ++i) umlauts += "ü";
  const std::string short_umlauts = display_subject(umlauts, 10);
  std::string expected;
  for (int i = 0; i < 7; ++i) expected += "ü";
  CHECK(short_umlauts == expected + "...");
  CHECK(display_subject("exactly ten", 11) == "exactly ten");
}
