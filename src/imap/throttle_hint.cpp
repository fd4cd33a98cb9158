#include "mailferry/imap/throttle_hint.hpp"

#include <algorithm>
#include <cctype>
#include <thread>

namespace mailferry::imap {
namespace {

constexpr std::size_t kMaxWords = 300;
// A server asking for more than a day is read as a day; the policy caps it
// far lower anyway, this only keeps the arithmetic in range.
constexpr std::int64_t kMaxSuggestedMs = 24LL * 60 * 60 * 1000;

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

std::size_t ifind(std::string_view haystack, std::string_view needle) {
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                        [](char a, char b) { return lower(a) == lower(b); });
  return it == haystack.end() ? std::string_view::npos
                              : static_cast<std::size_t>(it - haystack.begin());
}

bool icontains(std::string_view haystack, std::string_view needle) {
  return ifind(haystack, needle) != std::string_view::npos;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

bool says_throttled(std::string_view text) {
  return icontains(text, "[THROTTLED]") || icontains(text, "Request is throttled") ||
         icontains(text, "Suggested Backoff Time") ||
         icontains(text, "Too many simultaneous connections");
}

// The number after "Suggested Backoff Time", with its unit.
std::optional<std::chrono::milliseconds> suggested_wait(std::string_view text) {
  const std::string_view label = "Suggested Backoff Time";
  std::size_t at = ifind(text, label);
  if (at == std::string_view::npos) return std::nullopt;
  std::size_t i = at + label.size();
  while (i < text.size() && (text[i] == ' ' || text[i] == ':' || text[i] == '=')) ++i;
  if (i == text.size() || !std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
  std::int64_t n = 0;
  for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i)
    n = std::min<std::int64_t>(kMaxSuggestedMs, n * 10 + (text[i] - '0'));
  while (i < text.size() && text[i] == ' ') ++i;
  std::size_t unit_end = i;
  while (unit_end < text.size() && std::isalpha(static_cast<unsigned char>(text[unit_end])))
    ++unit_end;
  const std::string_view unit = text.substr(i, unit_end - i);
  std::int64_t scale = 1;  // Microsoft names milliseconds; a bare number is read alike
  for (std::string_view s : {"s", "sec", "secs", "second", "seconds"})
    if (iequals(unit, s)) scale = 1000;
  for (std::string_view m : {"min", "mins", "minute", "minutes"})
    if (iequals(unit, m)) scale = 60 * 1000;
  return std::chrono::milliseconds(std::min(kMaxSuggestedMs, n * scale));
}

std::string clipped(std::string words) {
  if (words.size() > kMaxWords) words = words.substr(0, kMaxWords) + "...";
  return words;
}

}  // namespace

std::optional<ThrottleHint> throttle_hint(const Response& response) {
  if (response.status != Status::No && response.status != Status::Bad &&
      response.status != Status::Bye)
    return std::nullopt;
  std::string words = status_name(response.status);
  if (response.code)
    words += " [" + response.code->name +
             (response.code->raw.empty() ? "" : " " + response.code->raw) + "]";
  if (!response.text.empty()) words += " " + response.text;
  if (!response.has_code("THROTTLED") && !says_throttled(words)) return std::nullopt;
  return ThrottleHint{suggested_wait(response.text), clipped(std::move(words))};
}

std::optional<ThrottleHint> throttle_hint_in_text(std::string_view text) {
  if (!says_throttled(text)) return std::nullopt;
  return ThrottleHint{suggested_wait(text), clipped(std::string(text))};
}

std::chrono::milliseconds ThrottlePolicy::wait_for(const ThrottleHint& hint, int repeat) const {
  if (hint.suggested) return std::min(*hint.suggested, max_wait);
  return retry_policy().delay_after(repeat);
}

core::RetryPolicy ThrottlePolicy::retry_policy() const {
  core::RetryPolicy policy;
  policy.attempts = max_waits;
  policy.first_delay = first_wait;
  policy.max_delay = max_wait;
  policy.sleep = sleep;
  return policy;
}

void ThrottlePolicy::wait(std::chrono::milliseconds how_long) const {
  if (sleep)
    sleep(how_long);
  else
    std::this_thread::sleep_for(how_long);
}

std::string describe_wait(std::chrono::milliseconds how_long) {
  const auto ms = how_long.count();
  if (ms < 1000) return std::to_string(ms) + " ms";
  if (ms < 120 * 1000) {
    const auto tenths = (ms + 50) / 100;
    std::string text = std::to_string(tenths / 10);
    if (tenths % 10) text.append(".").append(std::to_string(tenths % 10));
    return text.append(" s");
  }
  const auto seconds = (ms + 500) / 1000;
  std::string text = std::to_string(seconds / 60).append(" min");
  if (seconds % 60) text.append(" ").append(std::to_string(seconds % 60)).append(" s");
  return text;
}

}  // namespace mailferry::imap
