// Owning handles of the SQLite C objects, one type per handle: each is closed
// exactly once, by its destructor, on every path (a constructor that throws
// half-way included).
//
// Declare an SqliteStatement after the SqliteDatabase it was prepared on:
// members are destroyed in reverse order, and a database closes cleanly only
// once its statements are finalized.
#pragma once

#include <memory>

struct sqlite3;
struct sqlite3_stmt;

namespace mailferry::sync {

struct SqliteClose {
  void operator()(sqlite3* db) const noexcept;
};
struct SqliteFinalize {
  void operator()(sqlite3_stmt* statement) const noexcept;
};

using SqliteDatabase = std::unique_ptr<sqlite3, SqliteClose>;
using SqliteStatement = std::unique_ptr<sqlite3_stmt, SqliteFinalize>;

}  // namespace mailferry::sync
