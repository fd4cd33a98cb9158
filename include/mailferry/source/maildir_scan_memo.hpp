// What a scan of one Maildir folder learnt from each file's contents, kept
// between runs so that a re-run reads only the files that are new or changed.
//
// A file is the one seen before when its unique name (the part before ":2,",
// which survives flag changes and the move from new/ to cur/), its size and
// its modification time (nanoseconds) are the same. Flags are not kept: they
// come from the file name, which is read on every scan anyway.
//
// The memo is kept through source/scan_cache.hpp's ScanCache in pieces of
// about 1 MB, replaced only when the scan found a file new, changed or gone:
// a re-run with nothing new writes nothing. The piece that says how many
// there are is removed first and written last, so a run killed while storing
// leaves nothing that could be mistaken for a whole memo.
//
// Errors: a damaged or foreign memo is ignored (every file is read again); a
// memo that cannot be stored is logged and dropped. Memory: the last scan's
// facts and this scan's, about 200 bytes a message. Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "mailferry/core/internal_date.hpp"
#include "mailferry/core/message_key.hpp"
#include "mailferry/source/scan_cache.hpp"

namespace mailferry::source {

struct MaildirFileFacts {
  std::uint64_t file_size = 0;
  std::int64_t mtime_ns = 0;
  std::uint64_t start = 0;  // first byte of the message in the file
  std::uint64_t size = 0;   // upload bytes (CRLF)
  core::MessageKey key;
  std::string message_id;
  core::InternalDate internal_date;
  bool requests_read_receipt = false;
};

class MaildirScanMemo {
 public:
  // Loads what was kept under `key` by a scan with the same `options` (what
  // else changes the facts, e.g. the header size cap); `cache` may be null.
  MaildirScanMemo(ScanCache* cache, std::string key, std::string options);

  // The facts kept for this file, or null when it is new or changed.
  const MaildirFileFacts* find(const std::string& unique, std::uint64_t file_size,
                               std::int64_t mtime_ns) const;
  // Keeps `facts` for the next run.
  void keep(const std::string& unique, const MaildirFileFacts& facts);
  // Stores what keep() received in this scan, when it differs from what was
  // kept before. Call once, after a complete scan.
  void store();

 private:
  bool load();
  ScanCache* cache_;
  std::string key_;
  std::string options_;
  std::unordered_map<std::string, MaildirFileFacts> previous_;
  std::vector<core::ByteWriter> next_ = std::vector<core::ByteWriter>(1);  // pieces of ~1 MB
  std::uint64_t next_entries_ = 0;
  bool changed_ = false;  // a file kept now is not one kept before
  bool stored_ = false;
};

}  // namespace mailferry::source
