// The PST password: the CRC Outlook stores, checked as Outlook checks it, and
// what PstSource does with a file Outlook guards (open with the right
// password, refuse a wrong or missing one, open unchecked when told to).
// The guarded files are corpus PSTs given a known password by
// copy_pst_with_password, which sets PR_PST_PASSWORD as Outlook does.
#include <doctest/doctest.h>
#include <libpst/libpst.h>

#include <string>

#include "mailferry/core/error.hpp"
#include "mailferry/pst/block_trailer.hpp"
#include "mailferry/pst/password.hpp"
#include "mailferry/pst/pst_file.hpp"
#include "pst_test_support.hpp"
#include "support/pst_protect.hpp"
#include "support/temp_dir.hpp"

using namespace mailferry;
using namespace mailferry::pst_test;
using mailferry::testing::TempDir;

namespace {

std::string error_of(const std::string& path, source::PstSourceOptions options) {
  try {
    source::PstSource src(path, std::move(options));
  } catch (const core::SourceError& e) {
    CHECK(e.exit_code() == core::kExitSource);
    return e.what();
  }
  return "";
}

// A password given the usual ways, counting how often it was asked for.
source::PstSourceOptions with_password(const std::string& password, int& asked) {
  source::PstSourceOptions options;
  options.password.password = [password, &asked] {
    ++asked;
    return core::Secret(password);
  };
  return options;
}

std::size_t message_count(source::PstSource& src) {
  std::size_t n = 0;
  for (auto& f : scan_everything(src)) n += f.sink.messages.size();
  return n;
}

}  // namespace

TEST_CASE("pst password: the CRC is [MS-PST]'s, the one every block of a PST carries") {
  // Public test vectors of the PST password hash.
  CHECK(pst::pst_crc32("") == 0);
  CHECK(pst::pst_crc32("password") == 0x50E099BCu);
  CHECK(pst::pst_crc32("xxx") == 0xE3DA3318u);
  // The same function over a stored block gives the CRC in its trailer.
  pst::PstFile file(corpus("simple.pst"));
  const std::string bytes = mailferry::testing::read_file(corpus("simple.pst"));
  pst_file* raw = file.raw();
  int checked = 0;
  for (std::size_t i = 0; i < raw->i_count && checked < 20; ++i) {
    const pst_index_ll& block = raw->i_table[i];
    const auto layout = pst::trailer_layout(*raw, block);
    if (!layout || layout->trailer_at + layout->trailer_size > bytes.size()) continue;
    std::uint32_t stored = 0;
    for (int k = 3; k >= 0; --k)
      stored = stored << 8 | static_cast<unsigned char>(bytes[layout->crc_at + k]);
    CHECK(pst::pst_crc32(std::string_view(bytes).substr(block.offset, block.size)) == stored);
    ++checked;
  }
  CHECK(checked == 20);
}

TEST_CASE("pst password: a file without one is never called guarded, and no password is asked") {
  for (const std::string& name : corpus_files()) {
    if (password_protected(name)) continue;
    INFO(name);
    CHECK_FALSE(pst::PstFile(corpus(name)).password_crc());
    int asked = 0;
    source::PstSource src(corpus(name), with_password("unused", asked));
    CHECK(asked == 0);
    for (const std::string& note : src.report_notes())
      CHECK(note.find("password") == std::string::npos);
  }
}

TEST_CASE("pst password: a guarded file opens with its password, and only with it") {
  TempDir dir("pst-password");
  const std::string guarded = dir.file("guarded.pst");
  mailferry::testing::copy_pst_with_password(corpus("Test_part1.pst"), guarded, "Kenn wort\"1");
  CHECK(pst::PstFile(guarded).password_crc() == pst::pst_crc32("Kenn wort\"1"));

  source::PstSource intact(corpus("Test_part1.pst"));
  const std::size_t messages = message_count(intact);
  REQUIRE(messages == 31);

  int asked = 0;
  source::PstSource opened(guarded, with_password("Kenn wort\"1", asked));
  CHECK(asked == 1);
  CHECK(message_count(opened) == messages);
  CHECK(opened.report_notes().size() == intact.report_notes().size());

  const std::string wrong = error_of(guarded, with_password("Kenn wort\"2", asked));
  CHECK(wrong.find(guarded) != std::string::npos);
  CHECK(wrong.find("wrong password") != std::string::npos);

  // Neither way given: the error names both.
  const std::string none = error_of(guarded, {});
  CHECK(none.find(guarded) != std::string::npos);
  CHECK(none.find("password") != std::string::npos);
  CHECK(none.find("--from-password-file") != std::string::npos);
  CHECK(none.find("MAILFERRY_FROM_PASSWORD") != std::string::npos);
  CHECK(none.find("--ignore-pst-password") != std::string::npos);
  CHECK(none.find("ignore_pst_password") != std::string::npos);
}

TEST_CASE("pst password: --ignore-pst-password opens a guarded file unasked, with a warning note") {
  TempDir dir("pst-password");
  const std::string guarded = dir.file("guarded.pst");
  mailferry::testing::copy_pst_with_password(corpus("Test_part1.pst"), guarded, "secret");
  int asked = 0;
  auto options = with_password("wrong", asked);
  options.password.ignore = true;
  source::PstSource src(guarded, options);
  CHECK(asked == 0);
  CHECK(message_count(src) == 31);
  const auto notes = src.report_notes();
  REQUIRE_FALSE(notes.empty());
  CHECK(notes.front().find(guarded) != std::string::npos);
  CHECK(notes.front().find("not checked") != std::string::npos);
}

TEST_CASE("pst password: beyond ASCII, Outlook's code page spelling is accepted") {
  TempDir dir("pst-password");
  const std::string guarded = dir.file("guarded.pst");
  // Outlook hashes the Windows-1252 bytes of "Grüße".
  mailferry::testing::copy_pst_with_password(corpus("simple.pst"), guarded,
                                             "Gr\xFC\xDF"
                                             "e");
  int asked = 0;
  CHECK_NOTHROW(source::PstSource(guarded, with_password("Grüße", asked)));
  CHECK(error_of(guarded, with_password("Grüsse", asked)).find("wrong password") !=
        std::string::npos);
}

TEST_CASE("pst password: the corpus's guarded files open when told to ignore it") {
  for (const char* name : {"passworded.pst", "test_ansi.pst"}) {
    INFO(name);
    REQUIRE(pst::PstFile(corpus(name)).password_crc());
    CHECK(error_of(corpus(name), {}).find("guards this file with a password") != std::string::npos);
    source::PstSourceOptions options;
    options.password.ignore = true;
    source::PstSource src(corpus(name), options);
    CHECK_FALSE(src.folders().empty());
  }
}
