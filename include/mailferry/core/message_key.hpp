// The identity of a message for the diff: the normalized Message-ID, or, for a
// message without one, a fingerprint of stable header fields and the size
// (computed identically for source and target; see mime/message_key.hpp).
#pragma once

#include <functional>
#include <string>

namespace mailferry::core {

struct MessageKey {
  // "<local@domain>" for a Message-ID, "fp:<hex>" for a fingerprint.
  std::string value;

  bool is_fingerprint() const { return value.rfind("fp:", 0) == 0; }
  bool empty() const { return value.empty(); }
  bool operator==(const MessageKey&) const = default;
  auto operator<=>(const MessageKey&) const = default;
};

}  // namespace mailferry::core

template <>
struct std::hash<mailferry::core::MessageKey> {
  size_t operator()(const mailferry::core::MessageKey& k) const noexcept {
    return std::hash<std::string>{}(k.value);
  }
};
