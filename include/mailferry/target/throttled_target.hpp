// A Target that paces the uploads of another (--max-bytes-per-second,
// --max-messages-per-second): each message waits for the message bucket
// before its body is opened, and each chunk of its body for the byte bucket
// as the inner target reads it, so the pace is that of the bytes on the wire.
// Everything else, features included, is the inner target's (see
// ForwardingTarget). Owns the inner target.
#pragma once

#include <memory>

#include "mailferry/core/throttle.hpp"
#include "mailferry/target/forwarding_target.hpp"

namespace mailferry::target {

class ThrottledTarget final : public ForwardingTarget {
 public:
  ThrottledTarget(std::unique_ptr<Target> inner, std::shared_ptr<core::Throttle> throttle);

  void append(const std::string& folder, const std::vector<AppendItem>& items,
              const std::function<void(std::size_t, const AppendOutcome&)>& done) override;

 private:
  std::shared_ptr<core::Throttle> throttle_;
};

}  // namespace mailferry::target
