// The folder plan against a live target: list, check, create before upload.
#include <map>
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

namespace {

void refuse_problems(const FolderLayout& plan) {
  if (!plan.ok())
    throw FolderPlanError("the folders cannot be placed as planned, so nothing was uploaded:\n" +
                          plan.problems());
}

}  // namespace

FolderLayout prepare_folders(const std::vector<source::SourceFolder>& sources,
                             target::Target& target, const MappingOptions& options, bool create) {
  const auto folders = target.list_folders();
  FolderLayout plan = make_plan(sources, folders, target.personal_namespace(), options);
  refuse_problems(plan);
  if (!create) return plan;
  std::set<std::string> done;  // created or refused
  std::map<std::string, std::string> refused;
  for (std::size_t i = 0; i < plan.assignments.size(); ++i) {
    const FolderAssignment& a = plan.assignments[i];
    if (a.exists || !done.insert(a.target).second) continue;
    try {
      target.create_folder(a.target, a.role);
    } catch (const core::ServerError& e) {
      if (e.scope() == core::ErrorScope::Account || e.scope() == core::ErrorScope::Fatal) throw;
      if (auto learned = target.namespace_after_refusal(a.target)) {
        // Every folder created before it was below INBOX, where the new
        // plan puts it too.
        plan = make_plan(sources, folders, *learned, options);
        refuse_problems(plan);
        i = static_cast<std::size_t>(-1);  // `a` went with the old plan
        continue;
      }
      refused[a.target] = e.what();
    }
  }
  plan.refused = std::move(refused);  // kept across a plan made again
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
