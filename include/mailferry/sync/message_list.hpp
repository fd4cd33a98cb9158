// One source folder's scanned messages, packed for the time they are compared
// and uploaded.
//
// A std::vector<SourceMessage> costs 176 bytes a message plus a separate
// allocation for each string, and up to twice that while it grows: 100,000
// messages came to about 35 MB. Here each message is a 48-byte record, its
// strings lie back to back in shared 1 MB blocks, and a Message-ID equal to
// the key is kept once: about 100 bytes a message, and the short display
// forms of sender and subject (at most a line's width) on top. Blocks never move, so the
// views key() hands out stay valid as long as the list.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string_view>
#include <vector>

#include "mailferry/source/source.hpp"

namespace mailferry::sync {

class MessageList {
 public:
  MessageList() = default;
  MessageList(const MessageList&) = delete;
  MessageList& operator=(const MessageList&) = delete;
  MessageList(MessageList&&) = default;
  MessageList& operator=(MessageList&&) = default;

  void push_back(const source::SourceMessage& message);
  std::size_t size() const { return records_.size(); }
  bool empty() const { return records_.empty(); }

  // The message as it was scanned (a copy made on demand).
  source::SourceMessage operator[](std::size_t i) const;
  // What the diff reads, without making a copy.
  std::string_view key(std::size_t i) const;
  std::uint64_t message_size(std::size_t i) const { return records_[i].size; }
  core::Flags flags(std::size_t i) const { return records_[i].flags; }
  core::Flags flags_removed(std::size_t i) const { return records_[i].flags_removed; }
  core::InternalDate internal_date(std::size_t i) const;
  std::uint64_t ordinal(std::size_t i) const { return records_[i].ordinal; }
  std::string_view message_id(std::size_t i) const;
  std::string_view from(std::size_t i) const;
  std::string_view subject(std::size_t i) const;
  bool requests_read_receipt(std::size_t i) const { return records_[i].read_receipt; }

 private:
  static constexpr std::uint32_t kSameAsKey = 0xffffffff;  // message_id length: the key's text
  struct Record {
    std::uint64_t size = 0;
    std::int64_t utc = 0;
    const char* text = nullptr;  // locator, key, message_id, back to back
    std::uint32_t ordinal = 0;
    std::uint32_t locator_length = 0;
    std::uint32_t key_length = 0;
    std::uint32_t message_id_length = 0;  // or kSameAsKey
    std::int16_t offset_minutes = 0;
    // Sender and subject follow the other strings; the sources cut them
    // short (mime/display_text.hpp), so 16 bits hold them.
    std::uint16_t from_length = 0;
    std::uint16_t subject_length = 0;
    core::Flags flags;
    core::Flags flags_removed;
    bool read_receipt = false;
  };
  // Room for `bytes` more bytes of text, in the current block or a new one.
  char* reserve_text(std::size_t bytes);

  std::deque<Record> records_;  // grows in small pieces, never copied whole
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::size_t block_used_ = 0;
  std::size_t block_capacity_ = 0;
};

}  // namespace mailferry::sync
