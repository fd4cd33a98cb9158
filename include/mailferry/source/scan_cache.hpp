// Scans kept between runs, for sources whose folders are files: an unchanged
// file (same device, inode, size, modification and change time) is not read
// again; its scan is replayed from the cache, errors and warnings included.
//
// A cached scan is stored in pieces of about 1 MB, so that neither recording
// nor replaying one holds more than a piece beyond what the sink keeps. The
// piece that names the file's identity is written last and removed first, so
// a run killed while storing leaves no scan that could be replayed.
//
// Errors: a damaged or foreign cache entry is not replayed (the file is
// scanned again); a cache that cannot be written is logged and ignored.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "mailferry/core/byte_codec.hpp"
#include "mailferry/source/source.hpp"

namespace mailferry::source {

// Where scans are kept (sync::StateStore implements it). Keys are opaque.
class ScanCache {
 public:
  virtual ~ScanCache() = default;
  virtual std::optional<std::string> load_scan(const std::string& key) = 0;
  virtual void store_scan(const std::string& key, std::string_view bytes) = 0;
  virtual void erase_scan(const std::string& key) = 0;
};

// The scans `inner` keeps, read and never replaced: the dry run's and
// check's. Their scans must not become what the next real run compares with
// (an IMAP source's flags removed since then would go unnoticed).
class ReadOnlyScanCache final : public ScanCache {
 public:
  explicit ReadOnlyScanCache(ScanCache& inner) : inner_(inner) {}
  std::optional<std::string> load_scan(const std::string& key) override {
    return inner_.load_scan(key);
  }
  void store_scan(const std::string&, std::string_view) override {}
  void erase_scan(const std::string&) override {}

 private:
  ScanCache& inner_;
};

// "dev ino size mtime ctime" (nanoseconds) of a file, plus `options` (what
// else changes a scan's result, e.g. the mbox variant); "" when it cannot be
// read. Two different contents never share one identity in practice: any
// write changes the change time.
std::string file_identity(const std::string& path, std::string_view options);

// Replays the scan kept under `key` into `sink` if it was made of a file
// with this identity; false (and nothing sent to the sink) otherwise.
// Warnings recorded with the scan are logged again and, when given, passed
// to `on_warning`.
bool replay_scan(ScanCache& cache, const std::string& key, std::string_view identity,
                 ScanSink& sink, const std::function<void(const std::string&)>& on_warning = {});

// The identity of the scan kept under `key`, whatever it is; nullopt when
// none is kept. replay_scan() with it replays the last scan, for sources that
// bring an old scan up to date instead of making a new one (IMAP).
std::optional<std::string> kept_identity(ScanCache& cache, const std::string& key);

// A ScanSink that passes everything on to `next` and records it; finish()
// stores the recording under `key` for `identity`.
class RecordingSink final : public ScanSink {
 public:
  RecordingSink(ScanCache& cache, std::string key, ScanSink& next);
  void message(SourceMessage message) override;
  void error(core::ErrorRecord error) override;
  // A warning that was logged during the scan: logged again on replay.
  void warning(const std::string& text);
  // Stores what was recorded; call once, after a complete scan.
  void finish(std::string_view identity);

 private:
  void flush_piece();
  ScanCache& cache_;
  std::string key_;
  ScanSink& next_;
  core::ByteWriter piece_;
  std::uint64_t pieces_ = 0;
  std::uint64_t entries_ = 0;
  bool failed_ = false;
};

}  // namespace mailferry::source
