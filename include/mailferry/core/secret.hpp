// A password or token. It cannot be printed, streamed or formatted by accident:
// the only way to the bytes is reveal(), which the connection layer calls when it
// hands the credential to libcurl. The memory is wiped on destruction.
#pragma once

#include <string>

namespace mailferry::core {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  Secret(const Secret&) = default;
  Secret& operator=(const Secret&) = default;
  Secret(Secret&&) noexcept = default;
  Secret& operator=(Secret&&) noexcept = default;
  ~Secret();

  bool empty() const { return value_.empty(); }
  const std::string& reveal() const { return value_; }

 private:
  std::string value_;
};

}  // namespace mailferry::core
