// DryRunTarget: the dry run as another implementation of the Target seam.
// Reads go through to the wrapped target (indexing always read-only, with
// EXAMINE); writes are answered as if they had succeeded and never reach the
// server: create_folder remembers the name (indexing it then gives an empty
// folder), append reports every item as appended (uid 0), add_flags does nothing.
#pragma once

#include <set>
#include <string>

#include "mailferry/target/target.hpp"

namespace mailferry::target {

class DryRunTarget final : public Target {
 public:
  explicit DryRunTarget(Target& inner) : inner_(inner) {}

  std::string describe() const override { return inner_.describe(); }
  std::vector<TargetFolder> list_folders() override { return inner_.list_folders(); }
  TargetNamespace personal_namespace() override { return inner_.personal_namespace(); }
  void create_folder(const std::string& name, core::Role role) override;
  FolderSnapshot index_folder(const std::string& folder, bool read_only,
                              const std::function<void(TargetMessage)>& each) override;
  FolderSnapshot status(const std::string& folder) override;
  void append(const std::string& folder, const std::vector<AppendItem>& items,
              const std::function<void(std::size_t, const AppendOutcome&)>& done) override;
  void add_flags(const std::string& folder, const std::vector<FlagUpdate>& updates) override;

 private:
  Target& inner_;
  std::set<std::string> created_;  // folders a real run would have created
};

}  // namespace mailferry::target
