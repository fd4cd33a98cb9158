// Message flags as mailferry carries them between sources and the IMAP target.
//
// The system flags and the well-known keywords every source can express
// ($Forwarded, $MDNSent) are bits. Any other keyword a source has (an IMAP
// account's "$label1", "Work", "NonJunk") travels too, as the source spelled
// it: keywords are compared ignoring case, as IMAP does. Sets of such
// keywords are interned process-wide, so a Flags stays a small value that
// copies like an integer, however many messages carry it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mailferry/core/byte_codec.hpp"

namespace mailferry::core {

enum class Flag : std::uint8_t {
  Seen = 1 << 0,
  Answered = 1 << 1,
  Flagged = 1 << 2,
  Deleted = 1 << 3,
  Draft = 1 << 4,
  Forwarded = 1 << 5,  // keyword $Forwarded
  MdnSent = 1 << 6,    // keyword $MDNSent: a read receipt was sent or must not be
};

class Flags {
 public:
  constexpr Flags() = default;
  constexpr explicit Flags(std::uint8_t bits) : bits_(bits) {}
  constexpr Flags(Flag f) : bits_(static_cast<std::uint8_t>(f)) {}  // NOLINT: implicit by design

  constexpr bool has(Flag f) const { return bits_ & static_cast<std::uint8_t>(f); }
  constexpr void add(Flag f) { bits_ |= static_cast<std::uint8_t>(f); }
  void add(Flags other);
  constexpr bool empty() const { return bits_ == 0 && others_ == 0; }
  // The system flags and well-known keywords, without other keywords.
  constexpr std::uint8_t bits() const { return bits_; }

  // Keywords beyond $Forwarded and $MDNSent, sorted ignoring case.
  const std::vector<std::string>& other_keywords() const;
  // Adds a keyword (an IMAP atom that does not start with '\'); false, and
  // nothing added, for anything else.
  bool add_keyword(std::string_view keyword);

  // Flags in `this` that `other` lacks.
  Flags minus(Flags other) const;
  constexpr Flags without(Flag f) const {
    Flags out = *this;
    out.bits_ &= static_cast<std::uint8_t>(~static_cast<std::uint8_t>(f));
    return out;
  }
  constexpr bool operator==(const Flags&) const = default;

  // Whether any flag needs a keyword (as opposed to a system flag).
  constexpr bool has_keywords() const {
    return has(Flag::Forwarded) || has(Flag::MdnSent) || others_ != 0;
  }
  constexpr Flags without_keywords() const {
    return Flags(bits_ & ~(static_cast<std::uint8_t>(Flag::Forwarded) |
                           static_cast<std::uint8_t>(Flag::MdnSent)));
  }

  // IMAP flag list without parentheses, e.g. "\Seen \Answered $Forwarded Work".
  std::string to_imap() const;
  // Adds the flag named by one IMAP flag token (case-insensitive): a system
  // flag mailferry carries, or a keyword. \Recent and unknown system flags
  // are ignored.
  void add_imap_token(std::string_view token);

  // For state files: the bits, then the other keywords where there are any.
  // A value written before keywords were kept (a single number below 128)
  // reads as the same flags.
  void write(ByteWriter& out) const;
  static Flags read(ByteReader& in);

 private:
  std::uint8_t bits_ = 0;
  std::uint32_t others_ = 0;  // interned set of other keywords; 0: none
};

}  // namespace mailferry::core
