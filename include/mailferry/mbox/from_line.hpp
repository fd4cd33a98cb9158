// The mbox From_ line: "From <sender> <date> [more]", as written by MTAs,
// mail clients and archivers in many spellings:
//   From alice@example.com  Wed Jul  1 13:17:17 1998          (asctime, no zone)
//   From bob@example.com Thu Sep 13 12:30:05 2001 -0400       (zone after the year)
//   From carol@example.com Sat Sep  1 20:58 EDT 2001          (no seconds, zone name)
//   From - Wed Nov 09 20:53:04 2011                           (Thunderbird)
//   From upi at papat.org  Wed Feb  1 19:06:04 2006           (pipermail: blanks in sender)
//   From - / From                                             (no date at all)
#pragma once

#include <optional>
#include <string_view>

#include "mailferry/core/internal_date.hpp"

namespace mailferry::mbox {

struct FromLine {
  // A date with a time of day was found after the sender (the line looks like
  // a real separator rather than body text that starts with "From ").
  bool has_date = false;
  // The date is git format-patch's fixed "Mon Sep 17 00:00:00 2001", which
  // says nothing about the message.
  bool placeholder_date = false;
  // Nothing but a sender follows "From " ("From -", "From MAILER-DAEMON", or
  // nothing at all): the shape of a separator without a date, unlike a body
  // line such as "From what I have seen, ...".
  bool bare = false;
  // The date, when has_date and not placeholder_date. A From_ line without a
  // zone is read as UTC (the writer's local zone is unknown).
  std::optional<core::InternalDate> date;
};

// `line` starts with "From "; a trailing LF or CRLF is ignored.
FromLine parse_from_line(std::string_view line);

}  // namespace mailferry::mbox
