#include "mailferry/target/target.hpp"

#include <strings.h>

namespace mailferry::target {

TargetNamespace Target::personal_namespace() {
  TargetNamespace ns;
  for (const auto& f : list_folders())
    if (strcasecmp(f.name.c_str(), "INBOX") == 0) ns.delimiter = f.delimiter;
  return ns;
}

FolderSnapshot Target::status(const std::string& folder) {
  return index_folder(folder, true, [](const TargetMessage&) {});
}

IndexResult Target::index_folder_since(const std::string& folder, bool read_only,
                                       const FolderSnapshot&,
                                       const std::function<void(TargetMessage)>& each,
                                       const std::function<void(std::uint32_t, core::Flags)>&) {
  return {index_folder(folder, read_only, each), IndexChange::Full};
}

std::optional<FolderSnapshot> Target::snapshot_if_exactly(const std::string&,
                                                          const std::vector<std::uint32_t>&) {
  return std::nullopt;
}

}  // namespace mailferry::target
