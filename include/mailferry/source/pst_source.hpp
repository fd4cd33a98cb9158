// The PST source: an Outlook personal folders file (ANSI 97-2002 or Unicode
// 2003+), read through libpst (pst/pst_file.hpp).
//
// Folders: every mail folder of the IPM subtree, path components in UTF-8,
// role from the store's entry ids (pst/folder_roles.hpp). Non-mail items
// (contacts, appointments, tasks, notes, journal entries, distribution lists,
// posts) are not messages of any folder: they are counted, see
// skipped_items(), and never reported as errors.
//
// Messages: each item is rebuilt as RFC 5322 (pst/mime_builder.hpp). scan()
// builds it once in memory to learn its exact size and key, keeps neither, and
// open() builds it again: the build is deterministic, and open() checks that
// size and content hash match what scan() saw (a mismatch is a Message-scope
// error, never a wrong upload). Memory holds one message at a time; the PST
// itself stays on disk except libpst's index.
//
// Errors: the constructor throws core::SourceError (exit code 4) naming the
// file when it is missing, not a PST, or too damaged to find its folders, and
// when Outlook guards it with a password that was not given, or was wrong,
// and the operator did not say to ignore it. A truncated file opens if its folder tree can be read;
// the damage is in notes() and is reported once through the first scan()'s
// ScanSink::error (scope Folder). An item libpst cannot parse is reported
// through ScanSink::error (scope Message; "where" names file, folder and
// item) and the scan goes on; parts of an item that cannot be read (one
// attachment, say) are reported the same way while the rest of the message is
// still delivered. open() readers throw core::SourceError with scope Message.
// Blocking, single-threaded (libpst is not thread-safe).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mailferry/core/error.hpp"
#include "mailferry/core/secret.hpp"
#include "mailferry/source/source.hpp"

namespace mailferry::pst {
class PstFile;
}

namespace mailferry::source {

// How a file Outlook guards with a password opens (pst/password.hpp).
struct PstPasswordOptions {
  // Asked only when the file has a password, so a password command runs
  // only then; empty: no password was given.
  std::function<core::Secret()> password;
  // Open it unchecked, as the operator asked: the password encrypts nothing.
  bool ignore = false;
};

struct PstSourceOptions {
  PstPasswordOptions password;
  // Windows code page of 8-bit strings that carry none of their own (folder
  // names in ANSI files), e.g. 932 for a Japanese Outlook; 0 = take it from
  // the file's items (their code page or locale), else 1252.
  int ansi_codepage = 0;
};

// One folder as `list` shows it.
struct PstFolderSummary {
  SourceFolder folder;
  std::uint64_t mail_items = 0;     // items scan() will try
  std::uint64_t skipped_items = 0;  // non-mail items in this folder
  bool role_from_name = false;      // the store held no entry id for this role
  bool file_root = false;           // mail kept in the file's root itself, named after the store
};

class PstSource : public Source {
 public:
  explicit PstSource(std::string path, PstSourceOptions options = {});
  ~PstSource() override;

  std::string describe() const override;  // "pst:" + path
  // Every folder of the file except an empty Outbox.
  std::vector<SourceFolder> folders() override;
  void scan(const SourceFolder& folder, ScanSink& sink) override;
  std::unique_ptr<BodyReader> open(const SourceFolder& folder,
                                   const SourceMessage& message) override;

  // Non-mail items in the whole file (all folders, listed or not).
  std::uint64_t skipped_items();
  // The count of skipped non-mail items, and a password left unchecked. The file's damage (notes())
  // is not repeated here: the first scan reports it as an error of the job.
  std::vector<std::string> report_notes() override;
  // Every folder of the file, the empty Outbox included.
  std::vector<PstFolderSummary> folder_summaries();
  // File-level problems (truncation, unreadable folders); scope Folder.
  const std::vector<core::ErrorRecord>& notes();

 private:
  void load_tree();
  // Checks the password Outlook would ask for; throws core::SourceError.
  void unlock(const PstPasswordOptions& options);

  std::string path_;
  std::unique_ptr<pst::PstFile> file_;
  bool tree_loaded_ = false;
  std::vector<PstFolderSummary> summaries_;
  // An empty Outbox without subfolders: not offered by folders() (the
  // report says so).
  bool left_out(const PstFolderSummary& summary) const;
  std::uint64_t skipped_ = 0;
  std::vector<core::ErrorRecord> notes_;
  bool notes_reported_ = false;
  std::string unchecked_password_;  // the warning when the password was ignored
};

}  // namespace mailferry::source
