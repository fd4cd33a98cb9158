#include "support/temp_dir.hpp"

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace mailferry::testing {

TempDir::TempDir(std::string_view prefix) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmp && *tmp ? tmp : "/tmp") + "/" + std::string(prefix) + ".XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (::mkdtemp(buffer.data()) == nullptr)
    throw std::runtime_error("mkdtemp " + pattern + ": " + std::strerror(errno));
  path_ = buffer.data();
}

TempDir::~TempDir() {
  const char* keep = std::getenv("MAILFERRY_KEEP_TEST_DIRS");
  if (keep && std::string_view(keep) == "1") {
    std::cerr << "kept test directory " << path_ << "\n";
    return;
  }
  std::error_code ignored;  // a destructor must not throw; leftovers are harmless
  std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::file(std::string_view relative) const { return (path_ / relative).string(); }

std::string TempDir::write_file(std::string_view relative, std::string_view bytes,
                                std::filesystem::perms mode) const {
  std::filesystem::path target = path_ / relative;
  std::filesystem::create_directories(target.parent_path());
  {
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + target.string());
  }
  std::filesystem::permissions(target, mode);
  return target.string();
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

}  // namespace mailferry::testing
