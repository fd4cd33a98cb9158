// One owner of a read-only file descriptor. Errors are core::SourceError with
// the scope the caller chooses, and name the file.
#pragma once

#include <cstdint>
#include <ctime>
#include <filesystem>

#include "mailferry/core/error.hpp"

namespace mailferry::mbox {

class FileHandle {
 public:
  // Opens `path` for reading; throws core::SourceError(scope) naming the file.
  FileHandle(const std::filesystem::path& path, core::ErrorScope scope);
  ~FileHandle();
  FileHandle(const FileHandle&) = delete;
  FileHandle& operator=(const FileHandle&) = delete;
  FileHandle(FileHandle&& other) noexcept;
  FileHandle& operator=(FileHandle&& other) noexcept;

  const std::filesystem::path& path() const { return path_; }
  std::uint64_t size() const { return size_; }        // at open time
  std::time_t modified() const { return modified_; }  // mtime at open time

  // Reads sequentially; returns 0 at the end of the file. Retries on EINTR.
  std::size_t read(char* buffer, std::size_t capacity);
  // Reads at `offset` without moving the sequential position; short only at EOF.
  std::size_t read_at(std::uint64_t offset, char* buffer, std::size_t capacity);

 private:
  [[noreturn]] void fail(const char* what) const;

  std::filesystem::path path_;
  core::ErrorScope scope_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
  std::time_t modified_ = 0;
};

}  // namespace mailferry::mbox
