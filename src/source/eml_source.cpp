#include "mailferry/source/eml_source.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <system_error>

#include "mailferry/core/log.hpp"
#include "mailferry/mbox/file_handle.hpp"
#include "mailferry/mbox/folder_tree.hpp"
#include "mailferry/mbox/transcoder.hpp"
#include "mailferry/mime/header_fields.hpp"
#include "mailferry/source/file_message.hpp"

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

struct FileScan {
  std::uint64_t start = 0;   // file offset of the message's first byte
  std::uint64_t length = 0;  // raw bytes from there to the end of the file
  std::uint64_t size = 0;    // bytes after CRLF conversion
  std::string header;        // converted header block, with its empty line if it has one
  bool has_nul = false;
  std::time_t mtime = 0;
};

// Reads the file once through the CRLF conversion: the exact upload size and
// the header block. Throws core::SourceError (scope Message) for files that
// are not messages or cannot be read.
FileScan scan_file(const fs::path& file, std::uint64_t max_header) {
  mbox::FileHandle handle(file, core::ErrorScope::Message);
  FileScan s;
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
    got = handle.read(buffer.data(), buffer.size());
    if (got == 0) break;
    piece = std::string_view(buffer.data(), got);
  }
  transcoder.finish(out);
  if (fed != s.length) reject("the file changed while it was read; not uploaded");
  if (s.size == 0) reject("nothing follows the From_ line; not a message");
  if (header_overflow)
    reject("the header block is larger than " + std::to_string(max_header) +
           " bytes (no empty line ends it); not a message?");
  if (!mime::looks_like_header_field(s.header))
    reject("the file does not start with a header field (\"Name: value\"); not a message");
  return s;
}

// "START+LENGTH:FILE": the message's raw byte range and its file.
std::string make_locator(std::uint64_t start, std::uint64_t length, const fs::path& file) {
  return byte_range_text(start, length) + ":" + file.string();
}

bool parse_locator(const std::string& locator, std::uint64_t& start, std::uint64_t& length,
                   std::string& file) {
  const std::size_t used = parse_byte_range(locator, start, length);
  if (used == 0 || used == locator.size() || locator[used] != ':') return false;
  file.assign(locator, used + 1);
  return !file.empty();
}

}  // namespace

EmlSource::EmlSource(fs::path path, EmlSourceOptions options)
    : path_(std::move(path)), options_(options), single_file_(is_single_file_path("eml", path_)) {}

std::string EmlSource::describe() const { return "eml:" + path_.string(); }

std::vector<fs::path> EmlSource::message_files() {
  if (single_file_) return {path_};
  std::vector<fs::path> files;
  std::vector<core::ErrorRecord> notes;
  std::error_code ec;
  fs::directory_iterator it(path_, ec);
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const fs::path& entry = it->path();
    const std::string name = entry.filename().string();
    std::error_code sec;
    const fs::file_status st = fs::status(entry, sec);
    std::string skipped;
    if (!name.empty() && name.front() == '.')
      skipped = "skipped: a hidden file";
    else if (fs::is_directory(st))
      skipped = "skipped: a sub-directory (eml: reads only the files directly in the directory)";
    else if (!fs::is_regular_file(st))
      skipped = "skipped: not a regular file";
    if (skipped.empty())
      files.push_back(entry);
    else
      notes.push_back(core::ErrorRecord{core::ErrorScope::Folder, entry.string(), skipped});
  }
  if (ec)
    throw core::SourceError("eml:" + path_.string() +
                            ": cannot list the directory: " + ec.message());
  // Byte order of the names: stable across runs and locales.
  std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
    return a.filename().native() < b.filename().native();
  });
  std::sort(notes.begin(), notes.end(), [](const core::ErrorRecord& a, const core::ErrorRecord& b) {
    return a.where < b.where;
  });
  notes_ = std::move(notes);
  return files;
}

std::vector<SourceFolder> EmlSource::folders() {
  SourceFolder f;
  if (single_file_) {
    mbox::FileHandle check(path_, core::ErrorScope::Account);  // throws when unreadable
    f.path.push_back("INBOX");
    f.role = core::Role::Inbox;
  } else {
    message_files();  // fills notes_; throws when the directory cannot be listed
    for (const auto& n : notes_) core::log_info(n.where + ": " + n.message);
    std::string name = fs::path(path_).lexically_normal().filename().string();
    if (name.empty()) name = fs::path(path_).lexically_normal().parent_path().filename().string();
    if (name.empty() || name == "." || name == "..")
      name = fs::absolute(path_).lexically_normal().parent_path().filename().string();
    if (name.empty()) name = "eml";
    f.role = mbox::guess_role_from_name(name);
    f.path.push_back(std::move(name));
  }
  f.locator = path_.string();
  return {f};
}

void EmlSource::scan(const SourceFolder&, ScanSink& sink) {
  std::vector<fs::path> files;
  try {
    files = message_files();
  } catch (const core::SourceError& e) {
    throw core::SourceError(e.what(), core::ErrorScope::Folder);
  }
  std::uint64_t ordinal = 0;
  for (const auto& file : files) {
    ++ordinal;
    FileScan s;
    try {
      s = scan_file(file, options_.max_header_bytes);
    } catch (const core::SourceError& e) {
      sink.error(core::ErrorRecord{core::ErrorScope::Message, file.string(), e.what()});
      continue;
    }
    if (s.has_nul) core::log_warn(file.string() + ": contains NUL bytes; uploaded as it is");
    const mime::HeaderFields fields = mime::scan_header_fields(s.header);
    SourceMessage m = message_from_header(fields, s.size, s.size);
    m.ordinal = ordinal;
    m.locator = make_locator(s.start, s.length, file);
    const bool has_status_fields =
        !fields.status.empty() || !fields.x_status.empty() || !fields.x_mozilla_status.empty();
    if (!has_status_fields && options_.mark_seen) m.flags.add(core::Flag::Seen);
    if (auto date = mime::parse_rfc5322_date(fields.date)) {
      m.internal_date = *date;
    } else if (auto received = mime::parse_rfc5322_date(fields.last_received_date)) {
      m.internal_date = *received;
    } else {
      m.internal_date = core::InternalDate{s.mtime, 0};
      if (!fields.date.empty())
        core::log_warn(file.string() + ": unparsable Date: \"" + fields.date +
                       "\"; filed under the file's modification time");
    }
    sink.message(std::move(m));
  }
}

std::unique_ptr<BodyReader> EmlSource::open(const SourceFolder&, const SourceMessage& message) {
  std::uint64_t start = 0, length = 0;
  std::string file;
  if (!parse_locator(message.locator, start, length, file))
    throw core::SourceError(describe() + ", message " + std::to_string(message.ordinal) +
                                ": not a message of this source (locator \"" + message.locator +
                                "\")",
                            core::ErrorScope::Message);
  // A file that grew or shrank since the scan would no longer give the size
  // the upload announced.
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0)
    throw core::SourceError(file + ": cannot read: " + std::strerror(errno),
                            core::ErrorScope::Message);
  if (static_cast<std::uint64_t>(st.st_size) != start + length)
    throw core::SourceError(file + ": the file changed since it was scanned; not uploaded",
                            core::ErrorScope::Message);
  return open_file_range(file, start, length, mbox::Quoting::None, mbox::Bookkeeping::Keep,
                         message.size, file);
}

}  // namespace mailferry::source
