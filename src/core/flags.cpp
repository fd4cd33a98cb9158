#include "mailferry/core/flags.hpp"

#include <strings.h>

#include <algorithm>
#include <array>
#include <deque>
#include <map>
#include <mutex>

namespace mailferry::core {
namespace {

struct FlagName {
  Flag flag;
  std::string_view imap;
};

constexpr std::array<FlagName, 7> kFlagNames{{
    {Flag::Seen, "\\Seen"},
    {Flag::Answered, "\\Answered"},
    {Flag::Flagged, "\\Flagged"},
    {Flag::Deleted, "\\Deleted"},
    {Flag::Draft, "\\Draft"},
    {Flag::Forwarded, "$Forwarded"},
    {Flag::MdnSent, "$MDNSent"},
}};

bool iless(const std::string& a, const std::string& b) {
  return strcasecmp(a.c_str(), b.c_str()) < 0;
}
bool iequal(const std::string& a, const std::string& b) {
  return strcasecmp(a.c_str(), b.c_str()) == 0;
}

// RFC 3501 atom characters: no controls, space, "(){%*\"\\]" or 8-bit.
bool is_keyword(std::string_view s) {
  if (s.empty() || s.size() > 255) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f && std::string_view("(){%*\"\\]").find(c) == std::string_view::npos;
  });
}

// Every distinct set of other keywords, once; id = position + 1. A deque:
// references to its elements stay valid as it grows.
class KeywordSets {
 public:
  std::uint32_t intern(std::vector<std::string> set) {
    if (set.empty()) return 0;
    std::lock_guard lock(mutex_);
    auto [it, added] = ids_.try_emplace(set, static_cast<std::uint32_t>(sets_.size() + 1));
    if (added) sets_.push_back(std::move(set));
    return it->second;
  }
  const std::vector<std::string>& at(std::uint32_t id) {
    static const std::vector<std::string> kNone;
    if (id == 0) return kNone;
    std::lock_guard lock(mutex_);
    return sets_[id - 1];
  }

 private:
  std::mutex mutex_;
  std::deque<std::vector<std::string>> sets_;
  std::map<std::vector<std::string>, std::uint32_t> ids_;
};

KeywordSets& keyword_sets() {
  static KeywordSets sets;
  return sets;
}

// `set` sorted ignoring case, each keyword once (the first spelling wins).
std::vector<std::string> normalized(std::vector<std::string> set) {
  std::stable_sort(set.begin(), set.end(), iless);
  set.erase(std::unique(set.begin(), set.end(), iequal), set.end());
  return set;
}

}  // namespace

const std::vector<std::string>& Flags::other_keywords() const { return keyword_sets().at(others_); }

bool Flags::add_keyword(std::string_view keyword) {
  if (!is_keyword(keyword) || keyword.front() == '\\') return false;
  for (const auto& name : kFlagNames)
    if (keyword.size() == name.imap.size() &&
        strncasecmp(keyword.data(), name.imap.data(), keyword.size()) == 0) {
      add(name.flag);
      return true;
    }
  std::vector<std::string> set = other_keywords();
  set.emplace_back(keyword);
  others_ = keyword_sets().intern(normalized(std::move(set)));
  return true;
}

void Flags::add(Flags other) {
  bits_ |= other.bits_;
  if (other.others_ == 0 || other.others_ == others_) return;
  std::vector<std::string> set = other_keywords();
  const auto& more = other.other_keywords();
  set.insert(set.end(), more.begin(), more.end());
  others_ = keyword_sets().intern(normalized(std::move(set)));
}

Flags Flags::minus(Flags other) const {
  Flags out(static_cast<std::uint8_t>(bits_ & ~other.bits_));
  if (others_ == 0 || others_ == other.others_) return out;
  std::vector<std::string> left;
  const auto& theirs = other.other_keywords();
  for (const auto& k : other_keywords())
    if (std::none_of(theirs.begin(), theirs.end(), [&](const auto& t) { return iequal(k, t); }))
      left.push_back(k);
  out.others_ = keyword_sets().intern(std::move(left));
  return out;
}

std::string Flags::to_imap() const {
  std::string out;
  for (const auto& name : kFlagNames) {
    if (!has(name.flag)) continue;
    if (!out.empty()) out += ' ';
    out += name.imap;
  }
  for (const auto& keyword : other_keywords()) {
    if (!out.empty()) out += ' ';
    out += keyword;
  }
  return out;
}

void Flags::add_imap_token(std::string_view token) {
  for (const auto& name : kFlagNames) {
    if (token.size() == name.imap.size() &&
        strncasecmp(token.data(), name.imap.data(), token.size()) == 0) {
      add(name.flag);
      return;
    }
  }
  if (!token.empty() && token.front() != '\\') add_keyword(token);
}

void Flags::write(ByteWriter& out) const {
  const auto& others = other_keywords();
  out.varint(bits_ | (others.empty() ? 0u : 0x80u));
  if (others.empty()) return;
  out.varint(others.size());
  for (const auto& k : others) out.bytes(k);
}

Flags Flags::read(ByteReader& in) {
  const std::uint64_t head = in.varint();
  Flags out(static_cast<std::uint8_t>(head & 0x7f));
  if ((head & 0x80) == 0) return out;
  const std::uint64_t count = in.varint();
  for (std::uint64_t i = 0; i < count && in.ok(); ++i) out.add_keyword(in.bytes());
  return out;
}

}  // namespace mailferry::core
