#include "mailferry/sync/job_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "mailferry/sync/state_store.hpp"

namespace mailferry::sync {

JobLock::JobLock(const std::string& state_path) : path_(path_for(state_path)) {
  // The state's folder, made as the state store makes it (its owner's only;
  // an existing one keeps its mode).
  const auto folder = std::filesystem::path(state_path).parent_path();
  if (!folder.empty()) ::mkdir(folder.c_str(), S_IRWXU);
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd_ < 0)
    throw StateStoreError(path_ + ": cannot open the job's lock file: " + std::strerror(errno));
  while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    if (errno != EWOULDBLOCK) {
      const int error = errno;
      ::close(fd_);
      fd_ = -1;
      throw StateStoreError(path_ + ": cannot lock the job: " + std::strerror(error));
    }
    return;  // held by another process
  }
  held_ = true;
}

JobLock::~JobLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor drops the lock
}

}  // namespace mailferry::sync
