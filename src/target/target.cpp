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

}  // namespace mailferry::target
