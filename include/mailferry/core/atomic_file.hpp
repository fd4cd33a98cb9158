// A file that appears whole or not at all: written to a temporary file beside
// the destination, and only commit() makes it the destination (fsync of the
// data, rename over the old file, fsync of the directory, so the new name
// survives a power cut). The destructor never commits: an AtomicFile that goes
// away without commit() (an exception, an early return) removes its temporary
// file and leaves the destination as it was.
//
// For plain files mailferry writes (the JSON report). The state store does not
// need it: SQLite's write-ahead log gives the same guarantee per transaction.
//
// Errors: std::system_error naming the path and the errno text. Blocking; not
// thread-safe (one writer per object).
#pragma once

#include <string>
#include <string_view>

namespace mailferry::core {

class AtomicFile {
 public:
  // Creates the temporary file "<path>.tmp.<pid>.<n>" in the destination's
  // directory (mode 0666 less the umask, as a plain open would give).
  explicit AtomicFile(std::string path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  const std::string& path() const { return path_; }
  // Appends bytes to the temporary file.
  void write(std::string_view bytes);
  // Makes the written bytes the destination file, durably. Once only.
  void commit();

 private:
  void discard() noexcept;
  std::string path_;
  std::string temp_;
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace mailferry::core
