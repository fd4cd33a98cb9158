// A compact byte format for caches kept in the state store: unsigned LEB128
// varints and length-prefixed strings. Header-only; no I/O.
//
// ByteReader never reads past its input: a short or damaged input makes
// ok() false and every later read return zero or empty, so a decoder checks
// ok() once at the end and treats a damaged cache as no cache.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mailferry::core {

class ByteWriter {
 public:
  void varint(std::uint64_t n) {
    while (n >= 0x80) {
      out_ += static_cast<char>((n & 0x7f) | 0x80);
      n >>= 7;
    }
    out_ += static_cast<char>(n);
  }
  // Zig-zag, for values that may be negative (time zone offsets, times).
  void signed_varint(std::int64_t n) {
    varint((static_cast<std::uint64_t>(n) << 1) ^ static_cast<std::uint64_t>(n >> 63));
  }
  void bytes(std::string_view s) {
    varint(s.size());
    out_.append(s);
  }
  std::string& str() { return out_; }

 private:
  std::string out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}
  std::uint64_t varint() {
    std::uint64_t n = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (in_.empty()) return fail();
      const auto byte = static_cast<unsigned char>(in_.front());
      in_.remove_prefix(1);
      n |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return n;
    }
    return fail();
  }
  std::int64_t signed_varint() {
    const std::uint64_t z = varint();
    return static_cast<std::int64_t>(z >> 1) ^ -static_cast<std::int64_t>(z & 1);
  }
  std::string_view bytes() {
    const std::uint64_t n = varint();
    if (n > in_.size()) {
      fail();
      return {};
    }
    std::string_view out = in_.substr(0, static_cast<std::size_t>(n));
    in_.remove_prefix(static_cast<std::size_t>(n));
    return out;
  }
  bool ok() const { return ok_; }
  bool at_end() const { return in_.empty(); }

 private:
  std::uint64_t fail() {
    ok_ = false;
    in_ = {};
    return 0;
  }
  std::string_view in_;
  bool ok_ = true;
};

}  // namespace mailferry::core
