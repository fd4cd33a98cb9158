#include "mailferry/source/maildir_scan_memo.hpp"

#include "mailferry/core/log.hpp"

namespace mailferry::source {
namespace {

constexpr std::uint64_t kFormat = 1;
constexpr std::size_t kPieceBytes = 1 << 20;

std::string piece_key(const std::string& key, std::uint64_t n) {
  return key + "\n" + std::to_string(n);
}

}  // namespace

MaildirScanMemo::MaildirScanMemo(ScanCache* cache, std::string key, std::string options)
    : cache_(cache), key_(std::move(key)), options_(std::move(options)) {
  if (cache_ == nullptr) return;
  try {
    if (!load()) previous_.clear();
    // The new memo is written piece by piece while the scan goes on; the old
    // head goes first, so no mix of old and new pieces is ever replayed.
    cache_->erase_scan(piece_key(key_, 0));
  } catch (const std::exception& e) {
    previous_.clear();
    store_failed_ = true;
    core::log_warn("the scan of " + key_ + " cannot be kept for the next run: " + e.what());
  }
}

bool MaildirScanMemo::load() {
  auto head = cache_->load_scan(piece_key(key_, 0));
  if (!head) return false;
  core::ByteReader h(*head);
  if (h.varint() != kFormat || h.bytes() != options_) return false;
  const std::uint64_t pieces = h.varint();
  const std::uint64_t entries = h.varint();
  if (!h.ok() || !h.at_end()) return false;
  for (std::uint64_t i = 1; i <= pieces; ++i) {
    auto piece = cache_->load_scan(piece_key(key_, i));
    if (!piece) return false;
    core::ByteReader r(*piece);
    while (r.ok() && !r.at_end()) {
      std::string unique(r.bytes());
      MaildirFileFacts f;
      f.file_size = r.varint();
      f.mtime_ns = r.signed_varint();
      f.start = r.varint();
      f.size = r.varint();
      f.key.value = std::string(r.bytes());
      f.message_id = std::string(r.bytes());
      f.internal_date.utc = static_cast<std::time_t>(r.signed_varint());
      f.internal_date.offset_minutes = static_cast<int>(r.signed_varint());
      f.requests_read_receipt = r.varint() != 0;
      if (r.ok()) previous_.emplace(std::move(unique), std::move(f));
    }
    if (!r.ok()) return false;
  }
  return previous_.size() == entries;
}

const MaildirFileFacts* MaildirScanMemo::find(const std::string& unique, std::uint64_t file_size,
                                              std::int64_t mtime_ns) const {
  auto it = previous_.find(unique);
  if (it == previous_.end() || it->second.file_size != file_size || it->second.mtime_ns != mtime_ns)
    return nullptr;
  return &it->second;
}

void MaildirScanMemo::keep(const std::string& unique, const MaildirFileFacts& f) {
  if (cache_ == nullptr || store_failed_) return;
  next_.bytes(unique);
  next_.varint(f.file_size);
  next_.signed_varint(f.mtime_ns);
  next_.varint(f.start);
  next_.varint(f.size);
  next_.bytes(f.key.value);
  next_.bytes(f.message_id);
  next_.signed_varint(static_cast<std::int64_t>(f.internal_date.utc));
  next_.signed_varint(f.internal_date.offset_minutes);
  next_.varint(f.requests_read_receipt ? 1 : 0);
  ++next_entries_;
  if (next_.str().size() < kPieceBytes) return;
  try {
    cache_->store_scan(piece_key(key_, ++next_pieces_stored_), next_.str());
  } catch (const std::exception& e) {
    store_failed_ = true;
    core::log_warn("the scan of " + key_ + " cannot be kept for the next run: " + e.what());
  }
  next_.str().clear();
}

void MaildirScanMemo::store() {
  if (cache_ == nullptr || store_failed_) return;
  try {
    if (!next_.str().empty())
      cache_->store_scan(piece_key(key_, ++next_pieces_stored_), next_.str());
    next_.str().clear();
    core::ByteWriter head;
    head.varint(kFormat);
    head.bytes(options_);
    head.varint(next_pieces_stored_);
    head.varint(next_entries_);
    cache_->store_scan(piece_key(key_, 0), head.str());
  } catch (const std::exception& e) {
    core::log_warn("the scan of " + key_ + " cannot be kept for the next run: " + e.what());
  }
  store_failed_ = true;  // once per scan
}

}  // namespace mailferry::source
