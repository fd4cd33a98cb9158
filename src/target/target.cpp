#include "mailferry/target/target.hpp"

namespace mailferry::target {

FolderSnapshot Target::status(const std::string& folder) {
  return index_folder(folder, true, [](const TargetMessage&) {});
}

}  // namespace mailferry::target
