#include "mailferry/source/eml_source.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "mailferry/core/log.hpp"
#include "mailferry/mbox/file_handle.hpp"
#include "mailferry/mbox/folder_tree.hpp"
#include "mailferry/mime/header_fields.hpp"
#include "mailferry/source/file_message.hpp"
#include "mailferry/source/message_file_scan.hpp"

namespace fs = std::filesystem;

namespace mailferry::source {
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
    MessageFileScan s;
    try {
      s = scan_message_file(file, options_.max_header_bytes);
    } catch (const core::SourceError& e) {
      sink.error(core::ErrorRecord{core::ErrorScope::Message, file.string(), e.what()});
      continue;
    }
    if (s.has_nul) core::log_warn(file.string() + ": contains NUL bytes; uploaded as it is");
    const mime::HeaderFields fields = mime::scan_header_fields(s.header);
    SourceMessage m = message_from_header(fields, s.size, s.size);
    m.ordinal = ordinal;
    m.locator = file_range_locator(s.start, s.length, file.string());
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
  if (!parse_file_range_locator(message.locator, start, length, file))
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
