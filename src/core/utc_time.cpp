#include "mailferry/core/utc_time.hpp"

#include <cstdio>
#include <ctime>

namespace mailferry::core {

std::string rfc3339_utc(WallClock::time_point time) {
  const auto since_epoch =
      std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch());
  const std::time_t seconds = static_cast<std::time_t>(since_epoch.count() / 1000);
  const int millis = static_cast<int>(since_epoch.count() % 1000);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, millis);
  return text;
}

std::optional<WallClock::time_point> parse_rfc3339_utc(std::string_view text) {
  std::tm utc{};
  int millis = 0;
  int used = 0;
  const std::string copy(text);
  if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &utc.tm_year, &utc.tm_mon,
                  &utc.tm_mday, &utc.tm_hour, &utc.tm_min, &utc.tm_sec, &used) != 6 ||
      used != 19)
    return std::nullopt;
  std::string_view rest = text.substr(19);
  if (rest.size() == 5 && rest[0] == '.') {
    if (std::sscanf(copy.c_str() + 20, "%3d", &millis) != 1) return std::nullopt;
    rest.remove_prefix(4);
  }
  if (rest != "Z") return std::nullopt;
  utc.tm_year -= 1900;
  utc.tm_mon -= 1;
  const std::time_t seconds = ::timegm(&utc);
  return WallClock::from_time_t(seconds) + std::chrono::milliseconds(millis);
}

double seconds_between(WallClock::time_point from, WallClock::time_point to) {
  return static_cast<double>(
             std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count()) /
         1000.0;
}

}  // namespace mailferry::core
