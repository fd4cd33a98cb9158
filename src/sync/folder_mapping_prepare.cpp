// The folder plan against a live target: list, check, create before upload.
#include <set>

#include "mailferry/sync/folder_mapping.hpp"

namespace mailferry::sync {

bool FolderLayout::ok() const {
  for (const auto& a : assignments)
    if (!a.problem.empty()) return false;
  return true;
}

std::string FolderLayout::problems() const {
  std::string out;
  std::set<std::string> seen;  // a collision names every folder once, not once per folder
  for (const auto& a : assignments) {
    if (a.problem.empty()) continue;
    std::string line = a.problem.find(" would all go into ") != std::string::npos
                           ? a.problem
                           : "folder \"" + a.source.display_name() + "\": " + a.problem;
    if (!seen.insert(line).second) continue;
    if (!out.empty()) out += "\n";
    out += line;
  }
  return out;
}

FolderLayout plan_folders(const std::vector<source::SourceFolder>& sources, target::Target& target,
                          const MappingOptions& options) {
  const auto folders = target.list_folders();
  return make_plan(sources, folders, target.personal_namespace(), options);
}

FolderLayout prepare_folders(const std::vector<source::SourceFolder>& sources,
                             target::Target& target, const MappingOptions& options, bool create) {
  FolderLayout plan = plan_folders(sources, target, options);
  if (!plan.ok())
    throw FolderPlanError("the folders cannot be placed as planned, so nothing was uploaded:\n" +
                          plan.problems());
  if (!create) return plan;
  std::set<std::string> done;
  std::string created;
  for (const auto& a : plan.assignments) {
    if (a.exists || !done.insert(a.target).second) continue;
    try {
      target.create_folder(a.target, a.role);
    } catch (const core::ServerError& e) {
      std::string message = std::string(e.what()) + "; nothing was uploaded";
      if (!created.empty()) message += " (folders created before it, left empty: " + created + ")";
      throw core::ServerError(core::ErrorScope::Account, message);
    }
    created += (created.empty() ? "\"" : ", \"") + a.target + "\"";
  }
  return plan;
}

std::vector<FolderAssignment> map_folders(const std::vector<source::SourceFolder>& sources,
                                          const std::vector<target::TargetFolder>& targets,
                                          const MappingOptions& options) {
  target::TargetNamespace ns;
  ns.delimiter = target_delimiter(targets);
  return make_plan(sources, targets, ns, options).assignments;
}

}  // namespace mailferry::sync
