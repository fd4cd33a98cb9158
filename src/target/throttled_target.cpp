#include "mailferry/target/throttled_target.hpp"

namespace mailferry::target {
namespace {

class ThrottledReader final : public core::BodyReader {
 public:
  ThrottledReader(std::unique_ptr<core::BodyReader> inner, core::Throttle& throttle)
      : inner_(std::move(inner)), throttle_(throttle) {}
  std::size_t read(char* buffer, std::size_t capacity) override {
    const std::size_t n = inner_->read(buffer, capacity);
    throttle_.before_bytes(n);  // the bytes go out after this returns
    return n;
  }

 private:
  std::unique_ptr<core::BodyReader> inner_;
  core::Throttle& throttle_;
};

}  // namespace

ThrottledTarget::ThrottledTarget(std::unique_ptr<Target> inner,
                                 std::shared_ptr<core::Throttle> throttle)
    : ForwardingTarget(std::move(inner)), throttle_(std::move(throttle)) {}

void ThrottledTarget::append(const std::string& folder, const std::vector<AppendItem>& items,
                             const std::function<void(std::size_t, const AppendOutcome&)>& done) {
  std::vector<AppendItem> paced = items;
  for (auto& item : paced) {
    auto open = item.open_body;
    item.open_body = [open, throttle = throttle_]() -> std::unique_ptr<core::BodyReader> {
      throttle->before_message();
      return std::make_unique<ThrottledReader>(open(), *throttle);
    };
  }
  inner().append(folder, paced, done);
}

}  // namespace mailferry::target
