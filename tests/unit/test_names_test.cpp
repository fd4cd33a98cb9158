// ctest runs each doctest case by its name and splits names at ';': a case
// named with one would be discovered as two entries that match nothing and
// silently never run. Every test source is read here and its case names
// checked.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

// The name of every TEST_CASE in `text`: its string literals up to the ')'
// (adjacent literals, split over lines, are joined).
std::vector<std::string> case_names(const std::string& text) {
  // Spelled in two pieces, so that this file's own search is not a case.
  const std::string macro = std::string("TEST_") + "CASE(";
  std::vector<std::string> names;
  for (auto at = text.find(macro); at != std::string::npos; at = text.find(macro, at + 1)) {
    std::string name;
    std::size_t i = at + macro.size();
    while (i < text.size() && text[i] != ')') {
      if (text[i] != '"') {
        ++i;
        continue;
      }
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
        name += text[i];
      }
      ++i;
    }
    names.push_back(name);
  }
  return names;
}

}  // namespace

TEST_CASE("test names: no test case name holds a semicolon, which ctest cannot run") {
  std::size_t checked = 0;
  for (const char* dir : {"unit", "integration"}) {
    for (const auto& entry : fs::directory_iterator(fs::path(MAILFERRY_TEST_DIR) / dir)) {
      if (entry.path().extension() != ".cpp") continue;
      std::ifstream in(entry.path());
      std::stringstream text;
      text << in.rdbuf();
      for (const auto& name : case_names(text.str())) {
        INFO(entry.path().filename().string() << ": " << name);
        CHECK(name.find(';') == std::string::npos);
        ++checked;
      }
    }
  }
  CHECK(checked > 300);  // the sources were found and read
}
