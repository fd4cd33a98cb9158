// An IMAP account as a Source: every selectable folder of the account, with
// its role, read without changing anything.
//
// It reads through target::ImapTarget's reading half: the same connection,
// login, throttling, namespace and role discovery as the account written to,
// so both sides of a move understand a server alike. Folders are opened with
// EXAMINE and bodies fetched with BODY.PEEK[], so no flag on the source
// changes (\Seen included).
//
// folders(): LIST, roles from SPECIAL-USE, else from well-known names in many
// languages. Names are UTF-8 (decoded from modified UTF-7), the personal
// namespace's prefix ("INBOX." on Courier and Cyrus) taken off and split at
// the server's delimiter, so {"Archive", "2019"} is the same folder whatever
// the server calls it. Folders that only show messages kept elsewhere
// (SPECIAL-USE \All, \Flagged, \Important: Gmail's All Mail, Starred and
// Important) are left out unless ImapSourceOptions::include_virtual_folders,
// since each would copy every message again; report_notes() names them.
//
// scan(): one pipelined UID FETCH per folder for UID, FLAGS, INTERNALDATE,
// RFC822.SIZE and the identity header fields; the key is computed from them
// exactly as the target side computes its own. With a scan cache (the job's
// state), each folder's last scan is kept with the folder's UIDVALIDITY,
// UIDNEXT, message count and HIGHESTMODSEQ (CONDSTORE):
//  - STATUS shows them unchanged: the scan is replayed, nothing is read;
//  - mail was added or flags changed, nothing removed: only the new UIDs are
//    fetched, and the flags changed since the last HIGHESTMODSEQ;
//  - anything else (a message gone, the folder renumbered, a server without
//    CONDSTORE, the state lost): the folder is read again in full.
// So the cache costs time, never a wrong answer. With the last scan at hand,
// each message carries the flags the source removed since
// (SourceMessage::flags_removed), which the target's copy then loses too.
//
// open() and open_batch(): one UID FETCH BODY.PEEK[] for the message or the
// batch, each body into a spool of its own (memory up to a limit, then an
// unlinked temporary file), so the body is complete and its size checked
// against RFC822.SIZE before one byte reaches the target, and a big message
// costs no more memory than a small one. A lost connection is tried again
// over a new one as ImapSourceOptions::reconnect allows; the bytes of the
// broken try are dropped, never uploaded.
//
// Errors: core::ConnectionError (exit 3) for connect, TLS and login (a refused
// login is never tried again); core::SourceError with Folder scope for a
// folder the server will not open or read (deleted or renamed during the run),
// with Message scope for a message gone, renumbered (UIDVALIDITY changed
// since the scan) or of another size than announced.
//
// Not thread-safe; blocking, bounded by ConnectOptions::timeout per wait.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "mailferry/core/retry.hpp"
#include "mailferry/net/connection.hpp"
#include "mailferry/source/scan_cache.hpp"
#include "mailferry/source/source.hpp"

namespace mailferry::target {
class ImapTarget;
struct FolderSnapshot;
}  // namespace mailferry::target

namespace mailferry::source {

struct ImapSourceOptions {
  net::ConnectOptions connect;  // protocol Imap; implicit_tls for imaps://
  // How to get an authenticated connection; empty: net::Connection::open.
  std::function<std::unique_ptr<net::Connection>(const net::ConnectOptions&)> connector;
  // Take Gmail's All Mail, Starred and Important (see above) as folders too.
  bool include_virtual_folders = false;
  ScanCache* scan_cache = nullptr;           // not owned; nullptr: every folder read in full
  std::string spool_directory;               // empty: $TMPDIR, else /tmp
  std::size_t spool_memory_limit = 4 << 20;  // per message, before spilling to disk
  // A connection lost under a command that can simply go again, tried again
  // over a new one; what cannot heal (a refused login) never is.
  core::RetryPolicy reconnect;
};

class ImapSource final : public Source {
 public:
  // Connects and logs in (throws core::ConnectionError).
  explicit ImapSource(ImapSourceOptions options);
  ~ImapSource() override;

  std::string describe() const override;  // "imaps://alice@host:993"
  std::vector<SourceFolder> folders() override;
  void scan(const SourceFolder& folder, ScanSink& sink) override;
  std::unique_ptr<BodyReader> open(const SourceFolder& folder,
                                   const SourceMessage& message) override;
  // One UID FETCH for all of `messages` (of one folder).
  bool opens_in_batches() const override { return true; }
  void open_batch(const SourceFolder& folder, const std::vector<const SourceMessage*>& messages,
                  const EachOpened& each) override;
  std::vector<std::string> report_notes() override { return notes_; }

  // The UID of a scanned message in its folder.
  static std::uint32_t uid_of(const SourceMessage& message);
  // Folders read from the server (not replayed from the cache) so far.
  std::uint64_t folders_read() const { return read_; }

 private:
  // Reads `folder` from the server into `sink`; with `flags_before` (the last
  // scan's flags by key), each message's flags_removed. Returns what the
  // scan depends on (the folder's state when it was opened, before the read),
  // "" when it cannot be kept.
  std::string read_folder(const SourceFolder& folder, ScanSink& sink,
                          const std::unordered_map<std::string, core::Flags>* flags_before);
  // The scan kept under `key` (of folder state `known`) brought up to date:
  // only messages added since are fetched, and flags changed since
  // (CONDSTORE); false when the kept scan cannot be read.
  bool bring_up_to_date(const SourceFolder& folder, const std::string& key, const std::string& kept,
                        const target::FolderSnapshot& known, ScanSink& sink);

  ImapSourceOptions options_;
  std::unique_ptr<target::ImapTarget> account_;
  std::map<std::string, std::uint32_t> uidvalidity_;  // per folder locator, from its scan
  std::vector<std::string> notes_;
  std::uint64_t read_ = 0;
};

}  // namespace mailferry::source
