// Fuzz target: the mbox reader (mbox/scanner.hpp, mbox/message_stream.hpp)
// and the mbox source built on it (source/mbox_source.hpp).
//
// Input: the file's bytes, then one byte choosing the variant and the header
// cap (last, so that mbox files work as seeds). The file is held in memory
// (memfd_create), so no disk is touched.
// Invariants checked, beyond "no crash":
//  - the scan does not depend on how the file is read: the smallest read
//    buffer (8 KiB) and one holding the whole input find the same messages;
//  - messages lie inside the file, in order, without overlapping;
//  - reading a message back yields exactly the size the scan announced, with
//    CRLF line ends only, and begins with the scanned header block;
//  - the scanner never reports its own "internal error";
//  - MboxSource over the same file announces sizes its readers keep.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_bytes.hpp"
#include "fuzz_check.hpp"
#include "mailferry/core/error.hpp"
#include "mailferry/core/log.hpp"
#include "mailferry/mbox/bookkeeping_filter.hpp"
#include "mailferry/mbox/message_stream.hpp"
#include "mailferry/mbox/scanner.hpp"
#include "mailferry/source/mbox_source.hpp"

namespace {

using namespace mailferry;
using fuzz::memory_file;

struct Collected : mbox::ScanHandler {
  std::vector<mbox::ScannedMessage> messages;
  std::vector<mbox::ScanProblem> problems;
  void message(mbox::ScannedMessage&& m) override { messages.push_back(std::move(m)); }
  void problem(mbox::ScanProblem&& p) override { problems.push_back(std::move(p)); }
};

bool same(const mbox::ScannedMessage& a, const mbox::ScannedMessage& b) {
  return a.ordinal == b.ordinal && a.offset == b.offset && a.length == b.length &&
         a.size == b.size && a.size_with_bookkeeping == b.size_with_bookkeeping &&
         a.from_line == b.from_line && a.header == b.header &&
         a.content_length_framed == b.content_length_framed;
}

std::string read_back(const std::string& path, const mbox::ScannedMessage& m, mbox::Quoting quoting,
                      std::uint64_t seed) {
  mbox::MessageStream stream(
      path, m.offset, m.length, quoting,
      m.content_length_framed ? mbox::Bookkeeping::DropAndContentLength : mbox::Bookkeeping::Drop);
  std::string out;
  char buffer[4096];
  std::uint64_t state = seed | 1;
  for (;;) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    const std::size_t want = 1 + static_cast<std::size_t>((state >> 33) % sizeof buffer);
    const std::size_t n = stream.read(buffer, want);
    FUZZ_CHECK(n <= want, "read() stays inside the buffer");
    if (n == 0) break;
    out.append(buffer, n);
    FUZZ_CHECK(out.size() <= m.size, "no more bytes than announced");
  }
  return out;
}

// The scanned header block as the upload carries it.
std::string without_bookkeeping(const mbox::ScannedMessage& m) {
  mbox::BookkeepingFilter filter(m.content_length_framed ? mbox::Bookkeeping::DropAndContentLength
                                                         : mbox::Bookkeeping::Drop);
  std::string out;
  auto append = [&](const char* data, std::size_t size) { out.append(data, size); };
  filter.feed(m.header, append);
  filter.finish(append);
  return out;
}

class CountingSink : public source::ScanSink {
 public:
  std::vector<source::SourceMessage> messages;
  std::size_t errors = 0;
  void message(source::SourceMessage m) override { messages.push_back(std::move(m)); }
  void error(core::ErrorRecord e) override {
    FUZZ_CHECK(!e.where.empty() && !e.message.empty(), "errors say where and what");
    ++errors;
  }
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  core::set_log_level(core::LogLevel::Error);  // warnings about odd messages are expected
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static constexpr mbox::Variant kVariants[] = {mbox::Variant::Auto, mbox::Variant::Mboxo,
                                                mbox::Variant::Mboxrd, mbox::Variant::Mboxcl,
                                                mbox::Variant::Mboxcl2};
  const std::uint8_t choice = data[size - 1];
  const std::string_view bytes(reinterpret_cast<const char*>(data), size - 1);
  const std::string& path = memory_file(bytes);

  mbox::ScanOptions options;
  options.variant = kVariants[choice % 5];
  if (choice & 0x80) options.max_header_bytes = 64;

  Collected small_buffer, large_buffer;
  options.buffer_size = 8 * 1024;
  mbox::scan_mbox_file(path, options, small_buffer);
  options.buffer_size = std::size_t{1} << 16;  // more than any input: the whole file at once
  mbox::scan_mbox_file(path, options, large_buffer);

  FUZZ_CHECK(small_buffer.messages.size() == large_buffer.messages.size(),
             "the read buffer size does not change the messages found");
  for (std::size_t i = 0; i < small_buffer.messages.size(); ++i)
    FUZZ_CHECK(same(small_buffer.messages[i], large_buffer.messages[i]),
               "the read buffer size does not change a message");

  for (const auto& p : large_buffer.problems) {
    FUZZ_CHECK(!p.text.empty(), "a problem says what");
    FUZZ_CHECK(p.text.find("internal error") == std::string::npos, "no internal error");
  }

  const mbox::Quoting quoting = mbox::quoting_of(options.variant);
  std::uint64_t previous_end = 0;
  std::uint64_t previous_ordinal = 0;
  // Reading back costs a file open and two buffers per message: the first
  // few messages of an input are enough to meet every code path.
  std::size_t read_back_budget = 12;
  for (const auto& m : large_buffer.messages) {
    FUZZ_CHECK(m.ordinal > previous_ordinal, "ordinals grow");
    FUZZ_CHECK(m.offset >= previous_end, "messages do not overlap and come in file order");
    FUZZ_CHECK(m.length > 0 && m.offset + m.length <= bytes.size(), "messages lie in the file");
    FUZZ_CHECK(m.from_line.rfind("From ", 0) == 0, "a message follows a From_ line");
    previous_end = m.offset + m.length;
    previous_ordinal = m.ordinal;

    if (read_back_budget == 0) continue;
    --read_back_budget;
    const std::string out = read_back(path, m, quoting, m.offset + choice);
    FUZZ_CHECK(out.size() == m.size, "a message yields exactly its announced size");
    FUZZ_CHECK(mailferry::fuzz::crlf_only(out), "upload bytes have CRLF line ends only");
    // The header block, without the store's bookkeeping fields, is the start
    // of the message; its closing empty line may be the separator's when
    // nothing follows the header.
    const std::string header = without_bookkeeping(m);
    const std::size_t common = std::min(out.size(), header.size());
    FUZZ_CHECK(out.compare(0, common, header, 0, common) == 0,
               "the message starts with its header block");
    FUZZ_CHECK(header.size() <= out.size() + 2, "the header block is not longer than the message");
  }

  // The same file through the source adapter the sync engine uses (on one
  // input in four: it scans again with its own 1 MiB buffer).
  if ((choice & 0x60) != 0) return 0;
  try {
    source::MboxSourceOptions source_options;
    source_options.variant = options.variant;
    source_options.max_header_bytes = options.max_header_bytes;
    source::MboxSource source(path, source_options);
    const auto folders = source.folders();
    FUZZ_CHECK(folders.size() == 1, "one file is one folder");
    CountingSink sink;
    source.scan(folders[0], sink);
    FUZZ_CHECK(sink.messages.size() == large_buffer.messages.size(),
               "the source finds what the scanner finds");
    for (const auto& m : sink.messages) {
      FUZZ_CHECK(!m.key.empty(), "every message has a key");
      if (m.ordinal > 12) continue;
      auto reader = source.open(folders[0], m);
      std::uint64_t total = 0;
      char buffer[8192];
      while (std::size_t n = reader->read(buffer, sizeof buffer)) total += n;
      FUZZ_CHECK(total == m.size, "the source's reader keeps the announced size");
    }
  } catch (const core::SourceError&) {
    FUZZ_CHECK(false, "an in-memory file is always readable");
  }
  return 0;
}
