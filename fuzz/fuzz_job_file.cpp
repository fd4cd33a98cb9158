// Fuzz target: the job-file loader (job/job_file.hpp) and the endpoint URLs
// inside it (job/endpoint.hpp).
//
// Input: the text of a job file. Invariants checked, beyond "no crash":
//  - the only failure is core::UsageError (exit code 2), and its message
//    names the file, as every job-file error must;
//  - a loaded job is valid (validate_job accepts it again) and its target is
//    IMAP;
//  - job names are unique;
//  - every URL that loads gives an endpoint whose canonical text loads again
//    to the same endpoint (the text names state files and reports).
#include <cstdint>
#include <set>
#include <string>

#include "fuzz_check.hpp"
#include "mailferry/core/error.hpp"
#include "mailferry/job/endpoint.hpp"
#include "mailferry/job/job_file.hpp"

namespace {

using namespace mailferry;

constexpr const char* kOrigin = "fuzz-jobs.json";

void check_endpoint(const job::Endpoint& ep) {
  job::Endpoint again;
  try {
    again = job::parse_endpoint(ep.to_string(), "--from");
  } catch (const core::UsageError&) {
    // A user name with ':' or '/' after percent-decoding has no canonical
    // text; only the identity string is affected, never the connection.
    if (ep.user.find_first_of(":/") != std::string::npos) return;
    if (!ep.is_network() && ep.path.empty()) return;
    FUZZ_CHECK(false, "a loaded endpoint's canonical text loads again");
  }
  FUZZ_CHECK(again.scheme == ep.scheme, "canonical text keeps the scheme");
  if (ep.is_network()) {
    FUZZ_CHECK(again.effective_port() == ep.effective_port(), "canonical text keeps the port");
  } else {
    FUZZ_CHECK(again.path == ep.path, "canonical text keeps the path");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<job::Job> jobs;
  try {
    jobs = job::parse_job_text(text, kOrigin);
  } catch (const core::UsageError& e) {
    FUZZ_CHECK(std::string(e.what()).rfind(kOrigin, 0) == 0, "job-file errors name the file");
    FUZZ_CHECK(e.exit_code() == core::kExitUsage, "job-file errors are usage errors");
    return 0;
  }
  // Any other exception escapes and libFuzzer reports it as a crash.
  FUZZ_CHECK(!jobs.empty(), "a loaded file has jobs");
  std::set<std::string> names;
  for (const auto& j : jobs) {
    FUZZ_CHECK(names.insert(j.name).second, "job names are unique");
    FUZZ_CHECK(j.origin == kOrigin, "a job knows its file");
    FUZZ_CHECK(j.to.endpoint.is_imap(), "the target is IMAP");
    FUZZ_CHECK(!j.to_folder.empty(), "a target folder is named");
    job::validate_job(j);  // throws (escapes as a crash) if a loaded job is invalid
    check_endpoint(j.from.endpoint);
    check_endpoint(j.to.endpoint);
  }
  return 0;
}
