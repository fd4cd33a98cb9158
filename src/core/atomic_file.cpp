#include "mailferry/core/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <system_error>

namespace mailferry::core {
namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

std::string directory_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::atomic<unsigned> temp_counter{0};

}  // namespace

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  // Beside the destination, so that rename() never crosses file systems.
  for (int attempt = 0; fd_ < 0; ++attempt) {
    temp_ = path_ + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(temp_counter++);
    fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd_ < 0 && (errno != EEXIST || attempt >= 100)) fail(path_ + ": cannot create " + temp_);
  }
}

AtomicFile::~AtomicFile() {
  if (!committed_) discard();
}

void AtomicFile::discard() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!temp_.empty()) ::unlink(temp_.c_str());
  temp_.clear();
}

void AtomicFile::write(std::string_view bytes) {
  if (fd_ < 0) {
    errno = EBADF;
    fail(path_ + ": write after commit");
  }
  while (!bytes.empty()) {
    ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(path_ + ": cannot write " + temp_);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

void AtomicFile::commit() {
  if (fd_ < 0) {
    errno = EBADF;
    fail(path_ + ": commit twice");
  }
  // The data must be on disk before the name points at it; otherwise a power
  // cut after the rename can leave an empty file under the destination name.
  if (::fsync(fd_) != 0) fail(path_ + ": cannot flush " + temp_ + " to disk");
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) fail(path_ + ": cannot close " + temp_);
  if (::rename(temp_.c_str(), path_.c_str()) != 0) fail(path_ + ": cannot rename " + temp_);
  committed_ = true;
  temp_.clear();
  // The rename itself lives in the directory: flush it too. Some file
  // systems refuse fsync on a directory; the file is complete either way.
  int dir = ::open(directory_of(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

}  // namespace mailferry::core
