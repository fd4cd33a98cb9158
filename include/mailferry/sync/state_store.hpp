// The per-job state store: one SQLite file per job, given by the caller.
//
// It is a cache and (later) a journal, never the truth: the truth is the
// target server, so deleting the file costs time on the next run, never a
// duplicate or a lost message (DESIGN.md, 3). It holds no secret: accounts are
// named like "pop3s://alice@host:995", passwords never reach it.
//
// Why SQLite rather than a file format of our own:
//  - atomic commits: a transaction is on disk entirely or not at all, even if
//    the process is killed or the machine loses power half-way (no hand-made
//    write-temp/fsync/rename dance, no half-written lines to recover);
//  - crash safety and recovery are done by a library tested far beyond what
//    this project could test; WAL mode keeps writes cheap and lets readers (a
//    `mailferry check` or a curious sqlite3 shell) look while a run writes;
//  - lookups by key without loading the file, so a mailbox of 100 000
//    messages costs no more memory than the rows a run touches;
//  - a schema with a version number that newer releases migrate, and a file
//    anyone can inspect with the sqlite3 tool.
//
// Tables (see kSchema in state_store.cpp for the exact definitions):
//  - pop3_messages: per POP3 account, UIDL -> what TOP told us (key, Message-ID,
//    size, INTERNALDATE), so that a run sends TOP only for new UIDLs;
//  - kv: a generic key/value table per namespace, for the other modules: the
//    upload journal, the target folder indexes (target_cache.hpp) and the
//    scans of unchanged source files (source/scan_cache.hpp).
//
// Errors: StateStoreError (exit code 2, account scope) naming the file, for a
// file that cannot be opened, is not a state file, comes from a newer
// mailferry, or cannot be written.
//
// Privacy: the file names every correspondent's Message-ID domain, so it and
// SQLite's -wal, -shm and -journal files are readable and writable by their
// owner only (0600; a looser existing file is tightened when opened, without
// a warning), and a folder the store creates for it is its owner's only
// (0700). An existing folder keeps its mode.
//
// Concurrency: one StateStore per thread; two processes on the same file wait
// for each other up to 10 s per transaction.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "mailferry/core/error.hpp"
#include "mailferry/source/pop3_source.hpp"
#include "mailferry/source/scan_cache.hpp"
#include "mailferry/sync/sqlite_handle.hpp"

namespace mailferry::sync {

class StateStoreError : public core::Error {
 public:
  explicit StateStoreError(const std::string& what)
      : core::Error(core::ErrorScope::Account, core::kExitUsage, what) {}
};

class StateStore final : public source::Pop3ScanCache, public source::ScanCache {
 public:
  static constexpr int kSchemaVersion = 3;

  // Opens the file, creating it (and its folder, when only the last level is
  // missing) and migrating an older schema as needed.
  explicit StateStore(std::string path);
  ~StateStore() override;
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  const std::string& path() const { return path_; }
  int schema_version() const;

  // A write transaction (BEGIN IMMEDIATE). Nothing is on disk until commit();
  // the destructor of an uncommitted transaction rolls back. Not nestable;
  // the single-statement calls below join an open transaction.
  class Transaction {
   public:
    explicit Transaction(StateStore& store);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

   private:
    StateStore& store_;
    bool open_ = true;
  };

  // POP3 scan cache (source::Pop3ScanCache).
  std::vector<source::Pop3CachedMessage> load_pop3(const std::string& account) override;
  void store_pop3(const std::string& account,
                  const std::vector<source::Pop3CachedMessage>& entries) override;
  void retain_pop3(const std::string& account, const std::vector<std::string>& present) override;
  // Records that the copy of `uidl` is confirmed in `target_folder` (for reports
  // and nightly runs); no effect for a UIDL the cache does not hold.
  void mark_pop3_confirmed(const std::string& account, const std::string& uidl,
                           const std::string& target_folder);

  // Scans of unchanged source files (source::ScanCache), in space "source-scan".
  std::optional<std::string> load_scan(const std::string& key) override;
  void store_scan(const std::string& key, std::string_view bytes) override;
  void erase_scan(const std::string& key) override;

  // Generic key/value per namespace ("target-index", "journal", ...).
  std::optional<std::string> get(std::string_view space, std::string_view key);
  void put(std::string_view space, std::string_view key, std::string_view value);
  // The same for binary values (any byte, NUL included), read back with get().
  void put_blob(std::string_view space, std::string_view key, std::string_view value);
  // put_blob() for what is only a cache (scans, target indexes): committed
  // without waiting for the disk (WAL, synchronous=NORMAL), so a power cut
  // may lose it but never damages the file; the next durable commit (the
  // journal's) makes it durable too. Outside a transaction only.
  void put_cache(std::string_view space, std::string_view key, std::string_view value);
  bool erase(std::string_view space, std::string_view key);
  std::vector<std::pair<std::string, std::string>> entries(std::string_view space);

 private:
  friend class Transaction;
  class Statement;
  void exec(const char* sql);
  [[noreturn]] void fail(const std::string& what) const;
  void migrate();

  std::string path_;
  SqliteDatabase db_;
  bool in_transaction_ = false;
  // Prepared statements by SQL text (string literals: their address is the
  // key). Declared after db_: they are finalized before it closes.
  struct CachedStatement {
    SqliteStatement stmt;
    bool busy = false;  // in use by a Statement: a nested use prepares its own
  };
  mutable std::unordered_map<const char*, CachedStatement> statements_;
};

}  // namespace mailferry::sync
