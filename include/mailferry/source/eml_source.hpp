// The eml source: single RFC 5322 message files, as mail clients save them
// ("Save as" .eml, .msg text exports, messages cut out of archives).
//
// `eml:PATH` is one file (one message) or a directory holding message files:
// every regular file directly in it, in byte order of the file names. Hidden
// files (".DS_Store", editor swap files) and sub-directories are skipped with
// a note. The source is always one folder: a directory gives a folder named
// after the directory (its role guessed from that name, so a directory called
// "Sent" is the Sent folder), a single file a folder named "INBOX".
//
// Each file is uploaded as it is, with bare LF turned into CRLF (the same
// conversion as mbox/transcoder.hpp). Two things in front of the header block
// are not part of the message and are left out: a UTF-8 byte order mark and
// an mbox "From " separator line (files cut out of an mbox keep it). The key
// comes from the header block and the exact CRLF size (mime::message_key).
// INTERNALDATE is the Date: field, else the date of the last Received: field
// (the first hop), else the file's modification time.
//
// Flags: a saved message carries no IMAP flags. Status:, X-Status: and
// X-Mozilla-Status: fields (written by mbox-based clients) are honoured when
// present; otherwise the message gets \Seen when `mark_seen` is set (the
// default, as for POP3: a saved or exported message has been read, and a
// migration should not flood the Inbox with unread mail).
//
// Errors: the constructor and folders() throw core::SourceError (exit code 4)
// when PATH does not exist or cannot be listed. A file that is not a message
// (empty, no header field at its start, an Outlook binary .msg, a header block
// over the cap) or cannot be read is reported through ScanSink::error with
// scope Message and the file's path as "where"; the other files go on.
// open() readers throw core::SourceError (scope Message) naming the file,
// also when the file changed since the scan so that its size no longer holds.
// Blocking, single-threaded; the object may be used for many scans.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "mailferry/core/error.hpp"
#include "mailferry/source/source.hpp"

namespace mailferry::source {

struct EmlSourceOptions {
  bool mark_seen = true;  // \Seen for messages without Status:/X-Status:/X-Mozilla-Status:
  std::uint64_t max_header_bytes = std::uint64_t{1} << 20;  // larger: a per-file error
};

class EmlSource : public Source {
 public:
  // Throws core::SourceError naming the path when it does not exist or is
  // neither a file nor a directory.
  explicit EmlSource(std::filesystem::path path, EmlSourceOptions options = {});

  std::string describe() const override;  // "eml:" + path
  std::vector<SourceFolder> folders() override;
  void scan(const SourceFolder& folder, ScanSink& sink) override;
  std::unique_ptr<BodyReader> open(const SourceFolder& folder,
                                   const SourceMessage& message) override;

  bool is_single_file() const { return single_file_; }
  // Directory entries that were skipped (hidden files, sub-directories,
  // special files), filled by folders(); scope Folder, for the report.
  const std::vector<core::ErrorRecord>& notes() const { return notes_; }
  std::vector<std::string> report_notes() override { return note_lines(notes_); }

 private:
  std::vector<std::filesystem::path> message_files();

  std::filesystem::path path_;
  EmlSourceOptions options_;
  bool single_file_ = false;
  std::vector<core::ErrorRecord> notes_;
};

}  // namespace mailferry::source
