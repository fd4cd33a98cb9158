#include "mailferry/source/maildir_scan_memo.hpp"

#include "mailferry/core/log.hpp"

namespace mailferry::source {
namespace {

constexpr std::uint64_t kFormat = 1;
constexpr std::size_t kPieceBytes = 1 << 20;

std::string piece_key(const std::string& key, std::uint64_t n) {
  return key + "\n" + std::to_string(n);
}

void write_facts(core::ByteWriter& w, const std::string& unique, const MaildirFileFacts& f) {
  w.bytes(unique);
  w.varint(f.file_size);
  w.signed_varint(f.mtime_ns);
  w.varint(f.start);
  w.varint(f.size);
  w.bytes(f.key.value);
  w.bytes(f.message_id);
  w.signed_varint(static_cast<std::int64_t>(f.internal_date.utc));
  w.signed_varint(f.internal_date.offset_minutes);
  w.varint(f.requests_read_receipt ? 1 : 0);
}

MaildirFileFacts read_facts(core::ByteReader& r) {
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
  return f;
}

}  // namespace

MaildirScanMemo::MaildirScanMemo(ScanCache* cache, std::string key, std::string options)
    : cache_(cache), key_(std::move(key)), options_(std::move(options)) {
  if (cache_ == nullptr) return;
  try {
    if (!load()) previous_.clear();
  } catch (const std::exception& e) {
    previous_.clear();
    core::log_warn("the scan of " + key_ + " kept by the last run cannot be read: " + e.what());
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
      MaildirFileFacts f = read_facts(r);
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
  if (cache_ == nullptr) return;
  // Entries are ended by a piece boundary only between two of them.
  if (next_.back().str().size() >= kPieceBytes) next_.emplace_back();
  write_facts(next_.back(), unique, f);
  ++next_entries_;
  if (!changed_ && find(unique, f.file_size, f.mtime_ns) == nullptr) changed_ = true;
}

void MaildirScanMemo::store() {
  if (cache_ == nullptr || stored_) return;
  stored_ = true;
  // Nothing new, nothing gone: what is kept already says it all, and a
  // re-run with nothing new writes nothing.
  if (!changed_ && next_entries_ == previous_.size()) return;
  try {
    // The head goes first and comes back last: a run killed in between
    // leaves no memo, never old pieces under a new head.
    cache_->erase_scan(piece_key(key_, 0));
    std::uint64_t pieces = 0;
    for (auto& piece : next_)
      if (!piece.str().empty()) cache_->store_scan(piece_key(key_, ++pieces), piece.str());
    core::ByteWriter head;
    head.varint(kFormat);
    head.bytes(options_);
    head.varint(pieces);
    head.varint(next_entries_);
    cache_->store_scan(piece_key(key_, 0), head.str());
  } catch (const std::exception& e) {
    core::log_warn("the scan of " + key_ + " cannot be kept for the next run: " + e.what());
  }
}

}  // namespace mailferry::source
