#include "mailferry/source/scan_cache.hpp"

#include <sys/stat.h>

#include "mailferry/core/log.hpp"

namespace mailferry::source {
namespace {

// 2: messages carry their sender and subject (a scan of format 1 is made again).
constexpr std::uint64_t kFormat = 2;
constexpr std::size_t kPieceBytes = 1 << 20;
enum Tag : std::uint64_t { kMessage = 1, kError = 2, kWarning = 3 };

std::string piece_key(const std::string& key, std::uint64_t n) {
  return key + "\n" + std::to_string(n);
}

// Decodes one piece; with a null sink it only checks it. Counts entries.
bool decode_piece(std::string_view bytes, ScanSink* sink,
                  const std::function<void(const std::string&)>& on_warning,
                  std::uint64_t& entries) {
  core::ByteReader r(bytes);
  while (r.ok() && !r.at_end()) {
    const std::uint64_t tag = r.varint();
    if (tag == kMessage) {
      SourceMessage m;
      m.ordinal = r.varint();
      m.locator = std::string(r.bytes());
      m.message_id = std::string(r.bytes());
      const bool key_is_id = r.varint() != 0;
      m.key.value = key_is_id ? m.message_id : std::string(r.bytes());
      m.flags = core::Flags::read(r);
      m.internal_date.utc = static_cast<std::time_t>(r.signed_varint());
      m.internal_date.offset_minutes = static_cast<int>(r.signed_varint());
      m.size = r.varint();
      m.requests_read_receipt = r.varint() != 0;
      m.from = std::string(r.bytes());
      m.subject = std::string(r.bytes());
      if (sink != nullptr && r.ok()) sink->message(std::move(m));
    } else if (tag == kError) {
      core::ErrorRecord e;
      const std::uint64_t scope = r.varint();
      if (scope > static_cast<std::uint64_t>(core::ErrorScope::Fatal)) return false;
      e.scope = static_cast<core::ErrorScope>(scope);
      e.where = std::string(r.bytes());
      e.message = std::string(r.bytes());
      if (sink != nullptr && r.ok()) sink->error(std::move(e));
    } else if (tag == kWarning) {
      std::string_view text = r.bytes();
      if (sink != nullptr && r.ok()) {
        core::log_warn(std::string(text));
        if (on_warning) on_warning(std::string(text));
      }
    } else {
      return false;
    }
    ++entries;
  }
  return r.ok();
}

}  // namespace

std::string file_identity(const std::string& path, std::string_view options) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return "";
  auto ns = [](const timespec& t) {
    return std::to_string(static_cast<long long>(t.tv_sec) * 1000000000LL + t.tv_nsec);
  };
  return std::to_string(st.st_dev) + " " + std::to_string(st.st_ino) + " " +
         std::to_string(st.st_size) + " " + ns(st.st_mtim) + " " + ns(st.st_ctim) + " " +
         std::string(options);
}

bool replay_scan(ScanCache& cache, const std::string& key, std::string_view identity,
                 ScanSink& sink, const std::function<void(const std::string&)>& on_warning) {
  if (identity.empty()) return false;
  auto head = cache.load_scan(piece_key(key, 0));
  if (!head) return false;
  core::ByteReader r(*head);
  if (r.varint() != kFormat || r.bytes() != identity) return false;
  const std::uint64_t pieces = r.varint();
  const std::uint64_t entries = r.varint();
  if (!r.ok() || !r.at_end()) return false;
  // Every piece is checked before the first entry reaches the sink.
  std::uint64_t counted = 0;
  for (std::uint64_t i = 1; i <= pieces; ++i) {
    auto piece = cache.load_scan(piece_key(key, i));
    if (!piece || !decode_piece(*piece, nullptr, on_warning, counted)) return false;
  }
  if (counted != entries) return false;
  counted = 0;
  for (std::uint64_t i = 1; i <= pieces; ++i) {
    auto piece = cache.load_scan(piece_key(key, i));
    if (!piece ||
        !decode_piece(*piece, &sink, on_warning, counted))  // changed in between: cannot happen
      throw core::SourceError("the scan cache changed while it was read", core::ErrorScope::Folder);
  }
  return true;
}

std::optional<std::string> kept_identity(ScanCache& cache, const std::string& key) {
  auto head = cache.load_scan(piece_key(key, 0));
  if (!head) return std::nullopt;
  core::ByteReader r(*head);
  if (r.varint() != kFormat) return std::nullopt;
  std::string identity(r.bytes());
  if (!r.ok() || identity.empty()) return std::nullopt;
  return identity;
}

RecordingSink::RecordingSink(ScanCache& cache, std::string key, ScanSink& next)
    : cache_(cache), key_(std::move(key)), next_(next) {
  try {
    cache_.erase_scan(piece_key(key_, 0));  // no replay of a half-stored scan
  } catch (const std::exception& e) {
    failed_ = true;
    core::log_warn("the scan of " + key_ + " cannot be kept for the next run: " + e.what());
  }
}

void RecordingSink::message(SourceMessage m) {
  piece_.varint(kMessage);
  piece_.varint(m.ordinal);
  piece_.bytes(m.locator);
  piece_.bytes(m.message_id);
  const bool key_is_id = m.key.value == m.message_id;
  piece_.varint(key_is_id ? 1 : 0);
  if (!key_is_id) piece_.bytes(m.key.value);
  m.flags.write(piece_);
  piece_.signed_varint(static_cast<std::int64_t>(m.internal_date.utc));
  piece_.signed_varint(m.internal_date.offset_minutes);
  piece_.varint(m.size);
  piece_.varint(m.requests_read_receipt ? 1 : 0);
  piece_.bytes(m.from);
  piece_.bytes(m.subject);
  ++entries_;
  if (piece_.str().size() >= kPieceBytes) flush_piece();
  next_.message(std::move(m));
}

void RecordingSink::error(core::ErrorRecord e) {
  piece_.varint(kError);
  piece_.varint(static_cast<std::uint64_t>(e.scope));
  piece_.bytes(e.where);
  piece_.bytes(e.message);
  ++entries_;
  next_.error(std::move(e));
}

void RecordingSink::warning(const std::string& text) {
  piece_.varint(kWarning);
  piece_.bytes(text);
  ++entries_;
}

void RecordingSink::flush_piece() {
  if (!failed_) {
    try {
      cache_.store_scan(piece_key(key_, ++pieces_), piece_.str());
    } catch (const std::exception& e) {
      failed_ = true;
      core::log_warn("the scan of " + key_ + " cannot be kept for the next run: " + e.what());
    }
  }
  piece_.str().clear();
}

void RecordingSink::finish(std::string_view identity) {
  if (!piece_.str().empty()) flush_piece();
  if (failed_ || identity.empty()) return;
  core::ByteWriter head;
  head.varint(kFormat);
  head.bytes(identity);
  head.varint(pieces_);
  head.varint(entries_);
  try {
    cache_.store_scan(piece_key(key_, 0), head.str());
  } catch (const std::exception& e) {
    core::log_warn("the scan of " + key_ + " cannot be kept for the next run: " + e.what());
  }
}

}  // namespace mailferry::source
