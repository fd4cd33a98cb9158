// The state file names every correspondent's Message-ID domain: it, the
// files SQLite keeps beside it and a folder made for it are the owner's only,
// whatever the umask says.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "mailferry/sync/state_store.hpp"
#include "support/temp_dir.hpp"

using namespace mailferry;
using mailferry::testing::TempDir;

namespace {

// The permission bits of `path`, or -1 when it does not exist.
int mode_of(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return -1;
  return static_cast<int>(info.st_mode & 07777);
}

// A umask that lets everyone read what is created (the usual 022), for the
// length of a test.
class ReadableByAll {
 public:
  ReadableByAll() : before_(::umask(022)) {}
  ~ReadableByAll() { ::umask(before_); }
  ReadableByAll(const ReadableByAll&) = delete;
  ReadableByAll& operator=(const ReadableByAll&) = delete;

 private:
  mode_t before_;
};

}  // namespace

TEST_CASE(
    "state store files: a new file, its WAL and shared memory, and its new folder are the "
    "owner's only") {
  ReadableByAll umask;
  TempDir dir;
  const std::string folder = dir.file("state");
  const std::string path = folder + "/job.state";
  sync::StateStore store(path);
  store.put("journal", "k", "written: the WAL file now exists");
  CHECK(mode_of(folder) == 0700);
  CHECK(mode_of(path) == 0600);
  REQUIRE(mode_of(path + "-wal") != -1);
  CHECK(mode_of(path + "-wal") == 0600);
  REQUIRE(mode_of(path + "-shm") != -1);
  CHECK(mode_of(path + "-shm") == 0600);
}

TEST_CASE(
    "state store files: a file others may read is tightened when opened, its folder is "
    "left as it is") {
  ReadableByAll umask;
  TempDir dir;
  const std::string folder = dir.file("shared");
  std::filesystem::create_directory(folder);
  ::chmod(folder.c_str(), 0755);
  const std::string path = folder + "/job.state";
  // Left as an older release made them, with a run still writing (so the
  // WAL and shared-memory files exist).
  sync::StateStore running(path);
  running.put("journal", "k", "v");
  for (const char* suffix : {"", "-wal", "-shm"}) {
    const std::string file = path + suffix;
    REQUIRE(::chmod(file.c_str(), 0644) == 0);
  }
  sync::StateStore next(path);
  CHECK(next.get("journal", "k") == "v");
  CHECK(mode_of(path) == 0600);
  CHECK(mode_of(path + "-wal") == 0600);
  CHECK(mode_of(path + "-shm") == 0600);
  CHECK(mode_of(folder) == 0755);
}
