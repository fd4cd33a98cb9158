// Fuzz target: account lists (job/accounts_file.hpp) and the CSV reader under
// them (job/csv.hpp).
//
// Input: the text of an account list, read as a file its owner alone can
// read (so password columns are allowed). Invariants checked, beyond "no
// crash":
//  - the only failure is core::UsageError (exit code 2), and its message
//    names the file, as every account-list error must;
//  - a loaded job is valid (validate_job accepts it again), its target is
//    IMAP, and it knows its file;
//  - job names are unique and never empty;
//  - a password value is held only by an endpoint that logs in (IMAP, POP3)
//    or a PST, and never together with another way of giving one.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "fuzz_check.hpp"
#include "mailferry/core/error.hpp"
#include "mailferry/job/accounts_file.hpp"
#include "mailferry/job/job_file.hpp"

namespace {

using namespace mailferry;

constexpr const char* kOrigin = "fuzz-accounts.csv";

void check_password(const job::EndpointConfig& ep) {
  const auto& p = ep.password;
  if (p.value.empty()) return;
  FUZZ_CHECK(ep.endpoint.is_network() || ep.endpoint.scheme == job::Scheme::Pst,
             "a password only where one is used");
  FUZZ_CHECK(p.file.empty() && p.env.empty() && p.command.empty() && !ep.oauth2(),
             "one way of giving a password");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<job::Job> jobs;
  try {
    jobs = job::parse_accounts_text(text, kOrigin, nlohmann::json::object(), true);
  } catch (const core::UsageError& e) {
    FUZZ_CHECK(std::string(e.what()).rfind(kOrigin, 0) == 0, "account-list errors name the file");
    FUZZ_CHECK(e.exit_code() == core::kExitUsage, "account-list errors are usage errors");
    return 0;
  }
  FUZZ_CHECK(!jobs.empty(), "a loaded list has jobs");
  std::set<std::string> names;
  for (const auto& j : jobs) {
    FUZZ_CHECK(!j.name.empty(), "every job has a name");
    FUZZ_CHECK(names.insert(j.name).second, "job names are unique");
    FUZZ_CHECK(j.origin == kOrigin, "a job knows its file");
    FUZZ_CHECK(j.to.endpoint.is_imap(), "the target is IMAP");
    job::validate_job(j);  // throws (escapes as a crash) if a loaded job is invalid
    check_password(j.from);
    check_password(j.to);
  }
  return 0;
}
