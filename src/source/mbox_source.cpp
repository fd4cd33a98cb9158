#include "mailferry/source/mbox_source.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <functional>

#include "mailferry/core/log.hpp"
#include "mailferry/mbox/file_handle.hpp"
#include "mailferry/mbox/folder_tree.hpp"
#include "mailferry/mbox/from_line.hpp"
#include "mailferry/mbox/scanner.hpp"
#include "mailferry/mime/header_fields.hpp"
#include "mailferry/source/file_message.hpp"

namespace fs = std::filesystem;

namespace mailferry::source {
namespace {

std::string message_where(const std::string& file, std::uint64_t ordinal) {
  return file + ", message " + std::to_string(ordinal);
}

// A locator is "START+LENGTH", with this suffix when the scan found the
// message's end by its Content-Length: (which the reader then drops).
constexpr std::string_view kContentLengthFramed = "+cl";

std::string make_locator(const mbox::ScannedMessage& m) {
  std::string out = byte_range_text(m.offset, m.length);
  if (m.content_length_framed) out += kContentLengthFramed;
  return out;
}

bool parse_locator(std::string_view locator, std::uint64_t& offset, std::uint64_t& length,
                   mbox::Bookkeeping& bookkeeping) {
  const std::size_t used = parse_byte_range(locator, offset, length);
  if (used == 0) return false;
  const std::string_view rest = locator.substr(used);
  if (rest.empty())
    bookkeeping = mbox::Bookkeeping::Drop;
  else if (rest == kContentLengthFramed)
    bookkeeping = mbox::Bookkeeping::DropAndContentLength;
  else
    return false;
  return true;
}

// Turns scanner results into source references for the sync engine.
class ScanAdapter : public mbox::ScanHandler {
 public:
  ScanAdapter(std::string file, std::time_t mtime, ScanSink& sink, RecordingSink* recorder,
              GmailLabelSink* labels, std::function<void(const std::string&)> on_warning)
      : file_(std::move(file)),
        mtime_(mtime),
        sink_(sink),
        recorder_(recorder),
        labels_(labels),
        on_warning_(std::move(on_warning)) {}

  void message(mbox::ScannedMessage&& m) override {
    const mime::HeaderFields fields = mime::scan_header_fields(m.header);
    SourceMessage out = message_from_header(fields, m.size, m.size_with_bookkeeping);
    out.ordinal = m.ordinal;
    out.locator = make_locator(m);

    const mbox::FromLine from = mbox::parse_from_line(m.from_line);
    if (from.date) {
      out.internal_date = *from.date;
    } else if (auto date = mime::parse_rfc5322_date(fields.date)) {
      out.internal_date = *date;
    } else {
      out.internal_date = core::InternalDate{mtime_, 0};
      if (!fields.date.empty())
        warn(message_where(file_, m.ordinal) + ": unparsable Date: \"" + fields.date +
             "\"; filed under the file's modification time");
    }
    if (labels_ != nullptr)
      labels_->message(std::move(out), fields.x_gmail_labels);
    else
      sink_.message(std::move(out));
  }

  void problem(mbox::ScanProblem&& p) override {
    std::string where = p.ordinal ? message_where(file_, p.ordinal) : file_;
    std::string text = p.text;
    if (p.ordinal) text += " (byte offset " + std::to_string(p.offset) + ")";
    if (p.severity == mbox::Severity::Warning)
      warn(where + ": " + text);
    else
      sink_.error(core::ErrorRecord{core::ErrorScope::Message, std::move(where), std::move(text)});
  }

 private:
  void warn(const std::string& text) {
    core::log_warn(text);
    if (recorder_ != nullptr) recorder_->warning(text);
    on_warning_(text);
  }
  std::string file_;
  std::time_t mtime_;
  ScanSink& sink_;
  RecordingSink* recorder_;  // the same sink, when the scan is being kept
  GmailLabelSink* labels_;   // receives the messages instead of sink_, when given
  std::function<void(const std::string&)> on_warning_;
};

}  // namespace

MboxSource::MboxSource(fs::path path, MboxSourceOptions options)
    : path_(std::move(path)), options_(options), single_file_(is_single_file_path("mbox", path_)) {}

std::string MboxSource::describe() const { return "mbox:" + path_.string(); }

std::vector<SourceFolder> MboxSource::folders() {
  std::vector<SourceFolder> out;
  if (single_file_) {
    mbox::FileHandle check(path_, core::ErrorScope::Account);  // throws when unreadable
    SourceFolder f;
    std::string name = mbox::folder_name_for_file(path_);
    f.role = mbox::guess_role_from_name(name);
    f.path.push_back(std::move(name));
    f.locator = path_.string();
    out.push_back(std::move(f));
    return out;
  }
  std::vector<mbox::FolderNote> notes;
  for (auto& found : mbox::discover_mbox_folders(path_, notes)) {
    SourceFolder f;
    if (found.path.size() == 1) f.role = mbox::guess_role_from_name(found.path.front());
    f.path = std::move(found.path);
    f.locator = found.file.string();
    out.push_back(std::move(f));
  }
  notes_.clear();
  for (auto& n : notes) {
    core::log_info(n.file.string() + ": " + n.text);
    notes_.push_back(core::ErrorRecord{core::ErrorScope::Folder, n.file.string(), n.text});
  }
  return out;
}

void MboxSource::scan(const SourceFolder& folder, ScanSink& sink) {
  if (options_.scan_cache == nullptr) {
    read_file(folder, sink, nullptr, nullptr);
    return;
  }
  // Taken before the scan: a file that grows meanwhile has another identity
  // next time, so its scan is never replayed for the longer file. "bare":
  // sizes without the bookkeeping fields; scans kept by versions that
  // uploaded them are not replayed.
  const std::string identity =
      file_identity(folder.locator, "mbox " + std::to_string(static_cast<int>(options_.variant)) +
                                        " " + std::to_string(options_.max_header_bytes) + " bare");
  const std::string key = "mbox\n" + fs::absolute(folder.locator).string();
  if (replay_scan(*options_.scan_cache, key, identity, sink,
                  [this](const std::string& text) { add_scan_note(text); })) {
    core::log_debug(folder.locator + ": unchanged since the last scan; its scan is reused");
    return;
  }
  RecordingSink recorder(*options_.scan_cache, key, sink);
  read_file(folder, recorder, &recorder, nullptr);
  recorder.finish(identity);
}

void MboxSource::scan_with_gmail_labels(const SourceFolder& folder, GmailLabelSink& sink) {
  class ErrorsOnly final : public ScanSink {
   public:
    explicit ErrorsOnly(GmailLabelSink& to) : to_(to) {}
    void message(SourceMessage) override {}
    void error(core::ErrorRecord e) override { to_.error(std::move(e)); }

   private:
    GmailLabelSink& to_;
  } errors(sink);
  read_file(folder, errors, nullptr, &sink);
}

void MboxSource::read_file(const SourceFolder& folder, ScanSink& sink, RecordingSink* recorder,
                           GmailLabelSink* labels) {
  struct stat st {};
  if (::stat(folder.locator.c_str(), &st) != 0)
    throw core::SourceError("cannot read " + folder.locator + ": " + std::strerror(errno),
                            core::ErrorScope::Folder);
  mbox::ScanOptions options;
  options.variant = options_.variant;
  options.max_header_bytes = static_cast<std::size_t>(options_.max_header_bytes);
  ++files_read_;
  ScanAdapter adapter(folder.locator, st.st_mtime, sink, recorder, labels,
                      [this](const std::string& text) { add_scan_note(text); });
  mbox::scan_mbox_file(folder.locator, options, adapter);
}

void MboxSource::add_scan_note(const std::string& text) {
  // Folders may be scanned more than once in a run (a Takeout file is probed
  // first): each warning is one note.
  if (!scan_note_texts_.insert(text).second) return;
  scan_notes_.push_back(text);
}

std::vector<std::string> MboxSource::report_notes() {
  std::vector<std::string> out = note_lines(notes_);
  out.insert(out.end(), scan_notes_.begin(), scan_notes_.end());
  return out;
}

std::unique_ptr<BodyReader> MboxSource::open(const SourceFolder& folder,
                                             const SourceMessage& message) {
  std::uint64_t offset = 0, length = 0;
  mbox::Bookkeeping bookkeeping = mbox::Bookkeeping::Drop;
  std::string where = message_where(folder.locator, message.ordinal);
  if (!parse_locator(message.locator, offset, length, bookkeeping))
    throw core::SourceError(
        where + ": not a message of this source (locator \"" + message.locator + "\")",
        core::ErrorScope::Message);
  return open_file_range(folder.locator, offset, length, mbox::quoting_of(options_.variant),
                         bookkeeping, message.size, std::move(where));
}

}  // namespace mailferry::source
