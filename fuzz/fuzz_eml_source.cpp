// Fuzz target: the eml source (source/eml_source.hpp) on one message file.
//
// Input: the file's bytes (held in an in-memory file, memfd_create).
// Invariants checked, beyond "no crash":
//  - the file yields one message or one error naming the file, never both
//    and never neither;
//  - a message's bytes are the file's bytes with bare LF turned into CRLF
//    (after a byte order mark and a From_ line, which are left out), exactly
//    `size` of them, read in pieces of any size;
//  - the key and INTERNALDATE are set; the error text says what is wrong.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_bytes.hpp"
#include "fuzz_check.hpp"
#include "mailferry/core/log.hpp"
#include "mailferry/source/eml_source.hpp"

namespace {

using namespace mailferry;
using fuzz::memory_file;
using fuzz::to_crlf;

// The file without what the source leaves out in front of the message.
std::string_view message_part(std::string_view file) {
  if (file.substr(0, 3) == "\xEF\xBB\xBF") file.remove_prefix(3);
  if (file.substr(0, 5) == "From ") {
    const std::size_t lf = file.find('\n');
    if (lf != std::string_view::npos && lf < 4096) file.remove_prefix(lf + 1);
  }
  return file;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  core::set_log_level(core::LogLevel::Error);  // NUL bytes and bad dates are expected
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const std::string& path = memory_file(bytes);

  source::EmlSourceOptions options;
  options.max_header_bytes = 4096;
  source::EmlSource source(path, options);
  const auto folders = source.folders();
  FUZZ_CHECK(folders.size() == 1, "a file is one folder");
  fuzz::CollectingSink sink;
  source.scan(folders[0], sink);
  FUZZ_CHECK(sink.messages.size() + sink.errors.size() == 1, "one file, one message or one error");
  for (const auto& e : sink.errors) {
    FUZZ_CHECK(e.where == path, "the error names the file");
    FUZZ_CHECK(!e.message.empty(), "the error says what is wrong");
    FUZZ_CHECK(e.scope == core::ErrorScope::Message, "a bad file is a bad message");
  }
  for (const auto& m : sink.messages) {
    FUZZ_CHECK(!m.key.empty(), "a message has a key");
    FUZZ_CHECK(m.ordinal == 1, "the first file is message 1");
    const std::string out = fuzz::read_in_pieces(*source.open(folders[0], m));
    FUZZ_CHECK(out.size() == m.size, "a message yields exactly its announced size");
    FUZZ_CHECK(out == to_crlf(message_part(bytes)), "a message is the file with CRLF line ends");
  }
  return 0;
}
