#include "mailferry/source/file_kind.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>

#include "mailferry/core/error.hpp"

namespace fs = std::filesystem;

namespace mailferry::source {
namespace {

// Enough to see a NUL byte in any binary format's header, little enough to
// cost nothing next to the scan.
constexpr std::size_t kSniffBytes = 4096;

bool starts_with(const std::string& bytes, std::string_view prefix) {
  return bytes.compare(0, prefix.size(), prefix) == 0;
}

// How a refusal names a file of each kind, and what to do with it instead.
struct KindText {
  FileKind kind;
  std::string_view name;
  std::string_view remedy;
};
constexpr KindText kKindTexts[] = {
    {FileKind::Mbox, "an mbox file", "use mbox:"},
    {FileKind::Pst, "a PST file", "use pst:"},
    {FileKind::Zip, "a ZIP archive", "unpack it and give the mbox or PST file inside"},
    {FileKind::Gzip, "a gzip-compressed file", "unpack it and give the mbox or PST file inside"},
    {FileKind::Binary, "a binary file", "give an mbox, PST or .eml file"},
};

}  // namespace

FileKind sniff_file_kind(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return FileKind::Unknown;
  std::string bytes(kSniffBytes, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  if (bytes.empty()) return FileKind::Empty;
  if (starts_with(bytes, "!BDN")) return FileKind::Pst;
  if (starts_with(bytes, "PK\x03\x04") || starts_with(bytes, "PK\x05\x06")) return FileKind::Zip;
  if (starts_with(bytes, "\x1f\x8b")) return FileKind::Gzip;
  // A message may carry raw binary in an 8-bit body: a From_ line first
  // decides.
  if (starts_with(bytes, "From ")) return FileKind::Mbox;
  if (bytes.find('\0') != std::string::npos) return FileKind::Binary;
  return FileKind::Unknown;
}

void require_file_kind(std::string_view scheme, const fs::path& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return;
  const FileKind kind = sniff_file_kind(file);
  // Each scheme refuses only what it certainly cannot read: an mbox file may
  // start with a preamble, and a single message is any text.
  bool wrong = false;
  std::string_view expected;
  if (scheme == "mbox") {
    expected = "an mbox file";
    wrong = kind == FileKind::Pst || kind == FileKind::Zip || kind == FileKind::Gzip ||
            kind == FileKind::Binary;
  } else if (scheme == "pst") {
    expected = "a PST file";
    wrong = kind == FileKind::Mbox || kind == FileKind::Zip || kind == FileKind::Gzip ||
            kind == FileKind::Binary;
  } else if (scheme == "eml") {
    expected = "a message file";
    wrong = kind == FileKind::Pst || kind == FileKind::Zip || kind == FileKind::Gzip ||
            kind == FileKind::Binary;
  }
  if (!wrong) return;
  const auto* text = std::find_if(std::begin(kKindTexts), std::end(kKindTexts),
                                  [kind](const KindText& t) { return t.kind == kind; });
  throw core::SourceError(std::string(scheme) + ":" + file.string() + ": this is not " +
                          std::string(expected) + " (it looks like " + std::string(text->name) +
                          ": " + std::string(text->remedy) + ")");
}

}  // namespace mailferry::source
