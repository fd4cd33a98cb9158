// Message flags as mailferry carries them between sources and the IMAP target.
//
// The set is closed on purpose: these are the states every source can express
// and every user expects to survive a migration. System flags map to IMAP
// system flags; the rest are the well-known keywords ($Forwarded, $MDNSent).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

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
  constexpr void add(Flags other) { bits_ |= other.bits_; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr std::uint8_t bits() const { return bits_; }

  // Flags in `this` that `other` lacks.
  constexpr Flags minus(Flags other) const { return Flags(bits_ & ~other.bits_); }
  constexpr bool operator==(const Flags&) const = default;

  // Whether any flag needs a keyword (as opposed to a system flag).
  constexpr bool has_keywords() const { return has(Flag::Forwarded) || has(Flag::MdnSent); }
  constexpr Flags without_keywords() const {
    return Flags(bits_ & ~(static_cast<std::uint8_t>(Flag::Forwarded) |
                           static_cast<std::uint8_t>(Flag::MdnSent)));
  }

  // IMAP flag list without parentheses, e.g. "\Seen \Answered $Forwarded".
  std::string to_imap() const;
  // Adds the flag named by one IMAP flag token (case-insensitive); unknown ones are ignored.
  void add_imap_token(std::string_view token);

 private:
  std::uint8_t bits_ = 0;
};

}  // namespace mailferry::core
