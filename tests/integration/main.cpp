#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

// mailferry keeps per-job state under $XDG_STATE_HOME. The tests give every
// process its own, so they never read or leave state in the user's home.
int main(int argc, char** argv) {
  std::string dir = (std::filesystem::temp_directory_path() / "mailferry-state-XXXXXX").string();
  if (mkdtemp(dir.data()) != nullptr) setenv("XDG_STATE_HOME", dir.c_str(), 1);
  doctest::Context context(argc, argv);
  int result = context.run();
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  return result;
}
