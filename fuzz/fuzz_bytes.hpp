// Helpers for the fuzz targets that read files and message bytes: one
// in-memory file per process that each input is written into (no disk is
// touched), the CRLF form of bytes as the upload has it, a scan sink that
// keeps everything, and a message read back in pieces of changing sizes.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "mailferry/core/error.hpp"
#include "mailferry/mbox/transcoder.hpp"
#include "mailferry/source/source.hpp"

namespace mailferry::fuzz {

// Rewrites the process's in-memory file (memfd_create) to hold exactly
// `bytes` and returns its path (/proc/self/fd/N), valid for the whole run.
inline const std::string& memory_file(std::string_view bytes) {
  static const int fd = memfd_create("fuzz-input", 0);
  static const std::string path = "/proc/self/fd/" + std::to_string(fd);
  FUZZ_CHECK(fd >= 0, "memfd_create works");
  FUZZ_CHECK(ftruncate(fd, 0) == 0, "ftruncate works");
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = pwrite(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
    FUZZ_CHECK(n > 0, "pwrite works");
    done += static_cast<std::size_t>(n);
  }
  return path;
}

// `bytes` with every bare LF turned into CRLF, through the transcoder the
// sources use (no mbox quoting undone).
inline std::string to_crlf(std::string_view bytes) {
  std::string out;
  mbox::LineTranscoder transcoder(mbox::Quoting::None);
  auto append = [&](const char* data, std::size_t n) { out.append(data, n); };
  transcoder.feed(bytes, append);
  transcoder.finish(append);
  return out;
}

struct CollectingSink : source::ScanSink {
  std::vector<source::SourceMessage> messages;
  std::vector<core::ErrorRecord> errors;
  void message(source::SourceMessage m) override { messages.push_back(std::move(m)); }
  void error(core::ErrorRecord e) override { errors.push_back(std::move(e)); }
};

// Everything `reader` gives, asked for in pieces of 1, 4, 13, ... bytes, so
// that pieces end anywhere.
inline std::string read_in_pieces(core::BodyReader& reader) {
  std::string out;
  char buffer[4096];
  std::size_t want = 1;
  while (std::size_t n = reader.read(buffer, want)) {
    out.append(buffer, n);
    want = want * 3 % sizeof buffer + 1;
  }
  return out;
}

}  // namespace mailferry::fuzz
