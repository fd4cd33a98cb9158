// The Maildir source: one Maildir (cur/ new/ tmp/) or a tree of them, in the
// Maildir++ or the fs layout (maildir/folder_tree.hpp says how folders are
// found and named). Written by Dovecot and Courier servers, mbsync,
// offlineimap, mutt, Claws, ...
//
// Each file of cur/ and new/ is one message, uploaded as it is with bare LF
// turned into CRLF (a byte order mark or an mbox From_ line in front of the
// header is left out, as for eml:). tmp/ holds deliveries in progress and is
// never read. Messages come in byte order of their unique names, which start
// with the delivery time.
//
// Flags come from the file name (maildir/file_name.hpp); mail in new/ has not
// been seen by any mail program and arrives unread whatever its name says.
// 'T' (trashed: deleted in the mail program, not yet expunged) does not
// become \Deleted, which would have the target's next expunge remove it: the
// message is copied without it and counted in a report note per folder.
// Dovecot keywords outside the flags mailferry carries ($Forwarded,
// $MDNSent) are dropped with a note naming them.
//
// INTERNALDATE is the file's modification time, as Dovecot sets and reads it
// for Maildir (the delivery time); when that is unusable (0 or before 1970),
// the Date: field, else the last Received: date. The file's size is checked
// against the ",S=" field of its name when there is one: a file shorter or
// longer than its name says is damaged (cut off by a copy) and is that
// message's error. A file whose name has both ",S=" and ",W=" (Dovecot's
// size with CRLF line ends) is read only up to the end of its header block
// by the scan: its body is read once, at upload.
//
// Re-runs: with a scan cache, a file whose unique name, size and modification
// time are those of the last scan is not read again (source/maildir_scan_memo.hpp),
// so a re-run with nothing new costs a listing of each cur/ and new/.
//
// Errors: the constructor and folders() throw core::SourceError (exit code 4)
// when PATH is not a directory, cannot be listed or holds no Maildir. scan()
// throws core::SourceError with scope Folder when neither cur/ nor new/ of
// the folder can be listed, and reports files that cannot be read or are not
// messages through ScanSink::error (scope Message, "where" = the file's path,
// which names the folder and the file). open() readers throw
// core::SourceError (scope Message) naming the file, also when it vanished
// or changed since the scan (a live Maildir); a file a mail program only
// renamed since (new flags, new/ to cur/) is found under its new name.
// Blocking, single-threaded; the object may be used for many scans.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "mailferry/core/error.hpp"
#include "mailferry/maildir/folder_tree.hpp"
#include "mailferry/source/scan_cache.hpp"
#include "mailferry/source/source.hpp"

namespace mailferry::source {

struct MaildirSourceOptions {
  maildir::Layout layout = maildir::Layout::Auto;           // --maildir-layout auto|maildir++|fs
  std::uint64_t max_header_bytes = std::uint64_t{1} << 20;  // larger: a per-file error
  // Where the facts read from files are kept between runs (not owned; nullptr: none).
  ScanCache* scan_cache = nullptr;
};

class MaildirSource : public Source {
 public:
  // Throws core::SourceError naming the path when it is not a directory.
  explicit MaildirSource(std::filesystem::path path, MaildirSourceOptions options = {});

  std::string describe() const override;  // "maildir:" + path
  std::vector<SourceFolder> folders() override;
  void scan(const SourceFolder& folder, ScanSink& sink) override;
  std::unique_ptr<BodyReader> open(const SourceFolder& folder,
                                   const SourceMessage& message) override;
  // Skipped entries, then per folder the trashed messages and dropped keywords.
  std::vector<std::string> report_notes() override;

  // The layout folders() used: the one given, or the one detected.
  maildir::Layout layout() const { return layout_; }
  // How many message files the scans read (a file known from the scan cache
  // is not read): what the cache saves is visible here.
  std::uint64_t files_read() const { return files_read_; }

 private:
  struct FolderNotes {
    std::uint64_t trashed = 0;
    std::set<std::string> dropped_keywords;
  };

  std::filesystem::path path_;
  MaildirSourceOptions options_;
  maildir::Layout layout_;
  std::vector<core::ErrorRecord> notes_;
  std::map<std::string, FolderNotes> folder_notes_;  // by display name, from the last scan
  std::uint64_t files_read_ = 0;
};

}  // namespace mailferry::source
