// AtomicFile: the destination changes only on commit(), never half-written.
#include "mailferry/core/atomic_file.hpp"

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <system_error>

#include "support/temp_dir.hpp"

using namespace mailferry;
using mailferry::testing::read_file;
using mailferry::testing::TempDir;

namespace {

std::size_t files_in(const TempDir& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path())) ++n;
  return n;
}

}  // namespace

TEST_CASE("atomic file: commit replaces the destination, leaving no temporary file") {
  TempDir dir;
  const std::string path = dir.write_file("report.json", "old\n");
  {
    core::AtomicFile file(path);
    file.write("new ");
    file.write("content\n");
    CHECK(read_file(path) == "old\n");  // nothing visible before commit
    file.commit();
  }
  CHECK(read_file(path) == "new content\n");
  CHECK(files_in(dir) == 1);
}

TEST_CASE("atomic file: the destructor never commits") {
  TempDir dir;
  const std::string path = dir.write_file("report.json", "old\n");
  {
    core::AtomicFile file(path);
    file.write("half a rep");
  }
  CHECK(read_file(path) == "old\n");
  CHECK(files_in(dir) == 1);
  try {
    core::AtomicFile file(dir.file("fresh.json"));
    file.write("{}");
    throw std::runtime_error("interrupted");
  } catch (const std::runtime_error&) {
  }
  CHECK(!std::filesystem::exists(dir.file("fresh.json")));
  CHECK(files_in(dir) == 1);
}

TEST_CASE("atomic file: a process killed before commit leaves the old file whole") {
  TempDir dir;
  const std::string path = dir.write_file("report.json", "old\n");
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    core::AtomicFile file(path);
    file.write(std::string(1 << 20, 'x'));
    _exit(0);  // as a kill would: no destructor
  }
  int status = 0;
  waitpid(pid, &status, 0);
  CHECK(read_file(path) == "old\n");
}

TEST_CASE("atomic file: errors name the path") {
  TempDir dir;
  const std::string path = dir.file("no-such-dir/report.json");
  try {
    core::AtomicFile file(path);
    FAIL("a file in a missing directory was created");
  } catch (const std::system_error& e) {
    CHECK(std::string(e.what()).find(path) != std::string::npos);
    CHECK(e.code() == std::errc::no_such_file_or_directory);
  }
  core::AtomicFile file(dir.file("once.json"));
  file.commit();
  CHECK_THROWS_AS(file.commit(), std::system_error);
  CHECK(read_file(dir.file("once.json")).empty());
}
