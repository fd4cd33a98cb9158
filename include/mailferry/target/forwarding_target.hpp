// The base of every Target wrapper: passes each call on to the wrapped
// target, features included, so that a wrapper overrides only what it
// changes and a call added to Target is forwarded here once, for all of
// them (a wrapper that forgot one would silently lose the inner target's
// ability, as a throttled job once lost its kept index).
#pragma once

#include <memory>

#include "mailferry/target/target.hpp"

namespace mailferry::target {

class ForwardingTarget : public Target {
 public:
  // Wraps `inner`, which must outlive the wrapper.
  explicit ForwardingTarget(Target& inner) : inner_(inner) {}
  // Wraps `inner` and owns it.
  explicit ForwardingTarget(std::unique_ptr<Target> inner)
      : owned_(std::move(inner)), inner_(*owned_) {}

  std::string describe() const override { return inner_.describe(); }
  TargetFeatures features() const override { return inner_.features(); }
  std::vector<TargetFolder> list_folders() override { return inner_.list_folders(); }
  TargetNamespace personal_namespace() override { return inner_.personal_namespace(); }
  std::optional<TargetNamespace> namespace_after_refusal(const std::string& name) override {
    return inner_.namespace_after_refusal(name);
  }
  void create_folder(const std::string& name, core::Role role) override {
    inner_.create_folder(name, role);
  }
  FolderSnapshot index_folder(const std::string& folder, bool read_only,
                              const std::function<void(TargetMessage)>& each) override {
    return inner_.index_folder(folder, read_only, each);
  }
  void append(const std::string& folder, const std::vector<AppendItem>& items,
              const std::function<void(std::size_t, const AppendOutcome&)>& done) override {
    inner_.append(folder, items, done);
  }
  FolderSnapshot status(const std::string& folder) override { return inner_.status(folder); }
  IndexResult index_folder_since(
      const std::string& folder, bool read_only, const FolderSnapshot& known,
      const std::function<void(TargetMessage)>& each,
      const std::function<void(std::uint32_t uid, core::Flags flags)>& flags_changed) override {
    return inner_.index_folder_since(folder, read_only, known, each, flags_changed);
  }
  std::optional<FolderSnapshot> snapshot_if_exactly(
      const std::string& folder, const std::vector<std::uint32_t>& uids) override {
    return inner_.snapshot_if_exactly(folder, uids);
  }
  void update_flags(const std::string& folder, const std::vector<FlagUpdate>& updates) override {
    inner_.update_flags(folder, updates);
  }

 protected:
  Target& inner() const { return inner_; }

 private:
  std::unique_ptr<Target> owned_;
  Target& inner_;
};

}  // namespace mailferry::target
