// The state file names every correspondent's Message-ID domain: it and the
// files SQLite keeps beside it are for their owner's eyes only.
#pragma once

#include <string>

namespace mailferry::sync {

// Before SQLite opens `path`: creates its folder when it is missing (mode
// 0700; only the last level, so a mistyped path deep in nowhere still fails
// to open) and the file itself when it is missing (mode 0600, whatever the
// umask), and takes the group's and others' rights away from the file and
// its -wal, -shm and -journal companions where they have any. SQLite gives
// the companions it creates later the file's mode. An existing folder keeps
// its mode: it may be shared on purpose. Failures are left for SQLite's
// open to report.
void make_owner_only(const std::string& path);

}  // namespace mailferry::sync
