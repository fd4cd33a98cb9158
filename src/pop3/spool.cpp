#include "mailferry/pop3/spool.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "mailferry/core/error.hpp"

namespace mailferry::pop3 {
namespace {

std::string temp_directory(const std::string& configured) {
  if (!configured.empty()) return configured;
  const char* env = std::getenv("TMPDIR");
  return (env && *env) ? env : "/tmp";
}

[[noreturn]] void fail(const std::string& what, const std::string& directory) {
  throw core::SourceError("cannot spool a downloaded message in " + directory + ": " + what + ": " +
                              std::strerror(errno),
                          core::ErrorScope::Message);
}

// An anonymous file: O_TMPFILE where the file system has it, else a named
// file unlinked at once, so that a crash never leaves mail lying in /tmp.
int open_anonymous(const std::string& directory) {
#ifdef O_TMPFILE
  int fd = ::open(directory.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return fd;
#endif
  std::string name = directory + "/mailferry-pop3-XXXXXX";
  int named = ::mkstemp(name.data());
  if (named < 0) fail("cannot create a temporary file", directory);
  ::unlink(name.c_str());
  ::fcntl(named, F_SETFD, FD_CLOEXEC);
  return named;
}

}  // namespace

Spool::Spool(std::string directory, std::size_t memory_limit)
    : directory_(temp_directory(directory)), memory_limit_(memory_limit) {}

Spool::~Spool() { close_file(); }

Spool::Spool(Spool&& other) noexcept
    : directory_(std::move(other.directory_)),
      memory_limit_(other.memory_limit_),
      memory_(std::move(other.memory_)),
      fd_(std::exchange(other.fd_, -1)),
      size_(std::exchange(other.size_, 0)),
      read_pos_(std::exchange(other.read_pos_, 0)) {}

Spool& Spool::operator=(Spool&& other) noexcept {
  if (this != &other) {
    close_file();
    directory_ = std::move(other.directory_);
    memory_limit_ = other.memory_limit_;
    memory_ = std::move(other.memory_);
    fd_ = std::exchange(other.fd_, -1);
    size_ = std::exchange(other.size_, 0);
    read_pos_ = std::exchange(other.read_pos_, 0);
  }
  return *this;
}

void Spool::close_file() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void Spool::spill() {
  fd_ = open_anonymous(directory_);
  std::string held = std::move(memory_);
  memory_.clear();
  memory_.shrink_to_fit();
  size_ -= held.size();
  append(held);
}

void Spool::append(std::string_view bytes) {
  if (fd_ < 0 && memory_.size() + bytes.size() > memory_limit_) spill();
  if (fd_ < 0) {
    memory_.append(bytes);
    size_ += bytes.size();
    return;
  }
  while (!bytes.empty()) {
    ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("write failed", directory_);
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
    size_ += static_cast<std::uint64_t>(n);
  }
}

std::size_t Spool::read(char* buffer, std::size_t capacity) {
  if (read_pos_ >= size_ || capacity == 0) return 0;
  std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(capacity, size_ - read_pos_));
  if (fd_ < 0) {
    std::memcpy(buffer, memory_.data() + read_pos_, want);
    read_pos_ += want;
    return want;
  }
  for (;;) {
    ssize_t n = ::pread(fd_, buffer, want, static_cast<off_t>(read_pos_));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("read failed", directory_);
    read_pos_ += static_cast<std::uint64_t>(n);
    return static_cast<std::size_t>(n);
  }
}

void Spool::truncate(std::uint64_t size) {
  if (size >= size_) return;
  if (fd_ < 0) {
    memory_.resize(static_cast<std::size_t>(size));
  } else if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
    fail("truncate failed", directory_);
  }
  size_ = size;
  read_pos_ = std::min(read_pos_, size_);
}

std::string Spool::tail(std::size_t count) {
  std::uint64_t from = size_ > count ? size_ - count : 0;
  std::string out(static_cast<std::size_t>(size_ - from), '\0');
  if (fd_ < 0) return memory_.substr(static_cast<std::size_t>(from));
  std::size_t got = 0;
  while (got < out.size()) {
    ssize_t n = ::pread(fd_, out.data() + got, out.size() - got, static_cast<off_t>(from + got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("read failed", directory_);
    got += static_cast<std::size_t>(n);
  }
  return out;
}

std::string Spool::head(std::size_t limit) {
  std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(limit, size_));
  if (fd_ < 0) return memory_.substr(0, want);
  std::string out(want, '\0');
  std::size_t got = 0;
  while (got < want) {
    ssize_t n = ::pread(fd_, out.data() + got, want - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("read failed", directory_);
    got += static_cast<std::size_t>(n);
  }
  return out;
}

}  // namespace mailferry::pop3
