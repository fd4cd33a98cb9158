// The per-job SQLite state store: schema, POP3 scan cache, key/value, transactions.
#include "mailferry/sync/state_store.hpp"

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <filesystem>

#include "support/temp_dir.hpp"

using namespace mailferry;
using mailferry::testing::TempDir;

namespace {

source::Pop3CachedMessage entry(const std::string& uidl, std::uint64_t size) {
  source::Pop3CachedMessage m;
  m.uidl = uidl;
  m.key.value = "<" + uidl + "@example.org>";
  m.message_id = "<" + uidl + "@Example.org>";
  m.size = size;
  m.internal_date.utc = 1549102333;
  m.internal_date.offset_minutes = 60;
  m.requests_read_receipt = uidl == "b";
  m.from = "Sender " + uidl;
  m.subject = "Grüße " + uidl;
  return m;
}

// Makes a file of the current schema look like one of an older `version`:
// without the columns version 3 added, and with its number.
void downgrade(const std::string& path, int version) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  const std::string sql =
      "ALTER TABLE pop3_messages DROP COLUMN sender; "
      "ALTER TABLE pop3_messages DROP COLUMN subject; PRAGMA user_version=" +
      std::to_string(version);
  REQUIRE(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
}

}  // namespace

TEST_CASE("state store: a new file gets the schema, version and WAL mode") {
  TempDir dir;
  std::string path = dir.file("job.state");
  {
    sync::StateStore store(path);
    CHECK(store.schema_version() == sync::StateStore::kSchemaVersion);
  }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, nullptr);
  REQUIRE(sqlite3_step(s) == SQLITE_ROW);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, 0))) == "wal");
  sqlite3_finalize(s);
  sqlite3_close(db);
  // Re-opening an existing file keeps it.
  sync::StateStore again(path);
  CHECK(again.schema_version() == sync::StateStore::kSchemaVersion);
}

TEST_CASE(
    "state store: a version 1 file forgets POP3 fingerprints of the old kind, keeps the rest") {
  TempDir dir;
  std::string path = dir.file("job.state");
  {
    sync::StateStore store(path);
    auto by_id = entry("a", 100);
    auto by_fingerprint = entry("b", 200);
    by_fingerprint.key.value = "fp:0123456789abcdef";
    store.store_pop3("pop3s://alice@host:995", {by_id, by_fingerprint});
  }
  downgrade(path, 1);
  sync::StateStore store(path);
  CHECK(store.schema_version() == sync::StateStore::kSchemaVersion);
  auto kept = store.load_pop3("pop3s://alice@host:995");
  REQUIRE(kept.size() == 1);
  CHECK(kept[0].uidl == "a");
  CHECK(kept[0].from.empty());
}

TEST_CASE("state store: a version 2 file keeps its POP3 entries, with no sender or subject") {
  TempDir dir;
  std::string path = dir.file("job.state");
  {
    sync::StateStore store(path);
    store.store_pop3("pop3s://alice@host:995", {entry("a", 100)});
  }
  downgrade(path, 2);
  sync::StateStore store(path);
  auto kept = store.load_pop3("pop3s://alice@host:995");
  REQUIRE(kept.size() == 1);
  CHECK(kept[0].size == 100);
  CHECK(kept[0].from.empty());
  CHECK(kept[0].subject.empty());
}

TEST_CASE("state store: POP3 cache round trip, per account") {
  TempDir dir;
  std::string path = dir.file("job.state");
  {
    sync::StateStore store(path);
    store.store_pop3("pop3s://alice@host:995", {entry("a", 100), entry("b", 200)});
    store.store_pop3("pop3s://bob@host:995", {entry("a", 999)});
  }
  sync::StateStore store(path);
  auto alice = store.load_pop3("pop3s://alice@host:995");
  REQUIRE(alice.size() == 2);
  std::sort(alice.begin(), alice.end(), [](auto& x, auto& y) { return x.uidl < y.uidl; });
  CHECK(alice[0].uidl == "a");
  CHECK(alice[0].key.value == "<a@example.org>");
  CHECK(alice[0].message_id == "<a@Example.org>");
  CHECK(alice[0].size == 100);
  CHECK_FALSE(alice[0].size_verified);
  CHECK(alice[0].internal_date == core::InternalDate{1549102333, 60});
  CHECK_FALSE(alice[0].requests_read_receipt);
  CHECK(alice[1].requests_read_receipt);
  CHECK(alice[0].from == "Sender a");
  CHECK(alice[0].subject == "Grüße a");
  auto bob = store.load_pop3("pop3s://bob@host:995");
  REQUIRE(bob.size() == 1);
  CHECK(bob[0].size == 999);
  CHECK(store.load_pop3("pop3s://carol@host:995").empty());
}

TEST_CASE("state store: re-storing replaces and keeps the confirmation, retain prunes") {
  TempDir dir;
  sync::StateStore store(dir.file("job.state"));
  const std::string acct = "pop3://alice@host:110";
  store.store_pop3(acct, {entry("a", 100), entry("b", 200), entry("c", 300)});
  store.mark_pop3_confirmed(acct, "a", "INBOX");
  auto fixed = entry("a", 104);
  fixed.size_verified = true;
  store.store_pop3(acct, {fixed});
  store.retain_pop3(acct, {"a", "c", "z"});
  auto all = store.load_pop3(acct);
  REQUIRE(all.size() == 2);
  std::sort(all.begin(), all.end(), [](auto& x, auto& y) { return x.uidl < y.uidl; });
  CHECK(all[0].size == 104);
  CHECK(all[0].size_verified);
  CHECK(all[0].confirmed_in == "INBOX");
  CHECK(all[1].uidl == "c");
  // Another account is not pruned by this one's retain.
  store.store_pop3("other", {entry("b", 1)});
  store.retain_pop3(acct, {});
  CHECK(store.load_pop3(acct).empty());
  CHECK(store.load_pop3("other").size() == 1);
}

TEST_CASE("state store: key/value per namespace") {
  TempDir dir;
  sync::StateStore store(dir.file("job.state"));
  CHECK_FALSE(store.get("snap", "INBOX"));
  store.put("snap", "INBOX", "uidvalidity=7");
  store.put("snap", "Sent", std::string("bin\0ary", 7));
  store.put("other", "INBOX", "x");
  store.put("snap", "INBOX", "uidvalidity=8");
  CHECK(store.get("snap", "INBOX") == "uidvalidity=8");
  CHECK(store.get("snap", "Sent")->size() == 7);
  auto all = store.entries("snap");
  REQUIRE(all.size() == 2);
  CHECK(all[0].first == "INBOX");
  CHECK(store.erase("snap", "INBOX"));
  CHECK_FALSE(store.erase("snap", "INBOX"));
  CHECK(store.get("other", "INBOX") == "x");
}

TEST_CASE("state store: an uncommitted transaction leaves nothing behind") {
  TempDir dir;
  std::string path = dir.file("job.state");
  {
    sync::StateStore store(path);
    {
      sync::StateStore::Transaction t(store);
      store.put("kv", "a", "1");
      store.store_pop3("acct", {entry("a", 1)});
      // no commit: as if the process stopped here
    }
    {
      sync::StateStore::Transaction t(store);
      store.put("kv", "b", "2");
      t.commit();
    }
  }
  sync::StateStore store(path);
  CHECK_FALSE(store.get("kv", "a"));
  CHECK(store.get("kv", "b") == "2");
  CHECK(store.load_pop3("acct").empty());
}

TEST_CASE("state store: files that are not ours are refused with the path") {
  TempDir dir;
  auto garbage = dir.write_file("garbage.state", "this is not a database at all, just text\n");
  try {
    sync::StateStore store(garbage);
    FAIL("a text file must be refused");
  } catch (const sync::StateStoreError& e) {
    CHECK(std::string(e.what()).find(garbage) != std::string::npos);
    CHECK(e.exit_code() == core::kExitUsage);
  }
  // Some other application's SQLite database.
  std::string foreign = dir.file("foreign.db");
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(foreign.c_str(), &db) == SQLITE_OK);
  sqlite3_exec(db, "CREATE TABLE t (x)", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  CHECK_THROWS_AS(sync::StateStore{foreign}, sync::StateStoreError);
  // A newer schema than this build knows.
  std::string newer = dir.file("newer.state");
  { sync::StateStore store(newer); }
  REQUIRE(sqlite3_open(newer.c_str(), &db) == SQLITE_OK);
  sqlite3_exec(db, "PRAGMA user_version=99", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  CHECK_THROWS_WITH_AS(sync::StateStore{newer}, doctest::Contains("newer mailferry"),
                       sync::StateStoreError);
  // A directory that does not exist.
  CHECK_THROWS_AS(sync::StateStore{dir.file("no/such/dir/x.state")}, sync::StateStoreError);
}

TEST_CASE("state store: two handles on one file see each other's commits") {
  TempDir dir;
  std::string path = dir.file("job.state");
  sync::StateStore writer(path);
  sync::StateStore reader(path);
  writer.store_pop3("acct", {entry("a", 1)});
  CHECK(reader.load_pop3("acct").size() == 1);
}
