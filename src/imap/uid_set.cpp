#include "mailferry/imap/uid_set.hpp"

#include <algorithm>

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

}  // namespace mailferry::imap
