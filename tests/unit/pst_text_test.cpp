// PST text decoding, RTF unwrapping and transport-header cleaning.
#include <doctest/doctest.h>
#include <libpst/libpst.h>

#include <string>

#include "mailferry/pst/pst_file.hpp"
#include "mailferry/pst/rtf_body.hpp"
#include "mailferry/pst/text.hpp"
#include "mailferry/pst/transport_headers.hpp"

using namespace mailferry::pst;

TEST_CASE("pst text: Windows code pages map to iconv and MIME names") {
  CHECK(charset_for_codepage(932) == "CP932");
  CHECK(charset_for_codepage(1252) == "CP1252");
  CHECK(charset_for_codepage(28592) == "ISO-8859-2");
  CHECK(charset_for_codepage(65001) == "UTF-8");
  CHECK(charset_for_codepage(0).empty());
  CHECK(charset_for_codepage(99999).empty());
  CHECK(mime_charset_for_codepage(932) == "shift_jis");
  CHECK(mime_charset_for_codepage(50220) == "iso-2022-jp");
  CHECK(mime_charset_for_codepage(1251) == "windows-1251");
  CHECK(mime_charset_for_codepage(20127) == "us-ascii");
  CHECK(codepage_for_locale(0x0411) == 932);
  CHECK(codepage_for_locale(0x0804) == 936);
  CHECK(codepage_for_locale(0x0404) == 950);
  CHECK(codepage_for_locale(0x0412) == 949);
  CHECK(codepage_for_locale(0x0419) == 1251);
  CHECK(codepage_for_locale(0x0415) == 1250);
  CHECK(codepage_for_locale(0x0409) == 1252);
}

TEST_CASE("pst text: 8-bit strings decode with their code page, bad bytes become U+FFFD") {
  CHECK(to_utf8("\x82\xa0\x93\xfa", "CP932") == "あ日");
  CHECK(to_utf8("Gr\xfc\xdf", "CP1252") == "Grüß");
  CHECK(to_utf8("\xe4", "") == "ä");                    // unknown: windows-1252
  CHECK(to_utf8("a\x82", "CP932") == "a\xEF\xBF\xBD");  // a cut double-byte char
  CHECK(utf16le_to_utf8(std::string("h\0\xe9\0", 4)) == "hé");

  char bad[] =
      "a\xff"
      "b";
  pst_string utf8{1, bad};
  CHECK(decode(utf8, 0) ==
        "a\xEF\xBF\xBD"
        "b");
  char sjis[] = "\x83\x65\x83\x58\x83\x67";
  pst_string ansi{0, sjis};
  CHECK(decode(ansi, 932) == "テスト");
  CHECK(is_valid_utf8("テスト"));
  CHECK_FALSE(is_valid_utf8("\xC0\x80"));  // overlong
}

TEST_CASE("pst rtf: HTML encapsulated in RTF is unwrapped") {
  const std::string rtf =
      "{\\rtf1\\ansi\\ansicpg1252\\fromhtml1 \\deff0{\\fonttbl{\\f0\\fswiss Arial;}}"
      "{\\*\\htmltag19 <html>}{\\*\\htmltag34 <head>}{\\*\\htmltag41 </head>}"
      "{\\*\\htmltag50 <body>}\\htmlrtf {\\htmlrtf0 Caf\\'e9 \\u8364?\\par}"
      "\\htmlrtf {\\b RTF only}\\htmlrtf0"
      "{\\*\\htmltag58 </body>}{\\*\\htmltag27 </html>}}";
  auto body = unwrap_rtf_body(rtf);
  REQUIRE(body);
  CHECK(body->html);
  CHECK(body->utf8 == "<html><head></head><body>Café €\n</body></html>");
}

TEST_CASE("pst rtf: text encapsulated in RTF is unwrapped, native RTF is not") {
  auto text = unwrap_rtf_body(
      "{\\rtf1\\ansi\\ansicpg932\\fromtext \\deff0{\\fonttbl{\\f0 MS Gothic;}}"
      "\\pard \\'83\\'65\\'83\\'58\\'83\\'67\\par second line}");
  REQUIRE(text);
  CHECK_FALSE(text->html);
  CHECK(text->utf8 == "テスト\nsecond line");

  CHECK_FALSE(unwrap_rtf_body("{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Arial;}}\\b bold\\b0}"));
  CHECK_FALSE(unwrap_rtf_body("not rtf"));
  CHECK_FALSE(unwrap_rtf_body(""));
  // Deep nesting and a cut-off file stay bounded and harmless.
  CHECK_FALSE(unwrap_rtf_body("{\\rtf1\\fromhtml1" + std::string(5000, '{')));
  auto cut = unwrap_rtf_body("{\\rtf1\\fromhtml1{\\*\\htmltag1 <p>}\\'4");
  REQUIRE(cut);
  CHECK(cut->utf8 == "<p>");
}

TEST_CASE("pst headers: transport headers lose the old MIME fields and junk lines") {
  CleanHeaders h = clean_transport_headers(
      "Microsoft Mail Internet Headers Version 2.0\n"
      "Received: from a by b;\n"
      "\tMon, 1 Jan 2001 00:00:00 +0000\n"
      "Content-Type: multipart/mixed;\n"
      "\tboundary=\"old\"\n"
      "Subject: Hello\n"
      "a stray line\n"
      "MIME-Version: 1.0\n"
      "Content-Transfer-Encoding: 7bit\n"
      "Content-Language: de\n"
      "From: A <a@example.com>\n"
      "\n"
      "--old\n"
      "Content-Type: text/plain\n");
  CHECK(h.block ==
        "Received: from a by b;\n"
        "\tMon, 1 Jan 2001 00:00:00 +0000\n"
        "Subject: Hello\n"
        " a stray line\n"
        "Content-Language: de\n"
        "From: A <a@example.com>\n");
  CHECK(h.present == std::set<std::string>{"received", "subject", "content-language", "from"});
  CHECK(clean_transport_headers("no header here\njust text\n").block.empty());
  CHECK(clean_transport_headers("").present.empty());
}
