// A write-once, read-once holding area for one downloaded message.
//
// RETR is written here completely before anything is handed to the uploader,
// so that a connection dropped mid-RETR or a truncated answer can never turn
// into half a message on the IMAP server, and so that several downloaded
// messages can wait for their turn in the executor's pipelined APPENDs while the
// one POP3 connection goes on. Small messages stay in memory; past the limit
// the bytes move to an already-unlinked temporary file (nothing is left behind
// if the process dies), so memory stays bounded whatever the message size.
//
// Errors: core::SourceError (scope Message) when the temporary file cannot be
// created, written or read (disk full), naming the directory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "mailferry/core/body_reader.hpp"

namespace mailferry::pop3 {

class Spool {
 public:
  static constexpr std::size_t kDefaultMemoryLimit = 1 << 20;

  // `directory`: where the temporary file goes (empty: $TMPDIR, else /tmp).
  explicit Spool(std::string directory = {}, std::size_t memory_limit = kDefaultMemoryLimit);
  ~Spool();
  Spool(Spool&& other) noexcept;
  Spool& operator=(Spool&& other) noexcept;
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  void append(std::string_view bytes);
  std::uint64_t size() const { return size_; }
  bool on_disk() const { return fd_ >= 0; }

  // Drops the bytes past `size` (no effect when it holds fewer). Before reading.
  void truncate(std::uint64_t size);
  // The last `count` bytes (fewer when the spool is shorter).
  std::string tail(std::size_t count);

  // Reading starts at the first byte; read() returns 0 at the end.
  std::size_t read(char* buffer, std::size_t capacity);
  // The first `limit` bytes (for the header block of a message).
  std::string head(std::size_t limit);

 private:
  void spill();
  void close_file();

  std::string directory_;
  std::size_t memory_limit_;
  std::string memory_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
  std::uint64_t read_pos_ = 0;
};

// A filled spool as the body of an upload.
class SpoolReader final : public core::BodyReader {
 public:
  explicit SpoolReader(Spool spool) : spool_(std::move(spool)) {}
  std::size_t read(char* buffer, std::size_t capacity) override {
    return spool_.read(buffer, capacity);
  }

 private:
  Spool spool_;
};

}  // namespace mailferry::pop3
