#include "mailferry/source/file_message.hpp"

#include <charconv>
#include <system_error>

#include "mailferry/core/error.hpp"
#include "mailferry/mbox/message_stream.hpp"
#include "mailferry/mbox/status_flags.hpp"
#include "mailferry/mime/display_text.hpp"
#include "mailferry/mime/message_key.hpp"

namespace fs = std::filesystem;

namespace mailferry::source {
namespace {

class SizedBodyReader : public BodyReader {
 public:
  SizedBodyReader(const fs::path& file, std::uint64_t start, std::uint64_t length,
                  mbox::Quoting quoting, mbox::Bookkeeping bookkeeping, std::uint64_t expected,
                  std::string where)
      : stream_(file, start, length, quoting, bookkeeping),
        expected_(expected),
        where_(std::move(where)) {}

  std::size_t read(char* buffer, std::size_t capacity) override {
    std::size_t n = stream_.read(buffer, capacity);
    if ((n == 0 && produced_ != expected_) || produced_ + n > expected_)
      throw core::SourceError(where_ + ": the file changed since it was scanned (message size " +
                                  std::to_string(expected_) + " no longer matches)",
                              core::ErrorScope::Message);
    produced_ += n;
    return n;
  }

 private:
  mbox::MessageStream stream_;
  std::uint64_t expected_;
  std::uint64_t produced_ = 0;
  std::string where_;
};

}  // namespace

bool is_single_file_path(std::string_view scheme, const fs::path& path) {
  const std::string name = std::string(scheme) + ":" + path.string();
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st))
    throw core::SourceError(name + ": " +
                            (ec ? ec.message() : std::string("no such file or directory")));
  if (fs::is_regular_file(st)) return true;
  if (!fs::is_directory(st)) throw core::SourceError(name + ": neither a file nor a directory");
  return false;
}

std::string byte_range_text(std::uint64_t start, std::uint64_t length) {
  return std::to_string(start) + "+" + std::to_string(length);
}

std::size_t parse_byte_range(std::string_view text, std::uint64_t& start, std::uint64_t& length) {
  const char* begin = text.data();
  const char* end = begin + text.size();
  auto r1 = std::from_chars(begin, end, start);
  if (r1.ec != std::errc{} || r1.ptr == end || *r1.ptr != '+') return 0;
  auto r2 = std::from_chars(r1.ptr + 1, end, length);
  if (r2.ec != std::errc{}) return 0;
  return static_cast<std::size_t>(r2.ptr - begin);
}

std::string file_range_locator(std::uint64_t start, std::uint64_t length, const std::string& file) {
  return byte_range_text(start, length) + ":" + file;
}

bool parse_file_range_locator(const std::string& locator, std::uint64_t& start,
                              std::uint64_t& length, std::string& file) {
  const std::size_t used = parse_byte_range(locator, start, length);
  if (used == 0 || used == locator.size() || locator[used] != ':') return false;
  file.assign(locator, used + 1);
  return !file.empty();
}

SourceMessage message_from_header(const mime::HeaderFields& fields, std::uint64_t size,
                                  std::uint64_t size_with_bookkeeping) {
  SourceMessage m;
  m.key = mime::message_key(fields, size_with_bookkeeping);
  m.message_id = fields.message_id;
  m.flags = mbox::flags_from_status_headers(fields);
  m.size = size;
  m.requests_read_receipt = fields.has_disposition_notification_to;
  m.from = mime::display_sender(fields.from);
  m.subject = mime::display_subject(fields.subject);
  return m;
}

std::unique_ptr<BodyReader> open_file_range(const fs::path& file, std::uint64_t start,
                                            std::uint64_t length, mbox::Quoting quoting,
                                            mbox::Bookkeeping bookkeeping, std::uint64_t expected,
                                            std::string where) {
  return std::make_unique<SizedBodyReader>(file, start, length, quoting, bookkeeping, expected,
                                           std::move(where));
}

}  // namespace mailferry::source
