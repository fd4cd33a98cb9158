// The module boundaries the README's architecture draws, checked on the
// source tree itself: a target knows nothing of sources or of the sync
// engine, the sync engine knows no file format and has no dry-run branch
// (the dry run is a Target and a Source of its own).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

struct Hit {
  std::string file;
  std::string line;
};

// Lines of the files under `folder` (relative to the source tree) that hold `text`.
std::vector<Hit> lines_with(const std::string& folder, const std::string& text) {
  std::vector<Hit> hits;
  for (const auto& entry :
       fs::recursive_directory_iterator(std::string(MAILFERRY_SOURCE_DIR) + "/" + folder)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);)
      if (line.find(text) != std::string::npos) hits.push_back({entry.path().string(), line});
  }
  return hits;
}

std::string describe(const std::vector<Hit>& hits) {
  std::ostringstream out;
  for (const auto& h : hits) out << h.file << ": " << h.line << "\n";
  return out.str();
}

}  // namespace

TEST_CASE("module seams: target and imap headers include no source header") {
  for (const char* folder : {"include/mailferry/target", "include/mailferry/imap"}) {
    const auto hits = lines_with(folder, "#include \"mailferry/source/");
    INFO(describe(hits));
    CHECK(hits.empty());
  }
}

TEST_CASE("module seams: nothing of the target module includes the sync engine") {
  for (const char* folder : {"include/mailferry/target", "src/target"}) {
    const auto hits = lines_with(folder, "#include \"mailferry/sync/");
    INFO(describe(hits));
    CHECK(hits.empty());
  }
}

TEST_CASE("module seams: the sync engine has no dry-run branch and writes no JSON") {
  for (const char* text : {"dry_run", "nlohmann"}) {
    const auto hits = lines_with("src/sync", text);
    INFO(describe(hits));
    CHECK(hits.empty());
  }
}
