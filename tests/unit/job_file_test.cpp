#include "mailferry/job/job_file.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "mailferry/core/error.hpp"

using namespace mailferry;

namespace {

std::string error_of(const std::string& text) {
  try {
    job::parse_job_text(text, "jobs.json");
  } catch (const core::UsageError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("job file: a full job is read with every key") {
  auto jobs = job::parse_job_text(R"({"jobs": [{
      "name": "alice",
      "from": {"url": "pop3s://alice@pop.example.com"},
      "to": {"url": "imaps://alice@imap.example.com", "password_file": "/etc/pw",
             "ca_file": "/etc/ca.pem"},
      "dry_run": true, "report": "r.json", "to_folder": "Archive", "mbox_format": "mboxrd",
      "only_role": "sent", "mark_read": false, "delete_after_copy": true, "keep_days": 7,
      "state": "/var/lib/mf/alice.db", "connections": 2}]})",
                                  "jobs.json");
  REQUIRE(jobs.size() == 1);
  const auto& j = jobs[0];
  CHECK(j.name == "alice");
  CHECK(j.from.endpoint.is_pop3());
  CHECK(j.to.password.file == "/etc/pw");
  CHECK(j.to.ca_file == "/etc/ca.pem");
  CHECK(j.dry_run);
  CHECK(j.report_path == "r.json");
  CHECK(j.to_folder == "Archive");
  CHECK(j.mbox_format == "mboxrd");
  CHECK(j.only_role == core::Role::Sent);
  CHECK_FALSE(j.mark_read);
  CHECK(j.delete_after_copy);
  CHECK(j.keep_days == 7);
  CHECK(j.state_path == "/var/lib/mf/alice.db");
  CHECK(j.connections == 2);
}

TEST_CASE("job file: a maildir job takes its layout, and an unknown layout is refused") {
  auto jobs = job::parse_job_text(R"({"jobs": [{"from": "maildir:/srv/Maildir",
      "to": "imaps://a@h", "maildir_layout": "fs"}]})",
                                  "jobs.json");
  REQUIRE(jobs.size() == 1);
  CHECK(jobs[0].from.endpoint.scheme == job::Scheme::Maildir);
  CHECK(jobs[0].maildir_layout == "fs");
  CHECK_THROWS_AS(job::parse_job_text(R"({"jobs": [{"from": "maildir:/m", "to": "imaps://a@h",
      "maildir_layout": "courier"}]})",
                                      "jobs.json"),
                  core::UsageError);
}

TEST_CASE("job file: defaults apply to every job and a job's own keys win") {
  auto jobs = job::parse_job_text(R"({"defaults": {"to": "imaps://x@h", "dry_run": true},
      "jobs": [{"from": "mbox:/a"}, {"name": "b", "from": "mbox:/b", "dry_run": false}]})",
                                  "jobs.json");
  REQUIRE(jobs.size() == 2);
  CHECK(jobs[0].name == "job 1");
  CHECK(jobs[0].dry_run);
  CHECK(jobs[1].name == "b");
  CHECK_FALSE(jobs[1].dry_run);
  CHECK(jobs[1].to.endpoint.host == "h");
}

TEST_CASE("job file: a syntax error names line and column") {
  auto what = error_of("{\n  \"jobs\": [\n    {\"from\": \"mbox:/a\",,}\n  ]\n}");
  CHECK(what.find("jobs.json") != std::string::npos);
  CHECK(what.find("line 3") != std::string::npos);
  CHECK(what.find("column") != std::string::npos);
}

TEST_CASE("job file: an unknown key is named with the closest known key") {
  auto what = error_of(
      R"({"jobs": [{"name": "a", "from": "mbox:/a", "to": "imaps://x@h", "dry-run": true}]})");
  CHECK(what.find("job 'a'") != std::string::npos);
  CHECK(what.find("'dry-run'") != std::string::npos);
  CHECK(what.find("did you mean 'dry_run'") != std::string::npos);
  auto nested = error_of(
      R"({"jobs": [{"from": "mbox:/a", "to": {"url": "imaps://x@h", "pasword_file": "p"}}]})");
  CHECK(nested.find("to.pasword_file") != std::string::npos);
  CHECK(nested.find("to.password_file") != std::string::npos);
}

TEST_CASE("job file: wrong types, missing keys and bad combinations are named") {
  CHECK(error_of(R"({"jobs": [{"from": "mbox:/a"}]})").find("'to'") != std::string::npos);
  CHECK(error_of(R"({"jobs": [{"from": "mbox:/a", "to": "imaps://x@h", "keep_days": "7"}]})")
            .find("keep_days") != std::string::npos);
  CHECK(
      error_of(R"({"jobs": [{"from": "mbox:/a", "to": "imaps://x@h", "delete_after_copy": true}]})")
          .find("POP3") != std::string::npos);
  CHECK(error_of(R"({"jobs": [{"from": "mbox:/a", "to": "mbox:/b"}]})").find("target") !=
        std::string::npos);
  CHECK(error_of(R"({"jobs": [{"from": "mbox:/a", "to": "imaps://x:pw@h"}]})").find("password") !=
        std::string::npos);
  CHECK(error_of(R"({"jobs": []})").find("empty") != std::string::npos);
  CHECK(error_of(R"({"jobs": [{"name": "a", "from": "mbox:/a", "to": "imaps://x@h"},
                              {"name": "a", "from": "mbox:/b", "to": "imaps://x@h"}]})")
            .find("unique") != std::string::npos);
  CHECK(error_of(R"({"jobs": [{"from": "mbox:/a", "to": {"url": "imaps://x@h",
            "password_file": "a", "password_env": "B"}}]})")
            .find("only one") != std::string::npos);
}

TEST_CASE("job file: a password file readable by others gets a warning") {
  char path[] = "/tmp/mailferry-pw-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  auto jobs = job::parse_job_text(
      std::string(
          R"({"jobs": [{"from": "mbox:/a", "to": {"url": "imaps://x@h", "password_file": ")") +
          path + "\"}}]}",
      "jobs.json");
  chmod(path, 0600);
  CHECK(job::permission_warnings("", jobs).empty());
  chmod(path, 0644);
  auto warnings = job::permission_warnings("", jobs);
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].find(path) != std::string::npos);
  std::remove(path);
}
