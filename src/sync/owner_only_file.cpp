#include "owner_only_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "mailferry/core/log.hpp"

namespace mailferry::sync {
namespace {

constexpr mode_t kOwnerOnlyFile = S_IRUSR | S_IWUSR;
constexpr mode_t kOwnerOnlyFolder = S_IRWXU;
constexpr mode_t kOthersRights = S_IRWXG | S_IRWXO;

void tighten(const std::string& file) {
  struct stat info {};
  if (::stat(file.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) return;
  if ((info.st_mode & kOthersRights) == 0) return;
  if (::chmod(file.c_str(), info.st_mode & ~kOthersRights & 07777) == 0)
    core::log_info("state file " + file + " was readable by others; it is now its owner's only");
}

}  // namespace

void make_owner_only(const std::string& path) {
  const std::filesystem::path folder = std::filesystem::path(path).parent_path();
  if (!folder.empty()) ::mkdir(folder.c_str(), kOwnerOnlyFolder);  // EEXIST: left as it is
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, kOwnerOnlyFile);
  if (fd >= 0) ::close(fd);
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) tighten(path + suffix);
}

}  // namespace mailferry::sync
