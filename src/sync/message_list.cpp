#include "mailferry/sync/message_list.hpp"

#include <algorithm>
#include <cstring>

namespace mailferry::sync {
namespace {

// Blocks grow from 16 KiB to 1 MiB: a small mailbox (most of a batch of a
// thousand) does not pay for a megabyte it never fills.
constexpr std::size_t kFirstBlockBytes = 16 << 10;
constexpr std::size_t kBlockBytes = 1 << 20;

}  // namespace

char* MessageList::reserve_text(std::size_t bytes) {
  if (bytes == 0) return nullptr;
  if (block_used_ + bytes > block_capacity_) {
    // A message's strings larger than a block (a huge X-Gmail-Labels) get a
    // block of their own size.
    const std::size_t grown =
        std::min(kBlockBytes, kFirstBlockBytes << std::min<std::size_t>(blocks_.size(), 6));
    block_capacity_ = std::max(grown, bytes);
    // Not zeroed: every byte handed out is written before it is read.
    blocks_.push_back(std::make_unique_for_overwrite<char[]>(block_capacity_));
    block_used_ = 0;
  }
  char* at = blocks_.back().get() + block_used_;
  block_used_ += bytes;
  return at;
}

void MessageList::push_back(const source::SourceMessage& message) {
  Record r;
  r.size = message.size;
  r.utc = static_cast<std::int64_t>(message.internal_date.utc);
  r.ordinal = static_cast<std::uint32_t>(message.ordinal);
  r.offset_minutes = static_cast<std::int16_t>(message.internal_date.offset_minutes);
  r.flags = message.flags;
  r.flags_removed = message.flags_removed;
  r.read_receipt = message.requests_read_receipt;
  r.locator_length = static_cast<std::uint32_t>(message.locator.size());
  r.key_length = static_cast<std::uint32_t>(message.key.value.size());
  const bool same = message.message_id == message.key.value;
  r.message_id_length = same ? kSameAsKey : static_cast<std::uint32_t>(message.message_id.size());
  // A source that did not cut them short loses the rest: they only name the
  // message in a line of output.
  const std::string_view from = std::string_view(message.from).substr(0, 0xffff);
  const std::string_view subject = std::string_view(message.subject).substr(0, 0xffff);
  r.from_length = static_cast<std::uint16_t>(from.size());
  r.subject_length = static_cast<std::uint16_t>(subject.size());
  const std::size_t bytes = message.locator.size() + message.key.value.size() +
                            (same ? 0 : message.message_id.size()) + from.size() + subject.size();
  char* out = reserve_text(bytes);
  r.text = out;
  auto put = [&out](std::string_view s) {
    if (s.empty()) return;  // `out` is null when the message has no text at all
    std::memcpy(out, s.data(), s.size());
    out += s.size();
  };
  put(message.locator);
  put(message.key.value);
  if (!same) put(message.message_id);
  put(from);
  put(subject);
  records_.push_back(r);
}

std::string_view MessageList::key(std::size_t i) const {
  const Record& r = records_[i];
  return {r.text + r.locator_length, r.key_length};
}

std::string_view MessageList::message_id(std::size_t i) const {
  const Record& r = records_[i];
  if (r.message_id_length == kSameAsKey) return key(i);
  return {r.text + r.locator_length + r.key_length, r.message_id_length};
}

std::string_view MessageList::from(std::size_t i) const {
  const Record& r = records_[i];
  const std::size_t id = r.message_id_length == kSameAsKey ? 0 : r.message_id_length;
  return {r.text + r.locator_length + r.key_length + id, r.from_length};
}

std::string_view MessageList::subject(std::size_t i) const {
  const Record& r = records_[i];
  const std::size_t id = r.message_id_length == kSameAsKey ? 0 : r.message_id_length;
  return {r.text + r.locator_length + r.key_length + id + r.from_length, r.subject_length};
}

core::InternalDate MessageList::internal_date(std::size_t i) const {
  const Record& r = records_[i];
  return {static_cast<std::time_t>(r.utc), r.offset_minutes};
}

source::SourceMessage MessageList::operator[](std::size_t i) const {
  const Record& r = records_[i];
  source::SourceMessage m;
  const char* at = r.text;
  auto take = [&at](std::uint32_t length) {
    std::string s(at, length);
    at += length;
    return s;
  };
  m.locator = take(r.locator_length);
  m.key.value = take(r.key_length);
  m.message_id = r.message_id_length == kSameAsKey ? m.key.value : take(r.message_id_length);
  m.from = take(r.from_length);
  m.subject = take(r.subject_length);
  m.ordinal = r.ordinal;
  m.size = r.size;
  m.internal_date.utc = static_cast<std::time_t>(r.utc);
  m.internal_date.offset_minutes = r.offset_minutes;
  m.flags = r.flags;
  m.flags_removed = r.flags_removed;
  m.requests_read_receipt = r.read_receipt;
  return m;
}

}  // namespace mailferry::sync
