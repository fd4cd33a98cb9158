#include "mailferry/target/target.hpp"

#include <strings.h>

#include <stdexcept>

namespace mailferry::target {

TargetNamespace Target::personal_namespace() {
  TargetNamespace ns;
  for (const auto& f : list_folders())
    if (strcasecmp(f.name.c_str(), "INBOX") == 0) ns.delimiter = f.delimiter;
  return ns;
}

std::optional<TargetNamespace> Target::namespace_after_refusal(const std::string&) {
  return std::nullopt;
}

FolderSnapshot Target::status(const std::string& folder) {
  return index_folder(folder, true, [](const TargetMessage&) {});
}

// A call of an ability the target does not declare is a bug of the caller:
// it says so instead of quietly doing something slower.
IndexResult Target::index_folder_since(const std::string&, bool, const FolderSnapshot&,
                                       const std::function<void(TargetMessage)>&,
                                       const std::function<void(std::uint32_t, core::Flags)>&) {
  throw std::logic_error(describe() +
                         ": index_folder_since() without the incremental_index feature");
}

std::optional<FolderSnapshot> Target::snapshot_if_exactly(const std::string&,
                                                          const std::vector<std::uint32_t>&) {
  throw std::logic_error(describe() + ": snapshot_if_exactly() without the exact_snapshot feature");
}

}  // namespace mailferry::target
