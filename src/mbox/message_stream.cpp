#include "mailferry/mbox/message_stream.hpp"

#include <algorithm>
#include <cstring>

namespace mailferry::mbox {
namespace {
constexpr std::size_t kChunk = 64 * 1024;
}  // namespace

MessageStream::MessageStream(const std::filesystem::path& file, std::uint64_t offset,
                             std::uint64_t length, Quoting quoting, Bookkeeping bookkeeping)
    : file_(file, core::ErrorScope::Message),
      next_offset_(offset),
      remaining_(length),
      transcoder_(quoting),
      filter_(bookkeeping),
      raw_(kChunk) {
  if (offset > file_.size() || length > file_.size() - offset)
    throw core::SourceError(file.string() + ": the message at offset " + std::to_string(offset) +
                                " is no longer in the file (it was changed since the scan)",
                            core::ErrorScope::Message);
  out_.reserve(2 * kChunk + 64);
}

bool MessageStream::refill() {
  out_.clear();
  out_pos_ = 0;
  auto append = [this](const char* data, std::size_t n) { out_.append(data, n); };
  auto filter = [this, &append](const char* data, std::size_t n) {
    filter_.feed(std::string_view(data, n), append);
  };
  while (out_.empty()) {
    if (remaining_ == 0) {
      if (finished_) return false;
      transcoder_.finish(filter);
      filter_.finish(append);
      finished_ = true;
      continue;
    }
    std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, kChunk));
    std::size_t got = file_.read_at(next_offset_, raw_.data(), want);
    if (got == 0)
      throw core::SourceError(file_.path().string() + ": the file ended at offset " +
                                  std::to_string(next_offset_) +
                                  " inside a message (it was changed since the scan)",
                              core::ErrorScope::Message);
    next_offset_ += got;
    remaining_ -= got;
    transcoder_.feed(std::string_view(raw_.data(), got), filter);
  }
  return true;
}

std::size_t MessageStream::read(char* buffer, std::size_t capacity) {
  if (capacity == 0) return 0;
  if (out_pos_ == out_.size() && !refill()) return 0;
  std::size_t n = std::min(capacity, out_.size() - out_pos_);
  std::memcpy(buffer, out_.data() + out_pos_, n);
  out_pos_ += n;
  return n;
}

}  // namespace mailferry::mbox
