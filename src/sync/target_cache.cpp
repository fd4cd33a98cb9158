#include "mailferry/sync/target_cache.hpp"

#include "mailferry/core/byte_codec.hpp"

namespace mailferry::sync {
namespace {

constexpr std::string_view kSpace = "target-index";
// 2: fingerprints leave the mbox store's bookkeeping fields out of their size;
// an index kept with the old kind is listed again instead of trusted.
constexpr std::uint64_t kFormat = 2;

}  // namespace

TargetCache::TargetCache(StateStore& store, std::string account)
    : store_(store), account_(std::move(account)) {}

std::string TargetCache::key(const std::string& folder) const { return account_ + "\n" + folder; }

std::optional<CachedFolder> TargetCache::load(const std::string& folder) {
  auto bytes = store_.get(kSpace, key(folder));
  if (!bytes) return std::nullopt;
  return decode(*bytes);
}

void TargetCache::save(const std::string& folder, const CachedFolder& cached) {
  store_.put_cache(kSpace, key(folder), encode(cached));
}

void TargetCache::forget(const std::string& folder) { store_.erase(kSpace, key(folder)); }

std::string TargetCache::encode(const CachedFolder& cached) {
  core::ByteWriter w;
  w.str().reserve(32 + cached.messages.size() * 48);
  const auto& s = cached.snapshot;
  w.varint(kFormat);
  w.varint(s.uidvalidity);
  w.varint(s.uidnext);
  w.varint(s.messages);
  w.varint(s.highest_modseq);
  w.varint(s.keywords_allowed ? 1 : 0);
  w.varint(cached.messages.size());
  std::uint32_t previous = 0;
  for (const auto& m : cached.messages) {
    w.varint(m.uid - previous);  // ascending: small deltas
    previous = m.uid;
    m.flags.write(w);
    w.varint(m.size);
    w.bytes(m.key.value);
  }
  return std::move(w.str());
}

std::optional<CachedFolder> TargetCache::decode(std::string_view bytes) {
  core::ByteReader r(bytes);
  if (r.varint() != kFormat) return std::nullopt;
  CachedFolder out;
  auto& s = out.snapshot;
  s.uidvalidity = static_cast<std::uint32_t>(r.varint());
  s.uidnext = static_cast<std::uint32_t>(r.varint());
  s.messages = static_cast<std::uint32_t>(r.varint());
  s.highest_modseq = r.varint();
  s.keywords_allowed = r.varint() != 0;
  const std::uint64_t count = r.varint();
  // Each message takes at least four bytes: a count beyond that is damage.
  if (!r.ok() || count > bytes.size() / 4) return std::nullopt;
  out.messages.reserve(static_cast<std::size_t>(count));
  std::uint64_t uid = 0;
  for (std::uint64_t i = 0; i < count && r.ok(); ++i) {
    CachedMessage m;
    const std::uint64_t delta = r.varint();
    uid += delta;
    if ((delta == 0 && i > 0) || uid > 0xffffffffu) return std::nullopt;
    m.uid = static_cast<std::uint32_t>(uid);
    m.flags = core::Flags::read(r);
    m.size = r.varint();
    m.key.value = std::string(r.bytes());
    out.messages.push_back(std::move(m));
  }
  if (!r.ok() || !r.at_end() || out.messages.size() != s.messages) return std::nullopt;
  return out;
}

}  // namespace mailferry::sync
