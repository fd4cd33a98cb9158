#include "mailferry/target/dry_run_target.hpp"

namespace mailferry::target {

void DryRunTarget::create_folder(const std::string& name, core::Role) { created_.insert(name); }

FolderSnapshot DryRunTarget::index_folder(const std::string& folder, bool,
                                          const std::function<void(TargetMessage)>& each) {
  if (created_.count(folder) != 0) {
    // Exists only in the plan: empty, and a new folder takes keywords on
    // servers that allow them at all.
    FolderSnapshot empty;
    empty.keywords_allowed = true;
    return empty;
  }
  return inner().index_folder(folder, true, each);
}

FolderSnapshot DryRunTarget::status(const std::string& folder) {
  if (created_.count(folder) != 0) return FolderSnapshot{};
  return inner().status(folder);
}

void DryRunTarget::append(const std::string&, const std::vector<AppendItem>& items,
                          const std::function<void(std::size_t, const AppendOutcome&)>& done) {
  AppendOutcome ok;
  ok.ok = true;
  for (std::size_t i = 0; i < items.size(); ++i) done(i, ok);
}

void DryRunTarget::update_flags(const std::string&, const std::vector<FlagUpdate>&) {}

}  // namespace mailferry::target
