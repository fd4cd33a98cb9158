// A Target that paces the uploads of another (--max-bytes-per-second,
// --max-messages-per-second): each message waits for the message bucket
// before its body is opened, and each chunk of its body for the byte bucket
// as the inner target reads it, so the pace is that of the bytes on the wire.
// Everything else is passed through unchanged (a virtual added to Target
// needs its forward here, or throttled jobs get the base's default). Owns the
// inner target.
#pragma once

#include <memory>

#include "mailferry/core/throttle.hpp"
#include "mailferry/target/target.hpp"

namespace mailferry::target {

class ThrottledTarget final : public Target {
 public:
  ThrottledTarget(std::unique_ptr<Target> inner, std::shared_ptr<core::Throttle> throttle);

  std::string describe() const override { return inner_->describe(); }
  std::vector<TargetFolder> list_folders() override { return inner_->list_folders(); }
  TargetNamespace personal_namespace() override { return inner_->personal_namespace(); }
  void create_folder(const std::string& name, core::Role role) override {
    inner_->create_folder(name, role);
  }
  FolderSnapshot index_folder(const std::string& folder, bool read_only,
                              const std::function<void(TargetMessage)>& each) override {
    return inner_->index_folder(folder, read_only, each);
  }
  FolderSnapshot status(const std::string& folder) override { return inner_->status(folder); }
  void append(const std::string& folder, const std::vector<AppendItem>& items,
              const std::function<void(std::size_t, const AppendOutcome&)>& done) override;
  void add_flags(const std::string& folder, const std::vector<FlagUpdate>& updates) override {
    inner_->add_flags(folder, updates);
  }

  Target& inner() { return *inner_; }

 private:
  std::unique_ptr<Target> inner_;
  std::shared_ptr<core::Throttle> throttle_;
};

}  // namespace mailferry::target
