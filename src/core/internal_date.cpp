#include "mailferry/core/internal_date.hpp"

#include <array>
#include <cstdio>
#include <cstring>

namespace mailferry::core {
namespace {

constexpr std::array<const char*, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

}  // namespace

std::string InternalDate::to_imap() const {
  std::time_t local = utc + static_cast<std::time_t>(offset_minutes) * 60;
  std::tm tm{};
  gmtime_r(&local, &tm);
  int off = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%02d-%s-%04d %02d:%02d:%02d %c%02d%02d", tm.tm_mday,
                kMonths[static_cast<size_t>(tm.tm_mon)], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec, offset_minutes < 0 ? '-' : '+', off / 60, off % 60);
  return buf;
}

std::optional<InternalDate> parse_imap_date(std::string_view text) {
  // " 2-Feb-2019 11:12:13 +0100" (day may be space-padded)
  std::string s(text);
  int day = 0, year = 0, hh = 0, mm = 0, ss = 0, zone = 0;
  char mon[4] = {0};
  char sign = '+';
  if (std::sscanf(s.c_str(), " %d-%3s-%d %d:%d:%d %c%d", &day, mon, &year, &hh, &mm, &ss, &sign,
                  &zone) != 8)
    return std::nullopt;
  int month = -1;
  for (size_t i = 0; i < kMonths.size(); ++i)
    if (strcasecmp(mon, kMonths[i]) == 0) month = static_cast<int>(i);
  if (month < 0) return std::nullopt;
  // A server's text is not trusted: values far out of range would overflow
  // the arithmetic below.
  if (day < 1 || day > 31 || year < 1 || year > 9999 || hh < 0 || hh > 23 || mm < 0 || mm > 59 ||
      ss < 0 || ss > 60 || zone < 0 || zone > 9959)
    return std::nullopt;
  std::tm tm{};
  tm.tm_mday = day;
  tm.tm_mon = month;
  tm.tm_year = year - 1900;
  tm.tm_hour = hh;
  tm.tm_min = mm;
  tm.tm_sec = ss;
  int offset = (zone / 100) * 60 + zone % 100;
  if (sign == '-') offset = -offset;
  InternalDate d;
  d.utc = timegm(&tm) - static_cast<std::time_t>(offset) * 60;
  d.offset_minutes = offset;
  return d;
}

}  // namespace mailferry::core
