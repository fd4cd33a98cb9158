#include "mailferry/source/maildir_source.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "mailferry/core/log.hpp"
#include "mailferry/core/plural.hpp"
#include "mailferry/maildir/file_name.hpp"
#include "mailferry/maildir/listing.hpp"
#include "mailferry/mbox/folder_tree.hpp"
#include "mailferry/mime/header_fields.hpp"
#include "mailferry/source/file_message.hpp"
#include "mailferry/source/maildir_scan_memo.hpp"
#include "mailferry/source/message_file_scan.hpp"

namespace fs = std::filesystem;

namespace mailferry::source {
namespace {

[[noreturn]] void message_error(const std::string& text) {
  throw core::SourceError(text, core::ErrorScope::Message);
}

// What reading the file teaches, for a file the memo does not know.
MaildirFileFacts read_facts(const fs::path& file, const maildir::MessageFile& entry,
                            std::uint64_t max_header) {
  // W= is what Dovecot counted the same way (LF as CRLF); trusted only with
  // an S= the file's size has been checked against, so it describes these bytes.
  const MessageFileScan s = scan_message_file(
      file, max_header, entry.parsed.size ? entry.parsed.virtual_size : std::nullopt);
  if (s.start + s.length != entry.size)
    message_error("the file changed while it was read; not uploaded");
  if (s.has_nul) core::log_warn(file.string() + ": contains NUL bytes; uploaded as it is");
  const mime::HeaderFields fields = mime::scan_header_fields(s.header);
  const SourceMessage m = message_from_header(fields, s.size, s.size);
  MaildirFileFacts f;
  f.file_size = entry.size;
  f.mtime_ns = entry.mtime_ns;
  f.start = s.start;
  f.size = s.size;
  f.key = m.key;
  f.message_id = m.message_id;
  f.requests_read_receipt = m.requests_read_receipt;
  // The delivery time Dovecot keeps in the modification time; a file whose
  // time was lost (0, or before 1970 after a careless copy) is dated by its header.
  if (entry.mtime > 0) {
    f.internal_date = core::InternalDate{entry.mtime, 0};
  } else if (auto date = mime::parse_rfc5322_date(fields.date)) {
    f.internal_date = *date;
  } else if (auto received = mime::parse_rfc5322_date(fields.last_received_date)) {
    f.internal_date = *received;
  } else {
    core::log_warn(file.string() +
                   ": neither a usable modification time nor a Date: field; "
                   "filed under the upload time");
  }
  return f;
}

}  // namespace

MaildirSource::MaildirSource(fs::path path, MaildirSourceOptions options)
    : path_(std::move(path)), options_(options), layout_(options.layout) {
  if (is_single_file_path("maildir", path_))
    throw core::SourceError("maildir:" + path_.string() +
                            ": a file, not a Maildir directory (for a single message file use "
                            "eml:PATH)");
}

std::string MaildirSource::describe() const { return "maildir:" + path_.string(); }

std::vector<SourceFolder> MaildirSource::folders() {
  if (layout_ == maildir::Layout::Auto) layout_ = maildir::detect_layout(path_);
  std::vector<maildir::FolderNote> notes;
  std::vector<SourceFolder> out;
  for (auto& found : maildir::discover_folders(path_, layout_, notes)) {
    SourceFolder f;
    if (found.path.size() == 1) f.role = mbox::guess_role_from_name(found.path.front());
    f.path = std::move(found.path);
    f.locator = found.dir.string();
    out.push_back(std::move(f));
  }
  notes_.clear();
  for (auto& n : notes) {
    core::log_info(n.dir.string() + ": " + n.text);
    notes_.push_back(core::ErrorRecord{core::ErrorScope::Folder, n.dir.string(), n.text});
  }
  return out;
}

void MaildirSource::scan(const SourceFolder& folder, ScanSink& sink) {
  const fs::path dir = folder.locator;
  std::vector<maildir::MessageFile> files;
  try {
    files = maildir::list_message_files(dir);
  } catch (const core::SourceError& e) {
    throw core::SourceError(dir.string() + ": " + e.what(), core::ErrorScope::Folder);
  }
  const maildir::KeywordTable keywords = maildir::KeywordTable::read(dir);
  MaildirScanMemo memo(options_.scan_cache, "maildir\n" + fs::absolute(dir).string(),
                       "maildir " + std::to_string(options_.max_header_bytes));
  FolderNotes& notes = folder_notes_[folder.display_name()];
  notes = {};

  std::uint64_t ordinal = 0;
  for (const auto& entry : files) {
    ++ordinal;
    const fs::path file = dir / entry.sub / entry.name;
    MaildirFileFacts facts;
    try {
      if (entry.parsed.size && *entry.parsed.size != entry.size)
        message_error("the file has " + std::to_string(entry.size) + " bytes, its name says " +
                      std::to_string(*entry.parsed.size) +
                      " (S=): cut off or changed by a copy; not uploaded");
      if (const MaildirFileFacts* known =
              memo.find(entry.parsed.unique, entry.size, entry.mtime_ns)) {
        facts = *known;
      } else {
        ++files_read_;
        facts = read_facts(file, entry, options_.max_header_bytes);
      }
    } catch (const core::SourceError& e) {
      sink.error(core::ErrorRecord{core::ErrorScope::Message, file.string(), e.what()});
      continue;
    }
    memo.keep(entry.parsed.unique, facts);

    maildir::InfoFlags info = maildir::flags_from_info(entry.parsed.info, keywords);
    SourceMessage m;
    m.ordinal = ordinal;
    m.locator = file_range_locator(facts.start, facts.file_size - facts.start, entry.relative());
    m.key = std::move(facts.key);
    m.message_id = std::move(facts.message_id);
    m.flags = info.flags;
    // Nobody has looked at mail still in new/.
    if (entry.sub == "new") m.flags = m.flags.minus(core::Flag::Seen);
    m.internal_date = facts.internal_date;
    m.size = facts.size;
    m.requests_read_receipt = facts.requests_read_receipt;
    if (info.trashed) ++notes.trashed;
    for (auto& k : info.dropped_keywords) notes.dropped_keywords.insert(std::move(k));
    sink.message(std::move(m));
  }
  memo.store();
}

std::unique_ptr<BodyReader> MaildirSource::open(const SourceFolder& folder,
                                                const SourceMessage& message) {
  std::uint64_t start = 0, length = 0;
  std::string relative;
  const bool parsed = parse_file_range_locator(message.locator, start, length, relative);
  // Only a file of the folder's own cur/ or new/ is ever opened.
  if (!parsed || (relative.rfind("cur/", 0) != 0 && relative.rfind("new/", 0) != 0) ||
      relative.find('/', 4) != std::string::npos)
    message_error(folder.locator + ", message " + std::to_string(message.ordinal) +
                  ": not a message of this source (locator \"" + message.locator + "\")");
  const fs::path dir = folder.locator;
  fs::path file = dir / relative;
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    const int error = errno;
    // A mail program may have renamed it since the scan (new flags, or
    // moved from new/ to cur/): the unique part of the name stays.
    const std::string unique = maildir::parse_file_name(relative.substr(4)).unique;
    auto moved = error == ENOENT ? maildir::find_by_unique(dir, unique) : std::nullopt;
    if (!moved)
      message_error(file.string() + ": " +
                    (error == ENOENT ? std::string("the file is gone since the scan (deleted or "
                                                   "moved by a mail program); not uploaded")
                                     : "cannot read: " + std::string(std::strerror(error))));
    file = dir / moved->relative();
    st.st_size = static_cast<off_t>(moved->size);
  }
  if (static_cast<std::uint64_t>(st.st_size) != start + length)
    message_error(file.string() + ": the file changed since it was scanned; not uploaded");
  return open_file_range(file, start, length, mbox::Quoting::None, mbox::Bookkeeping::Keep,
                         message.size, file.string());
}

std::vector<std::string> MaildirSource::report_notes() {
  std::vector<std::string> out = note_lines(notes_);
  for (const auto& [name, n] : folder_notes_) {
    if (n.trashed > 0)
      out.push_back(name + ": " +
                    core::counted(n.trashed, "message marked trashed (T) in the Maildir was",
                                  "messages marked trashed (T) in the Maildir were") +
                    " copied, without \\Deleted");
    if (!n.dropped_keywords.empty()) {
      std::string list;
      for (const auto& k : n.dropped_keywords) list += (list.empty() ? "" : ", ") + k;
      out.push_back(name +
                    ": keywords not carried (dovecot-keywords names no keyword for them): " +
                    list);
    }
  }
  return out;
}

}  // namespace mailferry::source
