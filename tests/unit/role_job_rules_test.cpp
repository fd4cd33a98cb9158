// The job-file keys of the folder plan: map, include, exclude, prefix, merge,
// gmail_labels.
#include <doctest/doctest.h>

#include "mailferry/core/error.hpp"
#include "mailferry/job/job_file.hpp"

using namespace mailferry;

namespace {

std::string error_of(const std::string& job_keys) {
  try {
    job::parse_job_text(R"({"jobs": [{"from": "mbox:/x", "to": "imaps://a@h", )" + job_keys + "}]}",
                        "jobs.json");
  } catch (const core::UsageError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("job rules: folder keys are read") {
  auto jobs = job::parse_job_text(R"({"jobs": [{
      "from": "pst:/data/old.pst", "to": "imaps://a@h",
      "map": {"Sent Items": "\\Sent", "Projekte/Alt": "Archive/Projekte"},
      "include": "*", "exclude": ["Junk E-mail", "**/Privat"],
      "prefix": "Imported/2019 PST", "merge": true, "gmail_labels": "first"}]})",
                                  "jobs.json");
  REQUIRE(jobs.size() == 1);
  const auto& r = jobs[0].folder_rules;
  REQUIRE(r.map.size() == 2);
  // nlohmann keeps object keys sorted; the plan does not depend on the order.
  CHECK(r.map[0].source == "Projekte/Alt");
  CHECK(r.map[0].target == "Archive/Projekte");
  CHECK(r.map[1].source == "Sent Items");
  CHECK(r.map[1].target == "\\Sent");
  CHECK(r.include == std::vector<std::string>{"*"});
  CHECK(r.exclude == std::vector<std::string>{"Junk E-mail", "**/Privat"});
  CHECK(r.prefix == "Imported/2019 PST");
  CHECK(r.merge);
  CHECK(r.gmail_labels == core::GmailLabels::First);

  auto plain = job::parse_job_text(R"({"jobs": [{"from": "mbox:/x", "to": "imaps://a@h"}]})", "j");
  CHECK(plain[0].folder_rules.empty());
  CHECK(plain[0].folder_rules.gmail_labels == core::GmailLabels::Each);
}

TEST_CASE("job rules: bad values are named with the key") {
  CHECK(error_of(R"("map": ["a"])").find("key 'map': must be an object") != std::string::npos);
  CHECK(error_of(R"("map": {"a": 1})").find("key 'map.a': must be a target folder name") !=
        std::string::npos);
  CHECK(error_of(R"("map": {"a": ""})").find("key 'map.a': the target folder name is empty") !=
        std::string::npos);
  CHECK(error_of(R"("map": {"a": "\\Important"})").find("is not a role") != std::string::npos);
  CHECK(error_of(R"("include": 3)").find("key 'include'") != std::string::npos);
  CHECK(error_of(R"("exclude": [""])").find("key 'exclude': a pattern is empty") !=
        std::string::npos);
  CHECK(error_of(R"("merge": "yes")").find("key 'merge'") != std::string::npos);
  CHECK(error_of(R"("gmail_labels": "all")").find("must be each, first or ignore") !=
        std::string::npos);
  CHECK(error_of(R"("mapp": {})").find("did you mean 'map'") != std::string::npos);
}
