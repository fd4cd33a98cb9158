#include "mailferry/source/message_file_scan.hpp"

#include <cstring>
#include <optional>
#include <string_view>
#include <vector>

#include "mailferry/core/error.hpp"
#include "mailferry/mbox/file_handle.hpp"
#include "mailferry/mbox/transcoder.hpp"
#include "mailferry/mime/header_fields.hpp"

namespace fs = std::filesystem;

namespace mailferry::source {
namespace {

constexpr std::size_t kChunk = 64 * 1024;
constexpr std::string_view kBom = "\xEF\xBB\xBF";
// An Outlook .msg is an OLE compound document, not RFC 5322 text.
constexpr std::string_view kOleMagic = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
// Longer first lines starting with "From " are not separators.
constexpr std::size_t kMaxFromLine = 4096;

[[noreturn]] void reject(const std::string& why) {
  throw core::SourceError(why, core::ErrorScope::Message);
}

// Where the message begins: after a byte order mark and an mbox From_ line,
// neither of which belongs in the uploaded message. `head` is the file's start.
std::uint64_t message_start(std::string_view head) {
  std::uint64_t start = 0;
  if (head.substr(0, kBom.size()) == kBom) start = kBom.size();
  std::string_view rest = head.substr(start);
  // "From " (with a blank, without a colon) can never start a header field.
  if (rest.substr(0, 5) == "From ") {
    std::size_t lf = rest.find('\n');
    if (lf != std::string_view::npos && lf < kMaxFromLine) start += lf + 1;
  }
  return start;
}

}  // namespace

MessageFileScan scan_message_file(const fs::path& file, std::uint64_t max_header,
                                  std::optional<std::uint64_t> converted_size) {
  mbox::FileHandle handle(file, core::ErrorScope::Message);
  MessageFileScan s;
  s.mtime = handle.modified();
  std::vector<char> buffer(kChunk);
  std::size_t got = handle.read(buffer.data(), buffer.size());
  std::string_view first(buffer.data(), got);
  if (got == 0) reject("the file is empty; not a message");
  if (first.substr(0, kOleMagic.size()) == kOleMagic)
    reject(
        "an Outlook .msg file (binary), not a MIME message; convert it to .eml first "
        "(for example with msgconvert)");
  s.start = message_start(first);
  s.length = handle.size() - s.start;

  mbox::LineTranscoder transcoder(mbox::Quoting::None);
  bool in_header = true;
  bool header_overflow = false;
  auto out = [&](const char* data, std::size_t n) {
    s.size += n;
    if (!in_header) return;
    const std::size_t before = s.header.size();
    s.header.append(data, n);
    // The empty line may arrive split over two calls: look a little back.
    std::size_t end = s.header.find("\r\n\r\n", before >= 3 ? before - 3 : 0);
    if (s.header.rfind("\r\n", 0) == 0) end = 0;  // no header at all: caught below
    if (end != std::string::npos) {
      s.header.resize(end == 0 ? 2 : end + 4);
      in_header = false;
    } else if (s.header.size() > max_header) {
      header_overflow = true;
      in_header = false;
      s.header.clear();
    }
  };
  std::uint64_t fed = 0;
  std::string_view piece = first.substr(static_cast<std::size_t>(s.start));
  for (;;) {
    if (!s.has_nul && std::memchr(piece.data(), '\0', piece.size()) != nullptr) s.has_nul = true;
    transcoder.feed(piece, out);
    fed += piece.size();
    // The size is known and counts from the file's first byte: the rest of
    // the file is read once, at upload.
    if (converted_size && s.start == 0 && !in_header && !header_overflow) {
      s.size = *converted_size;
      s.body_read = false;
      break;
    }
    got = handle.read(buffer.data(), buffer.size());
    if (got == 0) break;
    piece = std::string_view(buffer.data(), got);
  }
  if (s.body_read) {
    transcoder.finish(out);
    if (fed != s.length) reject("the file changed while it was read; not uploaded");
  }
  if (s.size == 0) reject("nothing follows the From_ line; not a message");
  if (header_overflow)
    reject("the header block is larger than " + std::to_string(max_header) +
           " bytes (no empty line ends it); not a message?");
  if (!mime::looks_like_header_field(s.header))
    reject("the file does not start with a header field (\"Name: value\"); not a message");
  return s;
}

}  // namespace mailferry::source
