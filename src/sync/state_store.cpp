#include "mailferry/sync/state_store.hpp"

#include <sqlite3.h>

#include <ctime>

#include "owner_only_file.hpp"

namespace mailferry::sync {
namespace {

// Marks the file as ours ("MFRY"), so that a wrong --state path pointing at
// some other SQLite database is refused instead of written into.
constexpr int kApplicationId = 0x4D465259;

// Schema version 1. Later versions append steps to kMigrations; a file is
// brought forward one step at a time, each step in its own transaction.
constexpr const char* kSchemaV1 = R"sql(
-- What TOP told us about a POP3 message, so a later run need not ask again.
CREATE TABLE pop3_messages (
  account       TEXT    NOT NULL,            -- "pop3s://alice@host:995" (no secret)
  uidl          TEXT    NOT NULL,            -- the server's unique id (RFC 1939 UIDL)
  message_key   TEXT    NOT NULL,            -- diff key: "<id@host>" or "fp:<hex>"
  message_id    TEXT    NOT NULL,            -- Message-ID as found, for reports
  size          INTEGER NOT NULL,            -- octets of the CRLF message
  size_verified INTEGER NOT NULL,            -- 1: counted from a full RETR; 0: LIST's word
  internal_date INTEGER NOT NULL,            -- INTERNALDATE, UTC seconds
  date_offset   INTEGER NOT NULL,            -- its zone, minutes east of UTC
  read_receipt  INTEGER NOT NULL,            -- 1: has Disposition-Notification-To
  confirmed_in  TEXT    NOT NULL DEFAULT '', -- target folder holding a confirmed copy
  updated       INTEGER NOT NULL,            -- UTC seconds of the last write
  PRIMARY KEY (account, uidl)
) WITHOUT ROWID;

-- Anything else a module wants to keep per job, by namespace.
CREATE TABLE kv (
  space   TEXT    NOT NULL,
  key     TEXT    NOT NULL,
  value   BLOB    NOT NULL,
  updated INTEGER NOT NULL,
  PRIMARY KEY (space, key)
) WITHOUT ROWID;
)sql";

// Version 2: fingerprints leave the mbox store's bookkeeping fields (Status,
// X-Status, ...) out of the size they count. A POP3 message cached with a
// fingerprint of the old kind is asked for again (TOP) instead of trusted.
constexpr const char* kSchemaV2 = R"sql(
DELETE FROM pop3_messages WHERE message_key LIKE 'fp:%';
)sql";

// Version 3: the sender and subject that name a message in output lines.
// Rows cached before have none; such messages are named by date and
// Message-ID until the server's headers are read again.
constexpr const char* kSchemaV3 = R"sql(
ALTER TABLE pop3_messages ADD COLUMN sender TEXT NOT NULL DEFAULT '';
ALTER TABLE pop3_messages ADD COLUMN subject TEXT NOT NULL DEFAULT '';
)sql";

constexpr const char* kMigrations[] = {kSchemaV1, kSchemaV2, kSchemaV3};
static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) == StateStore::kSchemaVersion);

std::int64_t now() { return static_cast<std::int64_t>(std::time(nullptr)); }

}  // namespace

// One prepared statement. Statements are prepared once per store and SQL
// text, and reset for the next use: a journal or cache writes thousands of
// rows in a row, and preparing costs more than the write.
class StateStore::Statement {
 public:
  Statement(const StateStore& store, const char* sql) : store_(store) {
    auto& cached = store.statements_[sql];
    if (cached.stmt != nullptr && !cached.busy) {
      stmt_ = cached.stmt.get();
      cached_ = &cached;
      cached.busy = true;
      return;
    }
    sqlite3_stmt* prepared = nullptr;
    const int rc = sqlite3_prepare_v2(store.db_.get(), sql, -1, &prepared, nullptr);
    SqliteStatement owned(prepared);
    if (rc != SQLITE_OK) store.fail("cannot prepare a statement");
    stmt_ = prepared;
    if (cached.stmt == nullptr) {  // kept for next time
      cached.stmt = std::move(owned);
      cached.busy = true;
      cached_ = &cached;
    } else {
      own_ = std::move(owned);
    }
  }
  ~Statement() {
    if (cached_ == nullptr) return;  // own_ finalizes it
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    cached_->busy = false;
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int i, std::string_view text) {
    check(
        sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT));
    return *this;
  }
  Statement& bind_blob(int i, std::string_view bytes) {
    check(sqlite3_bind_blob64(stmt_, i, bytes.data(), bytes.size(), SQLITE_TRANSIENT));
    return *this;
  }
  Statement& bind(int i, std::int64_t value) {
    check(sqlite3_bind_int64(stmt_, i, value));
    return *this;
  }
  // True while a row is available.
  bool step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) store_.fail("cannot read or write");
    return false;
  }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::string text(int column) const {
    auto* p = reinterpret_cast<const char*>(sqlite3_column_blob(stmt_, column));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)))
             : std::string();
  }
  std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) store_.fail("cannot bind a value");
  }
  const StateStore& store_;
  sqlite3_stmt* stmt_ = nullptr;
  CachedStatement* cached_ = nullptr;  // null: prepared for this use only,
  SqliteStatement own_;                // and owned here
};

StateStore::StateStore(std::string path) : path_(std::move(path)) {
  make_owner_only(path_);
  sqlite3* opened = nullptr;
  const int rc =
      sqlite3_open_v2(path_.c_str(), &opened, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  db_.reset(opened);  // a handle comes back even when the open fails
  if (rc != SQLITE_OK)
    throw StateStoreError("state file " + path_ +
                          ": cannot open: " + (db_ ? sqlite3_errmsg(db_.get()) : "out of memory"));
  // On a throw below, the members close what was opened, statements first.
  // Another run of the same job (cron overlapping a manual run) waits instead of failing.
  sqlite3_busy_timeout(db_.get(), 10000);
  exec("PRAGMA journal_mode=WAL");
  exec("PRAGMA synchronous=FULL");
  exec("PRAGMA foreign_keys=ON");
  migrate();
}

StateStore::~StateStore() = default;

void StateStore::fail(const std::string& what) const {
  throw StateStoreError("state file " + path_ + ": " + what + ": " + sqlite3_errmsg(db_.get()) +
                        " (the file is only a cache: removing it makes the next run slower, "
                        "not wrong)");
}

void StateStore::exec(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : "unknown error";
    sqlite3_free(message);
    throw StateStoreError("state file " + path_ + ": " + text +
                          " (the file is only a cache: removing it makes the next run slower, "
                          "not wrong)");
  }
}

int StateStore::schema_version() const {
  Statement s(*this, "PRAGMA user_version");
  return s.step() ? static_cast<int>(s.integer(0)) : 0;
}

void StateStore::migrate() {
  Transaction t(*this);
  std::int64_t application_id = 0;
  bool empty = false;
  {  // statements that read the schema must be finished before it changes
    Statement app(*this, "PRAGMA application_id");
    application_id = app.step() ? app.integer(0) : 0;
    Statement tables(*this, "SELECT count(*) FROM sqlite_schema");
    empty = tables.step() && tables.integer(0) == 0;
  }
  int version = schema_version();

  if (application_id != kApplicationId && !(application_id == 0 && empty))
    throw StateStoreError("state file " + path_ +
                          ": is some other SQLite database, not a mailferry state file");
  if (version > kSchemaVersion)
    throw StateStoreError("state file " + path_ + ": written by a newer mailferry (schema " +
                          std::to_string(version) + ", this one knows " +
                          std::to_string(kSchemaVersion) + ")");
  // A current file is not written to: every run opens the store, and a
  // commit costs a wait for the disk.
  if (version == kSchemaVersion && application_id == kApplicationId) {
    t.commit();
    return;
  }
  for (; version < kSchemaVersion; ++version) exec(kMigrations[version]);
  exec(("PRAGMA application_id=" + std::to_string(kApplicationId)).c_str());
  exec(("PRAGMA user_version=" + std::to_string(kSchemaVersion)).c_str());
  t.commit();
}

StateStore::Transaction::Transaction(StateStore& store) : store_(store) {
  if (store_.in_transaction_)
    throw StateStoreError("state file " + store_.path_ + ": transactions do not nest (a bug)");
  store_.exec("BEGIN IMMEDIATE");
  store_.in_transaction_ = true;
}

StateStore::Transaction::~Transaction() {
  if (!open_) return;
  sqlite3_exec(store_.db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
  store_.in_transaction_ = false;
}

void StateStore::Transaction::commit() {
  store_.exec("COMMIT");
  store_.in_transaction_ = false;
  open_ = false;
}

std::vector<source::Pop3CachedMessage> StateStore::load_pop3(const std::string& account) {
  Statement s(*this,
              "SELECT uidl, message_key, message_id, size, size_verified, internal_date, "
              "date_offset, read_receipt, confirmed_in, sender, subject FROM pop3_messages "
              "WHERE account = ?1");
  s.bind(1, account);
  std::vector<source::Pop3CachedMessage> out;
  while (s.step()) {
    source::Pop3CachedMessage m;
    m.uidl = s.text(0);
    m.key.value = s.text(1);
    m.message_id = s.text(2);
    m.size = static_cast<std::uint64_t>(s.integer(3));
    m.size_verified = s.integer(4) != 0;
    m.internal_date.utc = static_cast<std::time_t>(s.integer(5));
    m.internal_date.offset_minutes = static_cast<int>(s.integer(6));
    m.requests_read_receipt = s.integer(7) != 0;
    m.confirmed_in = s.text(8);
    m.from = s.text(9);
    m.subject = s.text(10);
    out.push_back(std::move(m));
  }
  return out;
}

void StateStore::store_pop3(const std::string& account,
                            const std::vector<source::Pop3CachedMessage>& entries) {
  if (entries.empty()) return;
  std::optional<Transaction> t;
  if (!in_transaction_) t.emplace(*this);
  // An entry learnt again (a size corrected by RETR) keeps where it was confirmed.
  Statement s(*this,
              "INSERT INTO pop3_messages (account, uidl, message_key, message_id, size, "
              "size_verified, internal_date, date_offset, read_receipt, confirmed_in, updated, "
              "sender, subject) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) "
              "ON CONFLICT (account, uidl) DO UPDATE SET message_key = excluded.message_key, "
              "message_id = excluded.message_id, size = excluded.size, "
              "size_verified = excluded.size_verified, internal_date = excluded.internal_date, "
              "date_offset = excluded.date_offset, read_receipt = excluded.read_receipt, "
              "updated = excluded.updated, sender = excluded.sender, subject = excluded.subject");
  const std::int64_t stamp = now();
  for (const auto& e : entries) {
    s.bind(1, account).bind(2, e.uidl).bind(3, e.key.value).bind(4, e.message_id);
    s.bind(5, static_cast<std::int64_t>(e.size)).bind(6, std::int64_t{e.size_verified});
    s.bind(7, static_cast<std::int64_t>(e.internal_date.utc));
    s.bind(8, std::int64_t{e.internal_date.offset_minutes});
    s.bind(9, std::int64_t{e.requests_read_receipt}).bind(10, e.confirmed_in).bind(11, stamp);
    s.bind(12, e.from).bind(13, e.subject);
    s.step();
    s.reset();
  }
  if (t) t->commit();
}

void StateStore::retain_pop3(const std::string& account, const std::vector<std::string>& present) {
  std::optional<Transaction> t;
  if (!in_transaction_) t.emplace(*this);
  exec("CREATE TEMP TABLE IF NOT EXISTS present_uidl (uidl TEXT PRIMARY KEY) WITHOUT ROWID");
  exec("DELETE FROM temp.present_uidl");
  {
    Statement insert(*this, "INSERT OR IGNORE INTO temp.present_uidl (uidl) VALUES (?1)");
    for (const auto& uidl : present) {
      insert.bind(1, uidl);
      insert.step();
      insert.reset();
    }
  }
  Statement remove(*this,
                   "DELETE FROM pop3_messages WHERE account = ?1 AND uidl NOT IN "
                   "(SELECT uidl FROM temp.present_uidl)");
  remove.bind(1, account);
  remove.step();
  exec("DELETE FROM temp.present_uidl");
  if (t) t->commit();
}

void StateStore::mark_pop3_confirmed(const std::string& account, const std::string& uidl,
                                     const std::string& target_folder) {
  Statement s(*this,
              "UPDATE pop3_messages SET confirmed_in = ?3, updated = ?4 "
              "WHERE account = ?1 AND uidl = ?2");
  s.bind(1, account).bind(2, uidl).bind(3, target_folder).bind(4, now());
  s.step();
}

std::optional<std::string> StateStore::get(std::string_view space, std::string_view key) {
  Statement s(*this, "SELECT value FROM kv WHERE space = ?1 AND key = ?2");
  s.bind(1, space).bind(2, key);
  if (!s.step()) return std::nullopt;
  return s.text(0);
}

void StateStore::put(std::string_view space, std::string_view key, std::string_view value) {
  Statement s(*this,
              "INSERT INTO kv (space, key, value, updated) VALUES (?1, ?2, ?3, ?4) "
              "ON CONFLICT (space, key) DO UPDATE SET value = excluded.value, "
              "updated = excluded.updated");
  s.bind(1, space).bind(2, key).bind(3, value).bind(4, now());
  s.step();
}

void StateStore::put_blob(std::string_view space, std::string_view key, std::string_view value) {
  Statement s(*this,
              "INSERT INTO kv (space, key, value, updated) VALUES (?1, ?2, ?3, ?4) "
              "ON CONFLICT (space, key) DO UPDATE SET value = excluded.value, "
              "updated = excluded.updated");
  s.bind(1, space).bind(2, key).bind_blob(3, value).bind(4, now());
  s.step();
}

void StateStore::put_cache(std::string_view space, std::string_view key, std::string_view value) {
  if (in_transaction_) return put_blob(space, key, value);
  exec("PRAGMA synchronous=NORMAL");
  try {
    put_blob(space, key, value);
  } catch (...) {
    sqlite3_exec(db_.get(), "PRAGMA synchronous=FULL", nullptr, nullptr, nullptr);
    throw;
  }
  exec("PRAGMA synchronous=FULL");
}

std::optional<std::string> StateStore::load_scan(const std::string& key) {
  return get("source-scan", key);
}

void StateStore::store_scan(const std::string& key, std::string_view bytes) {
  put_cache("source-scan", key, bytes);
}

void StateStore::erase_scan(const std::string& key) { erase("source-scan", key); }

bool StateStore::erase(std::string_view space, std::string_view key) {
  Statement s(*this, "DELETE FROM kv WHERE space = ?1 AND key = ?2");
  s.bind(1, space).bind(2, key);
  s.step();
  return sqlite3_changes(db_.get()) > 0;
}

std::vector<std::pair<std::string, std::string>> StateStore::entries(std::string_view space) {
  Statement s(*this, "SELECT key, value FROM kv WHERE space = ?1 ORDER BY key");
  s.bind(1, space);
  std::vector<std::pair<std::string, std::string>> out;
  while (s.step()) out.emplace_back(s.text(0), s.text(1));
  return out;
}

}  // namespace mailferry::sync
