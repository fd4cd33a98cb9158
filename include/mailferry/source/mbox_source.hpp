// The mbox source: one mbox file (one folder) or a directory tree of them
// (Thunderbird "Local Folders" with .sbd sub-folders, Apple Mail .mbox bundles,
// plain directories); see mbox/folder_tree.hpp for the layout rules and
// mbox/scanner.hpp for how messages are found in a file.
//
// Every message is uploaded as it is in the file, with CRLF line ends and the
// mbox quoting undone; the From_ line and the separator's empty line are not
// part of it, and neither are the store's bookkeeping fields (Status:,
// X-Mozilla-Status:, the Content-Length: that framed it, ...; see
// mbox/bookkeeping_filter.hpp): Status:, X-Status: and X-Mozilla-Status: give
// the flags. The diff key is computed so that a copy an older version
// uploaded with those fields is found again (mime/message_key.hpp).
// INTERNALDATE comes from the From_ line's date, else from Date:, else from
// the file's modification time.
//
// Warnings about single messages (NUL bytes, a file that ends inside a
// message, an unparsable Date:) are logged and become report notes.
//
// Errors: the constructor and folders() throw core::SourceError (exit code 4)
// when the path cannot be read at all; scan() throws core::SourceError with
// scope Folder when the folder's file cannot be read, and reports bad messages
// through ScanSink::error (scope Message, "where" = file and message number);
// open() readers throw core::SourceError with scope Message.
// Blocking, single-threaded; the object may be used for many scans.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "mailferry/core/error.hpp"
#include "mailferry/mbox/variant.hpp"
#include "mailferry/source/scan_cache.hpp"
#include "mailferry/source/source.hpp"

namespace mailferry::source {

struct MboxSourceOptions {
  mbox::Variant variant = mbox::Variant::Auto;  // --mbox-variant auto|mboxo|mboxrd|mboxcl|mboxcl2
  std::uint64_t max_header_bytes = std::uint64_t{1}
                                   << 20;  // larger header blocks are per-message errors
  // Scans kept between runs (not owned; nullptr: none): a file that did not
  // change since is not read again (source/scan_cache.hpp).
  ScanCache* scan_cache = nullptr;
};

// Receives a scan's messages each with its X-Gmail-Labels value (as found in
// the header, "" when absent): the channel the Gmail Takeout wrapper reads
// labels through, so that no other source's messages carry them.
class GmailLabelSink {
 public:
  virtual ~GmailLabelSink() = default;
  virtual void message(SourceMessage message, std::string gmail_labels) = 0;
  virtual void error(core::ErrorRecord error) = 0;
};

class MboxSource : public Source {
 public:
  // `path` is a file or a directory. Throws core::SourceError naming the path
  // when it does not exist or is neither a file nor a directory.
  explicit MboxSource(std::filesystem::path path, MboxSourceOptions options = {});

  std::string describe() const override;  // "mbox:" + path
  // A file: one folder named after the file (extension dropped), its role
  // guessed from that name. A directory: the folder tree, roles guessed for
  // top-level folders only.
  std::vector<SourceFolder> folders() override;
  void scan(const SourceFolder& folder, ScanSink& sink) override;
  std::unique_ptr<BodyReader> open(const SourceFolder& folder,
                                   const SourceMessage& message) override;
  // scan(), with each message's Gmail labels. Always reads the file: the
  // scan cache keeps no labels.
  void scan_with_gmail_labels(const SourceFolder& folder, GmailLabelSink& sink);

  bool is_single_file() const { return single_file_; }
  // Entries of a directory tree that were skipped (not mbox files, ...), filled
  // by folders(); scope Folder, for the report. They are logged at info level.
  const std::vector<core::ErrorRecord>& notes() const { return notes_; }
  // The skipped entries, then each warning of this object's scans, once.
  std::vector<std::string> report_notes() override;
  // How many times a scan read an mbox file (a scan replayed from the scan
  // cache reads none): what the cache saves is visible here.
  std::uint64_t files_read() const { return files_read_; }

 private:
  void add_scan_note(const std::string& text);
  // Reads `folder`'s file; `labels`, when given, receives the messages instead of `sink`.
  void read_file(const SourceFolder& folder, ScanSink& sink, RecordingSink* recorder,
                 GmailLabelSink* labels);

  std::filesystem::path path_;
  MboxSourceOptions options_;
  bool single_file_ = false;
  std::vector<core::ErrorRecord> notes_;
  std::vector<std::string> scan_notes_;
  std::set<std::string> scan_note_texts_;
  std::uint64_t files_read_ = 0;
};

}  // namespace mailferry::source
