// Wall-clock times as reports and logs write them: RFC 3339 in UTC with
// milliseconds ("2026-12-06T23:40:12.345Z"), which sorts as text and reads
// the same on every machine of a batch whatever its time zone.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace mailferry::core {

using WallClock = std::chrono::system_clock;

std::string rfc3339_utc(WallClock::time_point time);

// The form rfc3339_utc writes (milliseconds optional); nullopt otherwise.
std::optional<WallClock::time_point> parse_rfc3339_utc(std::string_view text);

// Seconds from `from` to `to`, to the millisecond.
double seconds_between(WallClock::time_point from, WallClock::time_point to);

}  // namespace mailferry::core
