#include <doctest/doctest.h>

#include <string>

#include "mailferry/mbox/from_line.hpp"
#include "mailferry/mbox/variant.hpp"

using mailferry::mbox::parse_from_line;

namespace {

std::string date_of(std::string_view line) {
  auto f = parse_from_line(line);
  return f.date ? f.date->to_imap() : "none";
}

}  // namespace

TEST_CASE("mbox From_ line: dates in the spellings found in real files") {
  CHECK(date_of("From dblank@comp.uark.edu  Wed Jul  1 13:17:17 1998") ==
        "01-Jul-1998 13:17:17 +0000");
  CHECK(date_of("From xxx8x@ares.cs.Virginia.EDU Thu Sep 13 12:30:05 2001 -0400") ==
        "13-Sep-2001 12:30:05 -0400");
  CHECK(date_of("From david@coppit.org Sat Sep  1 20:58 EDT 2001") == "01-Sep-2001 20:58:00 -0400");
  CHECK(date_of("From magick-owner@unca-don.wizards.dupont.com Wed Feb  9 22:02 MET 2000") ==
        "09-Feb-2000 22:02:00 +0100");
  CHECK(date_of("From - Wed Nov 09 20:53:04 2011\r\n") == "09-Nov-2011 20:53:04 +0000");
  CHECK(date_of("From upi at papat.org  Wed Feb  1 19:06:04 2006\n") ==
        "01-Feb-2006 19:06:04 +0000");
  CHECK(date_of("From MAILER-DAEMON Fri Jul  8 12:08:34 2011") == "08-Jul-2011 12:08:34 +0000");
  CHECK(date_of("From Wed Nov 09 20:53:04 2011") == "09-Nov-2011 20:53:04 +0000");  // no sender
  CHECK(date_of("From a@b Wed, 01 Jul 1998 13:17:17 +0200") == "01-Jul-1998 13:17:17 +0200");
  CHECK(date_of("From a@b Wed Jul  1 13:17:17 1998 remote from uucphost") ==
        "01-Jul-1998 13:17:17 +0000");
}

TEST_CASE("mbox From_ line: lines without a date") {
  for (std::string_view line :
       {"From ", "From - ", "From -", "From MAILER-DAEMON",
        "From the beginning, mbox should have been mboxrd", "From me to you on 5 May 2019"}) {
    CAPTURE(line);
    auto f = parse_from_line(line);
    CHECK_FALSE(f.has_date);
    CHECK_FALSE(f.date.has_value());
  }
  CHECK(parse_from_line("From ").bare);
  CHECK(parse_from_line("From - \r\n").bare);
  CHECK(parse_from_line("From MAILER-DAEMON").bare);
  CHECK_FALSE(parse_from_line("From me to you").bare);
  CHECK_FALSE(parse_from_line("Subject: not a From line").has_date);
}

TEST_CASE("mbox From_ line: git format-patch's fixed date is a separator but not a date") {
  auto f =
      parse_from_line("From b9704a518e21158433baa2cc2d591fea687967f6 Mon Sep 17 00:00:00 2001");
  CHECK(f.has_date);
  CHECK(f.placeholder_date);
  CHECK_FALSE(f.date.has_value());
}

TEST_CASE("mbox variant names") {
  using mailferry::mbox::Variant;
  CHECK(mailferry::mbox::parse_variant("auto") == Variant::Auto);
  CHECK(mailferry::mbox::parse_variant("MBOXRD") == Variant::Mboxrd);
  CHECK(mailferry::mbox::parse_variant("mboxcl2") == Variant::Mboxcl2);
  CHECK_FALSE(mailferry::mbox::parse_variant("maildir").has_value());
  for (auto v : {Variant::Auto, Variant::Mboxo, Variant::Mboxrd, Variant::Mboxcl, Variant::Mboxcl2})
    CHECK(mailferry::mbox::parse_variant(mailferry::mbox::variant_name(v)) == v);
}
