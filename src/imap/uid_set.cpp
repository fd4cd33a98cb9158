#include "mailferry/imap/uid_set.hpp"

#include <algorithm>
#include <charconv>

namespace mailferry::imap {
namespace {

std::vector<std::string> ranges_of(std::vector<std::uint32_t> uids) {
  std::sort(uids.begin(), uids.end());
  uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
  uids.erase(std::remove(uids.begin(), uids.end(), 0u), uids.end());
  std::vector<std::string> out;
  for (std::size_t i = 0; i < uids.size();) {
    std::size_t j = i;
    while (j + 1 < uids.size() && uids[j + 1] == uids[j] + 1) ++j;
    out.push_back(j == i ? std::to_string(uids[i])
                         : std::to_string(uids[i]) + ":" + std::to_string(uids[j]));
    i = j + 1;
  }
  return out;
}

}  // namespace

std::string compact_uid_set(std::vector<std::uint32_t> uids) {
  std::string out;
  for (const auto& r : ranges_of(std::move(uids))) {
    if (!out.empty()) out += ',';
    out += r;
  }
  return out;
}

std::vector<std::string> split_uid_set(std::vector<std::uint32_t> uids, std::size_t max_chars) {
  std::vector<std::string> out;
  std::string current;
  for (const auto& r : ranges_of(std::move(uids))) {
    if (!current.empty() && current.size() + 1 + r.size() > max_chars) {
      out.push_back(std::move(current));
      current.clear();
    }
    if (!current.empty()) current += ',';
    current += r;
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

std::optional<std::vector<std::uint32_t>> parse_uid_set(std::string_view text,
                                                        std::size_t max_count) {
  std::vector<std::uint32_t> out;
  auto number = [&](std::uint32_t& n) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc{} || n == 0) return false;
    text.remove_prefix(static_cast<std::size_t>(end - text.data()));
    return true;
  };
  do {
    if (!out.empty()) text.remove_prefix(1);  // the ','
    std::uint32_t first = 0, last = 0;
    if (!number(first)) return std::nullopt;
    last = first;
    if (!text.empty() && text.front() == ':') {
      text.remove_prefix(1);
      if (!number(last)) return std::nullopt;
      if (last < first) std::swap(first, last);
    }
    if (last - first >= max_count - std::min(max_count, out.size())) return std::nullopt;
    for (std::uint64_t uid = first; uid <= last; ++uid)
      out.push_back(static_cast<std::uint32_t>(uid));
  } while (!text.empty() && text.front() == ',');
  if (!text.empty()) return std::nullopt;
  return out;
}

}  // namespace mailferry::imap
