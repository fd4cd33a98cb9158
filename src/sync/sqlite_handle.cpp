#include "mailferry/sync/sqlite_handle.hpp"

#include <sqlite3.h>

namespace mailferry::sync {

void SqliteClose::operator()(sqlite3* db) const noexcept { sqlite3_close(db); }

void SqliteFinalize::operator()(sqlite3_stmt* statement) const noexcept {
  sqlite3_finalize(statement);
}

}  // namespace mailferry::sync
