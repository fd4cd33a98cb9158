// Date parsing by classifying tokens rather than by a fixed grammar: real mail
// carries every order and spelling (RFC 5322 with its obsolete forms, asctime
// from archivers and From_ lines, ISO 8601 from scripts), and each token is
// recognizable on its own (a month name, a time with ':', a signed zone, a
// four-digit year).
#include <array>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "mailferry/mime/header_fields.hpp"

namespace mailferry::mime {
namespace {

constexpr std::array<std::string_view, 12> kMonths{"january",   "february", "march",    "april",
                                                   "may",       "june",     "july",     "august",
                                                   "september", "october",  "november", "december"};
constexpr std::array<std::string_view, 7> kWeekdays{"monday", "tuesday",  "wednesday", "thursday",
                                                    "friday", "saturday", "sunday"};

struct NamedZone {
  std::string_view name;
  int minutes;
};

// RFC 5322 names plus the ones common in old archives; ambiguous names (IST)
// are left out and count as an unknown word.
constexpr std::array<NamedZone, 34> kZones{{
    {"ut", 0},      {"utc", 0},     {"gmt", 0},    {"z", 0},      {"wet", 0},    {"west", 60},
    {"bst", 60},    {"cet", 60},    {"met", 60},   {"mez", 60},   {"cest", 120}, {"mest", 120},
    {"mesz", 120},  {"eet", 120},   {"eest", 180}, {"msk", 180},  {"est", -300}, {"edt", -240},
    {"cst", -360},  {"cdt", -300},  {"mst", -420}, {"mdt", -360}, {"pst", -480}, {"pdt", -420},
    {"akst", -540}, {"akdt", -480}, {"hst", -600}, {"jst", 540},  {"kst", 540},  {"hkt", 480},
    {"sgt", 480},   {"aest", 600},  {"aedt", 660}, {"nzst", 720},
}};

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

bool all_alpha(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isalpha(static_cast<unsigned char>(c))) return false;
  return true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "Jun", "June", "jun." -> 1-based month; 0 when not a month name.
int month_of(std::string_view token) {
  if (!token.empty() && token.back() == '.') token.remove_suffix(1);
  if (token.size() < 3 || !all_alpha(token)) return 0;
  std::string t = lower(token);
  for (std::size_t i = 0; i < kMonths.size(); ++i)
    if (kMonths[i].substr(0, t.size()) == t) return static_cast<int>(i) + 1;
  if (t == "sept") return 9;
  return 0;
}

bool is_weekday(std::string_view token) {
  if (!token.empty() && token.back() == '.') token.remove_suffix(1);
  if (token.size() < 3 || !all_alpha(token)) return false;
  std::string t = lower(token);
  for (auto w : kWeekdays)
    if (w.substr(0, t.size()) == t) return true;
  return false;
}

std::optional<int> named_zone(std::string_view token) {
  if (!all_alpha(token)) return std::nullopt;
  std::string t = lower(token);
  for (const auto& z : kZones)
    if (z.name == t) return z.minutes;
  // Military single letters: RFC 5322 4.3 says their sign was used wrongly so
  // often that they carry no information; treat them as UTC.
  if (t.size() == 1 && t != "j") return 0;
  return std::nullopt;
}

// "+0200", "-07:00", "+02" -> minutes.
std::optional<int> numeric_zone(std::string_view token) {
  if (token.size() < 3 || (token[0] != '+' && token[0] != '-')) return std::nullopt;
  std::string digits;
  for (char c : token.substr(1)) {
    if (c == ':') continue;
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    digits += c;
  }
  if (digits.size() != 2 && digits.size() != 4) return std::nullopt;
  int hh = std::atoi(digits.substr(0, 2).c_str());
  int mm = digits.size() == 4 ? std::atoi(digits.substr(2).c_str()) : 0;
  if (hh > 23 || mm > 59) return std::nullopt;
  int minutes = hh * 60 + mm;
  return token[0] == '-' ? -minutes : minutes;
}

struct Parts {
  int day = -1, month = -1, year = -1;
  int hour = -1, minute = -1, second = 0;
  std::optional<int> zone;
};

// "12:30", "12:30:05", "12:30:05.123" into parts; false when not a time.
bool parse_time(std::string_view token, Parts& p) {
  int values[3] = {-1, -1, 0};
  int index = 0;
  std::size_t i = 0;
  while (i < token.size() && index < 3) {
    std::size_t start = i;
    while (i < token.size() && std::isdigit(static_cast<unsigned char>(token[i]))) ++i;
    if (i == start || i - start > 2) return false;
    values[index++] = std::atoi(std::string(token.substr(start, i - start)).c_str());
    if (i == token.size()) break;
    if (token[i] == ':' && index < 3) {
      ++i;
      continue;
    }
    if (token[i] == '.' && index == 3) break;  // fractional seconds
    return false;
  }
  if (index < 2) return false;
  p.hour = values[0];
  p.minute = values[1];
  p.second = values[2];
  return true;
}

std::string strip_comments(std::string_view text) {
  std::string out;
  int depth = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (depth > 0 && c == '\\') {
      ++i;
      continue;
    }
    if (c == '(') {
      ++depth;
      out += ' ';
    } else if (c == ')' && depth > 0) {
      --depth;
    } else if (depth == 0) {
      out += c;
    }
  }
  return out;
}

// Splits on blanks and commas, then separates pieces glued together in the
// wild: "9-Jun-2006", "12:00:00+0200", "GMT+0100".
std::vector<std::string> tokenize(const std::string& text) {
  std::vector<std::string> raw;
  std::string cur;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',') {
      if (!cur.empty()) raw.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) raw.push_back(cur);

  std::vector<std::string> out;
  for (const auto& t : raw) {
    bool has_alpha = false, has_digit = false;
    for (char c : t) {
      has_alpha |= std::isalpha(static_cast<unsigned char>(c)) != 0;
      has_digit |= std::isdigit(static_cast<unsigned char>(c)) != 0;
    }
    std::size_t sign = t.find_first_of("+-", 1);
    if (has_alpha && has_digit && t.find('-') != std::string::npos &&
        std::isdigit(static_cast<unsigned char>(t[0]))) {
      // dd-Mon-yyyy
      std::size_t start = 0;
      while (start <= t.size()) {
        std::size_t dash = t.find('-', start);
        if (dash == std::string::npos) dash = t.size();
        if (dash > start) out.push_back(t.substr(start, dash - start));
        start = dash + 1;
      }
    } else if (sign != std::string::npos && t[0] != '+' && t[0] != '-' &&
               (std::isdigit(static_cast<unsigned char>(t[sign - 1])) ||
                std::isalpha(static_cast<unsigned char>(t[sign - 1])))) {
      out.push_back(t.substr(0, sign));
      out.push_back(t.substr(sign));
    } else {
      out.push_back(t);
    }
  }
  return out;
}

// ISO 8601 "2006-06-09T00:44:16Z" / "2006-06-09 00:44:16+02:00".
bool parse_iso(std::string_view s, Parts& p) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  if (s.size() < 10 || !all_digits(s.substr(0, 4)) || s[4] != '-' || !all_digits(s.substr(5, 2)) ||
      s[7] != '-' || !all_digits(s.substr(8, 2)))
    return false;
  p.year = std::atoi(std::string(s.substr(0, 4)).c_str());
  p.month = std::atoi(std::string(s.substr(5, 2)).c_str());
  p.day = std::atoi(std::string(s.substr(8, 2)).c_str());
  s.remove_prefix(10);
  if (!s.empty() && (s.front() == 'T' || s.front() == ' ')) {
    s.remove_prefix(1);
    std::size_t end = s.find_first_of("Zz+- ");
    if (!parse_time(s.substr(0, end), p)) return false;
    if (end != std::string_view::npos) {
      std::string_view zone = s.substr(end);
      while (!zone.empty() && zone.front() == ' ') zone.remove_prefix(1);
      std::size_t zend = zone.find(' ');
      zone = zone.substr(0, zend);
      if (zone == "Z" || zone == "z")
        p.zone = 0;
      else if (auto z = numeric_zone(zone))
        p.zone = z;
    }
  }
  return true;
}

Parts classify(std::string_view text) {
  Parts p;
  if (parse_iso(text, p)) return p;
  p = Parts{};
  bool year_short = false;
  int year_digits = 0;
  for (const auto& t : tokenize(strip_comments(text))) {
    if (p.year >= 0 && p.hour >= 0 && p.zone) break;  // complete; the rest is garbage
    if (p.month < 0) {
      if (int m = month_of(t)) {
        p.month = m;
        continue;
      }
    }
    if (is_weekday(t)) continue;
    if (p.hour < 0 && t.find(':') != std::string::npos && parse_time(t, p)) continue;
    if (all_digits(t)) {
      int value = t.size() > 6 ? -1 : std::atoi(t.c_str());
      if (t.size() <= 2 && p.day < 0 && value >= 1 && value <= 31) {
        p.day = value;
      } else if (p.year < 0 && value >= 0) {
        p.year = value;
        year_digits = static_cast<int>(t.size());
        year_short = t.size() <= 3;
      }
      continue;
    }
    if (!p.zone) {
      if (auto z = numeric_zone(t)) {
        p.zone = z;
        continue;
      }
      if (p.hour >= 0) {
        if (auto z = named_zone(t)) {
          p.zone = z;
          continue;
        }
      }
    }
    std::string l = lower(t);
    if (p.hour >= 0 && (l == "pm" || l == "p.m.") && p.hour < 12) p.hour += 12;
    if (p.hour >= 0 && (l == "am" || l == "a.m.") && p.hour == 12) p.hour = 0;
    // Anything else is noise ("at", a stray word); keep looking.
  }
  if (year_short) {
    // RFC 5322 4.3: two digits below 50 are 20xx, others 19xx; three digits add 1900.
    if (year_digits <= 2)
      p.year += p.year < 50 ? 2000 : 1900;
    else
      p.year += 1900;
  }
  return p;
}

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

std::optional<core::InternalDate> finish(Parts p, bool need_time) {
  if (p.day < 1 || p.month < 1 || p.year < 0) return std::nullopt;
  if (need_time && p.hour < 0) return std::nullopt;
  if (p.hour < 0) p.hour = p.minute = p.second = 0;
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (p.year < 1900 || p.year > 9999 || p.month > 12) return std::nullopt;
  int days = kDays[p.month - 1] + (p.month == 2 && is_leap(p.year) ? 1 : 0);
  if (p.day > days || p.hour > 23 || p.minute > 59 || p.second > 60) return std::nullopt;
  if (p.second == 60) p.second = 59;  // leap second: IMAP has no room for it
  std::tm tm{};
  tm.tm_year = p.year - 1900;
  tm.tm_mon = p.month - 1;
  tm.tm_mday = p.day;
  tm.tm_hour = p.hour;
  tm.tm_min = p.minute;
  tm.tm_sec = p.second;
  core::InternalDate d;
  d.offset_minutes = p.zone.value_or(0);
  d.utc = timegm(&tm) - static_cast<std::time_t>(d.offset_minutes) * 60;
  return d;
}

}  // namespace

std::optional<core::InternalDate> parse_rfc5322_date(std::string_view text) {
  return finish(classify(text), false);
}

std::optional<core::InternalDate> parse_date_with_time(std::string_view text) {
  return finish(classify(text), true);
}

}  // namespace mailferry::mime
