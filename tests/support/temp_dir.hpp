// A private temporary directory for one test, removed with everything in it
// when the object goes away (kept when MAILFERRY_KEEP_TEST_DIRS=1, for
// looking at what a failing test left behind; the path is then printed).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace mailferry::testing {

class TempDir {
 public:
  // Creates a fresh directory under $TMPDIR (default /tmp) named PREFIX.XXXXXX.
  // Throws std::runtime_error when it cannot.
  explicit TempDir(std::string_view prefix = "mailferry-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // path() / relative, as a string for command lines.
  std::string file(std::string_view relative) const;
  // Writes bytes to path() / relative (creating parent directories) and
  // returns the full path. mode is applied to the file (e.g. 0600).
  std::string write_file(std::string_view relative, std::string_view bytes,
                         std::filesystem::perms mode = std::filesystem::perms::owner_read |
                                                       std::filesystem::perms::owner_write) const;

 private:
  std::filesystem::path path_;
};

// Reads a whole file as bytes. Throws std::runtime_error when it cannot.
std::string read_file(const std::filesystem::path& path);

}  // namespace mailferry::testing
