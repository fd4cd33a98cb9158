// A file that is not what its scheme reads is named, with the scheme to use.
#include <doctest/doctest.h>

#include <string>

#include "mailferry/core/error.hpp"
#include "mailferry/source/file_kind.hpp"
#include "support/temp_dir.hpp"

using namespace mailferry;
using mailferry::testing::TempDir;
using source::FileKind;

namespace {

std::string write(const TempDir& dir, const std::string& name, const std::string& bytes) {
  return dir.write_file(name, bytes);
}

// The message of the SourceError that require_file_kind throws; "" if none.
std::string refusal(std::string_view scheme, const std::string& path) {
  try {
    source::require_file_kind(scheme, path);
  } catch (const core::SourceError& e) {
    CHECK(e.exit_code() == core::kExitSource);
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("file kind: the first bytes tell PST, ZIP, gzip, binary, mbox and empty apart") {
  TempDir dir;
  CHECK(source::sniff_file_kind(write(dir, "a.pst", std::string("!BDN\x01\x02", 6))) ==
        FileKind::Pst);
  CHECK(source::sniff_file_kind(write(dir, "a.zip", std::string("PK\x03\x04\x14\0", 6))) ==
        FileKind::Zip);
  CHECK(source::sniff_file_kind(write(dir, "a.gz", std::string("\x1f\x8b\x08\0", 4))) ==
        FileKind::Gzip);
  CHECK(source::sniff_file_kind(write(dir, "a.bin",
                                      std::string("\x7f"
                                                  "ELF\x02\x01\0\0",
                                                  8))) == FileKind::Binary);
  CHECK(source::sniff_file_kind(write(dir, "a.mbox", "From a@b Mon Jan  1 00:00:00 2024\n")) ==
        FileKind::Mbox);
  CHECK(source::sniff_file_kind(write(dir, "a.eml", "Subject: hi\n\nbody\n")) == FileKind::Unknown);
  CHECK(source::sniff_file_kind(write(dir, "empty", "")) == FileKind::Empty);
}

TEST_CASE("file kind: a file of another kind is refused with the scheme that reads it") {
  TempDir dir;
  const auto pst = write(dir, "outlook.pst", std::string("!BDN\x01\x02", 6));
  CHECK(refusal("mbox", pst) ==
        "mbox:" + pst + ": this is not an mbox file (it looks like a PST file: use pst:)");
  CHECK(refusal("eml", pst).find("(it looks like a PST file: use pst:)") != std::string::npos);
  const auto zip = write(dir, "takeout.zip", std::string("PK\x03\x04\x14\0", 6));
  CHECK(refusal("mbox", zip).find("it looks like a ZIP archive: unpack it") != std::string::npos);
  const auto binary = write(dir, "a.bin", std::string("\x01\x02\0\x03", 4));
  CHECK(refusal("mbox", binary).find("it looks like a binary file") != std::string::npos);
  const auto mbox = write(dir, "Inbox", "From a@b Mon Jan  1 00:00:00 2024\nSubject: x\n\nx\n");
  CHECK(refusal("pst", mbox) ==
        "pst:" + mbox + ": this is not a PST file (it looks like an mbox file: use mbox:)");
}

TEST_CASE("file kind: what may be right passes") {
  TempDir dir;
  CHECK(refusal("mbox", write(dir, "Inbox", "From a@b Mon Jan  1 00:00:00 2024\n\nx\n")).empty());
  CHECK(refusal("mbox", write(dir, "empty", "")).empty());  // empty: a warning later, not this
  CHECK(refusal("mbox", write(dir, "preamble", "garbage first\nFrom a@b Mon Jan  1\n")).empty());
  CHECK(refusal("eml", write(dir, "one.eml", "Subject: hi\n\nbody\n")).empty());
  CHECK(refusal("mbox", dir.path().string()).empty());                // a directory tree
  CHECK(refusal("mbox", (dir.path() / "missing").string()).empty());  // opening says so
}
