#include <doctest/doctest.h>

#include <string>

#include "mailferry/mime/header_fields.hpp"

using mailferry::mime::parse_date_with_time;
using mailferry::mime::parse_rfc5322_date;

namespace {

// The IMAP form keeps both the wall-clock time and the zone, so one string
// checks the whole result.
std::string imap(std::string_view text) {
  auto d = parse_rfc5322_date(text);
  return d ? d->to_imap() : "none";
}

}  // namespace

TEST_CASE("mime date: RFC 5322 standard form") {
  CHECK(imap("Fri, 09 Jun 2006 00:44:16 -0700") == "09-Jun-2006 00:44:16 -0700");
  auto d = parse_rfc5322_date("Thu, 1 Jan 1970 01:00:00 +0100");
  REQUIRE(d);
  CHECK(d->utc == 0);
  CHECK(d->offset_minutes == 60);
}

TEST_CASE("mime date: obsolete and broken forms") {
  CHECK(imap("9 Jun 2006 00:44:16 -0700") == "09-Jun-2006 00:44:16 -0700");  // no weekday
  CHECK(imap("Fri, 9 Jun 06 00:44:16 -0700") == "09-Jun-2006 00:44:16 -0700");
  CHECK(imap("Wed, 9 Jun 99 00:44:16 +0000") == "09-Jun-1999 00:44:16 +0000");
  CHECK(imap("Wed, 9 Jun 106 00:44:16 +0000") == "09-Jun-2006 00:44:16 +0000");  // 3 digits
  CHECK(imap("Fri, 9 Jun 2006 00:44 -0700") == "09-Jun-2006 00:44:00 -0700");    // no seconds
  CHECK(imap("  Fri ,  9   Jun  2006   00:44:16   -0700  ") == "09-Jun-2006 00:44:16 -0700");
  CHECK(imap("Fri, 9 Jun 2006 00:44:16 -0700 (PDT)") == "09-Jun-2006 00:44:16 -0700");
  CHECK(imap("(comment) Fri, 9 (more (nested)) Jun 2006 00:44:16 GMT") ==
        "09-Jun-2006 00:44:16 +0000");
  CHECK(imap("Fri, 9 Jun 2006 00:44:16 -0700 and some garbage 1234") ==
        "09-Jun-2006 00:44:16 -0700");
  CHECK(imap("Friday, 9 June 2006 00:44:16 -0700") == "09-Jun-2006 00:44:16 -0700");
  CHECK(imap("fri, 9 jun 2006 00:44:16 -0700") == "09-Jun-2006 00:44:16 -0700");
  CHECK(imap("9-Jun-2006 00:44:16 +0200") == "09-Jun-2006 00:44:16 +0200");
  CHECK(imap("Fri, 9 Jun 2006 00:44:16+0200") == "09-Jun-2006 00:44:16 +0200");
  CHECK(imap("Fri, 9 Jun 2006 00:44:16 +02:00") == "09-Jun-2006 00:44:16 +0200");
  CHECK(imap("Fri, 9 Jun 2006 00:44:16.25 +0000") == "09-Jun-2006 00:44:16 +0000");
  CHECK(imap("Fri, 9 Jun 2006 00:44:16") == "09-Jun-2006 00:44:16 +0000");  // no zone: UTC
  CHECK(imap("Fri, 9 Jun 2006") == "09-Jun-2006 00:00:00 +0000");           // no time
  CHECK(imap("Sat, 31 Dec 2016 23:59:60 +0000") == "31-Dec-2016 23:59:59 +0000");
}

TEST_CASE("mime date: named and military zones") {
  CHECK(imap("1 Jan 2001 12:00:00 UT") == "01-Jan-2001 12:00:00 +0000");
  CHECK(imap("1 Jan 2001 12:00:00 GMT") == "01-Jan-2001 12:00:00 +0000");
  CHECK(imap("1 Jan 2001 12:00:00 EST") == "01-Jan-2001 12:00:00 -0500");
  CHECK(imap("1 Jul 2001 12:00:00 EDT") == "01-Jul-2001 12:00:00 -0400");
  CHECK(imap("1 Jan 2001 12:00:00 CST") == "01-Jan-2001 12:00:00 -0600");
  CHECK(imap("1 Jan 2001 12:00:00 MDT") == "01-Jan-2001 12:00:00 -0600");
  CHECK(imap("1 Jan 2001 12:00:00 PST") == "01-Jan-2001 12:00:00 -0800");
  CHECK(imap("1 Jan 2001 12:00:00 MET") == "01-Jan-2001 12:00:00 +0100");
  CHECK(imap("1 Jul 2001 12:00:00 CEST") == "01-Jul-2001 12:00:00 +0200");
  // RFC 5322 4.3: military zones carry no reliable information.
  CHECK(imap("1 Jan 2001 12:00:00 A") == "01-Jan-2001 12:00:00 +0000");
  CHECK(imap("1 Jan 2001 12:00:00 Z") == "01-Jan-2001 12:00:00 +0000");
  // An unknown zone name is noise, not a failure.
  CHECK(imap("1 Jan 2001 12:00:00 XYZT") == "01-Jan-2001 12:00:00 +0000");
}

TEST_CASE("mime date: asctime and ISO 8601 orders") {
  CHECK(imap("Wed Feb  1 19:06:09 2006") == "01-Feb-2006 19:06:09 +0000");
  CHECK(imap("Thu Sep 13 12:30:05 2001 -0400") == "13-Sep-2001 12:30:05 -0400");
  CHECK(imap("Sat Sep  1 20:58 EDT 2001") == "01-Sep-2001 20:58:00 -0400");
  CHECK(imap("2006-06-09T00:44:16Z") == "09-Jun-2006 00:44:16 +0000");
  CHECK(imap("2006-06-09 00:44:16 +02:00") == "09-Jun-2006 00:44:16 +0200");
}

TEST_CASE("mime date: unparsable input gives nullopt") {
  CHECK(imap("") == "none");
  CHECK(imap("yesterday") == "none");
  CHECK(imap("12345") == "none");
  CHECK(imap("Fri, 32 Jun 2006 00:44:16 -0700") == "none");
  CHECK(imap("Fri, 31 Jun 2006 00:44:16 -0700") == "none");
  CHECK(imap("Mon, 29 Feb 2001 00:00:00 +0000") == "none");
  CHECK(imap("Tue, 29 Feb 2000 00:00:00 +0000") == "29-Feb-2000 00:00:00 +0000");
  CHECK(imap("Fri, 9 Jun 2006 25:44:16 -0700") == "none");
  CHECK(imap("Fri, 9 Foo 2006 00:44:16 -0700") == "none");
  CHECK(imap("Jun 2006") == "none");
  CHECK(imap("\xff\xfe garbage \x01") == "none");
}

TEST_CASE("mime date: parse_date_with_time insists on a time of day") {
  CHECK_FALSE(parse_date_with_time("9 Jun 2006").has_value());
  CHECK_FALSE(parse_date_with_time("the meeting of 5 May 2019").has_value());
  CHECK(parse_date_with_time("Mon Jan  1 00:00:00 2001").has_value());
}
