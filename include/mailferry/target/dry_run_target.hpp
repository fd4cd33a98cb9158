// DryRunTarget: the dry run as another implementation of the Target seam.
// Reads go through to the wrapped target (indexing always read-only, with
// EXAMINE); writes are answered as if they had succeeded and never reach the
// server: create_folder remembers the name (indexing it then gives an empty
// folder), append reports every item as appended (uid 0) without opening a
// body, update_flags does nothing.
//
// It declines the optional features: a dry run keeps no index for the next
// run (it writes no state at all), so it has nothing to compare or confirm.
#pragma once

#include <set>
#include <string>

#include "mailferry/target/forwarding_target.hpp"

namespace mailferry::target {

class DryRunTarget final : public ForwardingTarget {
 public:
  explicit DryRunTarget(Target& inner) : ForwardingTarget(inner) {}

  TargetFeatures features() const override { return {}; }
  // Declined, not forwarded: Target's own versions say they were not declared.
  IndexResult index_folder_since(
      const std::string& folder, bool read_only, const FolderSnapshot& known,
      const std::function<void(TargetMessage)>& each,
      const std::function<void(std::uint32_t uid, core::Flags flags)>& flags_changed) override {
    return Target::index_folder_since(folder, read_only, known, each, flags_changed);
  }
  std::optional<FolderSnapshot> snapshot_if_exactly(
      const std::string& folder, const std::vector<std::uint32_t>& uids) override {
    return Target::snapshot_if_exactly(folder, uids);
  }
  void create_folder(const std::string& name, core::Role role) override;
  FolderSnapshot index_folder(const std::string& folder, bool read_only,
                              const std::function<void(TargetMessage)>& each) override;
  FolderSnapshot status(const std::string& folder) override;
  void append(const std::string& folder, const std::vector<AppendItem>& items,
              const std::function<void(std::size_t, const AppendOutcome&)>& done) override;
  void update_flags(const std::string& folder, const std::vector<FlagUpdate>& updates) override;

 private:
  std::set<std::string> created_;  // folders a real run would have created
};

}  // namespace mailferry::target
