// Mail counts per folder against readpst (pst-utils 0.6.76): fixed numbers
// from `readpst -D -r` runs on the corpus, and the same comparison live.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "pst_test_support.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace mailferry::pst_test;
using mailferry::source::PstSource;

namespace {

using Counts = std::map<std::string, std::uint64_t>;  // "store/folder/..." -> mails

// readpst's directory names: the store's name, then the folder path, with
// '/', '\' and ':' replaced by '_'.
std::string readpst_name(std::string s) {
  for (char& c : s)
    if (c == '/' || c == '\\' || c == ':') c = '_';
  return s;
}

// Our scan, as readpst would lay it out (empty folders left out).
Counts our_counts(const std::string& file) {
  PstSource src(corpus(file), corpus_options(file));
  Counts out;
  for (const auto& s : src.folder_summaries()) {
    Sink sink;
    src.scan(s.folder, sink);
    // Unreadable items count too: readpst counts what it exports.
    if (sink.messages.empty()) continue;
    out[s.folder.display_name()] = sink.messages.size();
  }
  return out;
}

// readpst's mbox files: path below the store directory -> "From " lines.
Counts readpst_counts(const std::string& file) {
  mailferry::testing::TempDir dir("pst-readpst-r");
  auto r = mailferry::testing::run_command(
      {"readpst", "-D", "-r", "-q", "-j", "0", "-o", dir.path().string(), corpus(file)});
  REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
  Counts out;
  for (const auto& e : fs::recursive_directory_iterator(dir.path())) {
    if (!e.is_regular_file() || e.path().filename() != "mbox") continue;
    fs::path rel = fs::relative(e.path().parent_path(), dir.path());
    auto it = rel.begin();  // the store's directory
    fs::path below;
    for (++it; it != rel.end(); ++it) below /= *it;
    std::ifstream in(e.path(), std::ios::binary);
    std::uint64_t n = 0;
    for (std::string line; std::getline(in, line);)
      if (line.rfind("From ", 0) == 0) ++n;
    out[below.string()] = n;
  }
  return out;
}

// Our scan, laid out as readpst writes it: mail in the file's root is in
// readpst's store directory itself ("").
Counts our_readpst_counts(const std::string& file) {
  PstSource src(corpus(file), corpus_options(file));
  Counts out;
  for (const auto& s : src.folder_summaries()) {
    Sink sink;
    src.scan(s.folder, sink);
    if (sink.messages.empty()) continue;
    std::string path;
    if (!s.file_root)
      for (const std::string& part : s.folder.path)
        path += (path.empty() ? "" : "/") + readpst_name(part);
    out[path] = sink.messages.size();
  }
  return out;
}

}  // namespace

TEST_CASE("pst counts: mails per folder as readpst -D -r reported them for the corpus") {
  const std::map<std::string, Counts> expected{
      {"32-bit.pst", {}},
      {"Hello CJK.pst", {{"Hello CJK", 1}}},
      {"Test_part1.pst", {{"Sent Items", 31}}},
      {"attachAndInline.pst", {{"attachAndInline", 1}}},
      {"contacts.pst", {}},
      {"contacts97-2002.pst", {}},
      {"dist-list.pst", {}},
      {"enron.pst",
       {{"lokay-m/MLOKAY (Non-Privileged)", 1},
        {"lokay-m/MLOKAY (Non-Privileged)/TW-Commercial Group", 14},
        {"lokay-m/MLOKAY (Non-Privileged)/Systems", 7},
        {"lokay-m/MLOKAY (Non-Privileged)/Sent Items", 2},
        {"lokay-m/MLOKAY (Non-Privileged)/Personal", 47}}},
      {"msgInMsg.pst", {{"msgInMsg", 1}}},
      {"outlook.pst", {{"Inbox", 1}, {"Recovered_Group2", 1}}},
      {"sample1.pst", {{"Sample1", 1}}},
      {"sample2.pst", {{"Sample2", 1}}},
      {"simple.pst", {{"simple", 1}}},
      {"submessage.pst", {{"submessage", 1}}},
      {"testPST_variousBodyTypes.pst", {{"Inbox/tmp", 4}}},
      {"threeItems.pst", {{"threeItems", 1}, {"first", 1}, {"second", 1}, {"third", 1}}},
      {"unicodeAttachmentFilename.pst", {{"usingJapaneseInAttachmentFilename", 1}}},
  };
  for (const auto& [file, counts] : expected) {
    INFO(file);
    CHECK(our_counts(file) == counts);
  }
}

TEST_CASE("pst counts: the same per-folder mail counts as readpst, run now") {
  for (const std::string& file : corpus_files()) {
    INFO(file);
    Counts theirs = readpst_counts(file);
    CHECK(our_readpst_counts(file) == theirs);
  }
}
