#include "mailferry/mbox/file_handle.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace mailferry::mbox {

FileHandle::FileHandle(const std::filesystem::path& path, core::ErrorScope scope)
    : path_(path), scope_(scope) {
  do {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd_ < 0 && errno == EINTR);
  if (fd_ < 0) fail("cannot open");
  struct stat st {};
  if (::fstat(fd_, &st) != 0) fail("cannot stat");
  if (S_ISDIR(st.st_mode)) {
    errno = EISDIR;
    fail("cannot read");
  }
  size_ = static_cast<std::uint64_t>(st.st_size);
  modified_ = st.st_mtime;
}

FileHandle::~FileHandle() {
  if (fd_ >= 0) ::close(fd_);
}

FileHandle::FileHandle(FileHandle&& other) noexcept
    : path_(std::move(other.path_)),
      scope_(other.scope_),
      fd_(std::exchange(other.fd_, -1)),
      size_(other.size_),
      modified_(other.modified_) {}

FileHandle& FileHandle::operator=(FileHandle&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(other.path_);
    scope_ = other.scope_;
    fd_ = std::exchange(other.fd_, -1);
    size_ = other.size_;
    modified_ = other.modified_;
  }
  return *this;
}

std::size_t FileHandle::read(char* buffer, std::size_t capacity) {
  for (;;) {
    ssize_t n = ::read(fd_, buffer, capacity);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR) fail("cannot read");
  }
}

std::size_t FileHandle::read_at(std::uint64_t offset, char* buffer, std::size_t capacity) {
  std::size_t done = 0;
  while (done < capacity) {
    ssize_t n = ::pread(fd_, buffer + done, capacity - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot read");
    }
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  return done;
}

void FileHandle::fail(const char* what) const {
  throw core::SourceError(std::string(what) + " " + path_.string() + ": " + std::strerror(errno),
                          scope_);
}

}  // namespace mailferry::mbox
