// Bad PST input: clear errors naming the file (and folder and item), the rest
// of the file still read, no crash and no hang. Run under ASan/UBSan in CI.
#include <doctest/doctest.h>
#include <libpst/libpst.h>

#include <string>

#include "mailferry/pst/node_reader.hpp"
#include "mailferry/pst/pst_file.hpp"
#include "pst_test_support.hpp"
#include "support/temp_dir.hpp"

using namespace mailferry::pst_test;
using mailferry::core::ErrorScope;
using mailferry::core::SourceError;
using mailferry::source::PstSource;
using mailferry::testing::TempDir;

namespace {

std::string error_of(const std::string& path) {
  try {
    PstSource src(path);
  } catch (const SourceError& e) {
    CHECK(e.exit_code() == mailferry::core::kExitSource);
    return e.what();
  }
  return {};
}

}  // namespace

TEST_CASE("pst errors: missing, empty and non-PST files") {
  TempDir dir("pst-errors");
  std::string missing = dir.file("nope.pst");
  std::string e = error_of(missing);
  CHECK(e.find(missing) != std::string::npos);
  CHECK(e.find("No such file") != std::string::npos);

  std::string empty = dir.write_file("empty.pst", "");
  CHECK(error_of(empty).find("empty") != std::string::npos);

  std::string mbox =
      dir.write_file("mail.pst", "From a@b Mon Jan  1 00:00:00 2001\nSubject: x\n\nhi\n");
  e = error_of(mbox);
  CHECK(e.find(mbox) != std::string::npos);
  CHECK(e.find("not a PST file") != std::string::npos);
}

TEST_CASE("pst errors: truncated files give clear errors, never a crash") {
  TempDir dir("pst-truncated");
  for (const char* name : {"Hello CJK.pst", "Test_part1.pst", "outlook.pst", "sample2.pst"}) {
    const std::string whole = mailferry::testing::read_file(corpus(name));
    for (int percent : {5, 30, 60, 90, 99}) {
      INFO(name << " cut at " << percent << "%");
      std::string path = dir.write_file(std::to_string(percent) + "-" + name,
                                        whole.substr(0, whole.size() * percent / 100));
      std::unique_ptr<PstSource> src;
      try {
        src = std::make_unique<PstSource>(path);
      } catch (const SourceError& e) {
        // Too little is left to find the folders: the file is named, and why.
        std::string what = e.what();
        CHECK(what.find(path) != std::string::npos);
        CHECK(what.find("damaged") != std::string::npos);
        continue;
      }
      // Enough is left: the damage is reported once, what is readable is read.
      bool reported = false;
      for (auto& f : scan_everything(*src)) {
        for (const auto& err : f.sink.errors) {
          CHECK(err.where.find("pst:" + path) == 0);
          if (err.message.find("truncated") != std::string::npos) reported = true;
        }
        for (std::size_t i = 0; i < f.bodies.size(); ++i)
          CHECK(f.bodies[i].size() == f.sink.messages[i].size);
      }
      CHECK(reported);
    }
  }
}

TEST_CASE("pst errors: a damaged item is reported with file, folder and item, the rest goes on") {
  // Zero the first data block of the second Sent item of Test_part1: that item
  // is lost, the other 30 are read.
  const std::string whole = mailferry::testing::read_file(corpus("Test_part1.pst"));
  std::uint64_t offset = 0, size = 0;
  {
    mailferry::pst::PstFile file(corpus("Test_part1.pst"));
    pst_desc_tree* item = file.node(0x200044);
    REQUIRE(item);
    REQUIRE(item->desc);
    offset = item->desc->offset;
    size = item->desc->size;
  }
  std::string damaged = whole;
  for (std::uint64_t i = offset; i < offset + size; ++i) damaged[i] = '\x5A';
  TempDir dir("pst-damaged");
  std::string path = dir.write_file("damaged.pst", damaged);

  PstSource src(path);
  auto all = scan_everything(src);
  const ScannedFolder* sent = find_folder(all, "Sent Items");
  REQUIRE(sent);
  CHECK(sent->sink.messages.size() == 30);
  REQUIRE(sent->sink.errors.size() == 1);
  const auto& err = sent->sink.errors[0];
  CHECK(err.scope == ErrorScope::Message);
  CHECK(err.where.find("pst:" + path) == 0);
  CHECK(err.where.find("folder \"Sent Items\"") != std::string::npos);
  CHECK(err.where.find("item 2") != std::string::npos);
  CHECK(err.where.find("0x200044") != std::string::npos);
  CHECK(err.message.find("damaged") != std::string::npos);
}

TEST_CASE("pst errors: the raw reader rejects what is not the structure asked for") {
  mailferry::pst::PstFile file(corpus("Hello CJK.pst"));
  pst_desc_tree* message = file.node(0x200024);
  REQUIRE(message);
  // A property context read as a table, a missing block, a bogus heap id.
  CHECK_THROWS_AS(file.reader().table(message->desc->i_id, {}), mailferry::pst::FormatError);
  CHECK_THROWS_AS(file.reader().data_blocks(0xFFFFFFF0), mailferry::pst::FormatError);
  CHECK_THROWS_AS(file.reader().subnodes(message->desc->i_id), mailferry::pst::FormatError);
  CHECK_NOTHROW(file.reader().properties(message->desc->i_id, file.subnodes(message)));
}
