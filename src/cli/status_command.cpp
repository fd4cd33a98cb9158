#include "mailferry/cli/status_command.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "mailferry/cli/batch.hpp"
#include "mailferry/cli/batch_status.hpp"
#include "mailferry/core/error.hpp"
#include "mailferry/core/log.hpp"
#include "mailferry/job/accounts_file.hpp"
#include "mailferry/job/job_file.hpp"

namespace mailferry::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::optional<json> read_json(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  json document = json::parse(text.str(), nullptr, false);
  if (document.is_discarded()) return std::nullopt;
  return document;
}

bool is_report(const json& document) {
  return document.is_object() && document.contains("mailferry_version") &&
         document.contains("jobs") && document.at("jobs").is_array();
}

// A report file; nullopt for a file in a folder that is not one (a folder
// may hold other things), an error for a file named on the command line.
std::optional<ReportFile> read_report(const std::string& path, bool named) {
  auto document = read_json(path);
  if (!document || !is_report(*document)) {
    if (named)
      throw core::UsageError(path + ": not a mailferry report (the JSON that --report writes)");
    core::log_warn(path + ": not a mailferry report; left out");
    return std::nullopt;
  }
  ReportFile file;
  file.path = path;
  try {
    for (const auto& j : document->at("jobs")) file.jobs.push_back(job_report_from_json(j));
  } catch (const std::exception& e) {
    throw core::UsageError(path + ": a job of the report cannot be read: " + e.what());
  }
  return file;
}

std::vector<ReportFile> read_reports(const std::vector<std::string>& inputs) {
  std::vector<ReportFile> reports;
  for (const auto& input : inputs) {
    std::error_code error;
    if (fs::is_directory(input, error)) {
      // Every *.json below it, in name order: the order decides only between
      // entries that ended at the same millisecond.
      std::vector<std::string> files;
      for (auto it = fs::recursive_directory_iterator(input, error);
           !error && it != fs::recursive_directory_iterator(); it.increment(error))
        if (it->is_regular_file() && it->path().extension() == ".json")
          files.push_back(it->path().string());
      if (error) throw core::UsageError(input + ": cannot read the folder: " + error.message());
      std::sort(files.begin(), files.end());
      for (const auto& f : files)
        if (auto r = read_report(f, false)) reports.push_back(std::move(*r));
      continue;
    }
    if (!fs::exists(input, error))
      throw core::UsageError(input + ": no such report file or folder");
    if (auto r = read_report(input, true)) reports.push_back(std::move(*r));
  }
  return reports;
}

// A job file, as opposed to a report, given before the reports.
bool is_job_file(const std::string& path) {
  std::error_code error;
  if (fs::is_directory(path, error)) return false;
  auto document = read_json(path);
  return document && document->is_object() && !document->contains("mailferry_version") &&
         (document->contains("jobs") || document->contains("accounts") ||
          document->contains("defaults"));
}

}  // namespace

int run_status(const StatusOptions& o) {
  std::vector<std::string> inputs = o.inputs;
  std::string job_file;
  if (o.accounts.empty()) {
    if (inputs.empty())
      throw core::UsageError(
          "status: give the batch (a job file, or --accounts FILE.csv) and the "
          "reports of its shards");
    job_file = inputs.front();
    inputs.erase(inputs.begin());
  } else if (!inputs.empty() && is_job_file(inputs.front())) {
    job_file = inputs.front();  // its defaults and jobs, with --accounts' lines
    inputs.erase(inputs.begin());
  }
  if (inputs.empty())
    throw core::UsageError("status: give the reports of the batch's shards (files or folders)");
  const auto jobs = job_file.empty() ? job::load_accounts_file(o.accounts, json::object())
                                     : job::load_job_file(job_file, o.accounts);
  const auto reports = read_reports(inputs);
  const auto status = batch_status(job_file.empty() ? o.accounts : job_file, jobs, reports);
  const std::string text = o.json ? to_json(status).dump(2) + "\n" : status_text(status);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
  return status.all_complete() ? core::kExitComplete : core::kExitPartial;
}

}  // namespace mailferry::cli
