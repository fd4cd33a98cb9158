#include "mailferry/sync/report.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "mailferry/cli/report_output.hpp"

using namespace mailferry;

TEST_CASE("report: JSON has the documented keys and the sync invariant holds") {
  sync::JobReport job;
  job.name = "a";
  sync::FolderReport f;
  f.source = "Inbox";
  f.target = "INBOX";
  f.counters.source = 10;
  f.counters.present = 6;
  f.counters.appended = 3;
  f.counters.failed = 1;
  f.counters.duplicates_in_source = 2;
  job.folders.push_back(f);
  job.add_error({core::ErrorScope::Message, "mbox:x message 4", "NO [TOOBIG] too big"}, 1);
  job.sum_folders();
  sync::RunReport run;
  run.jobs.push_back(job);
  auto j = cli::to_json(run);
  CHECK(j["dry_run"] == false);
  for (const char* key : {"source", "present", "appended", "flags_updated", "failed",
                          "duplicates_in_source", "missing"})
    CHECK(j["totals"].contains(key));
  CHECK(j["totals"]["source"] == j["totals"]["present"].get<int>() +
                                     j["totals"]["appended"].get<int>() +
                                     j["totals"]["failed"].get<int>());
  const auto& first = j["jobs"][0];
  CHECK(first["folders"][0]["source"] == "Inbox");
  CHECK(first["folders"][0]["target"] == "INBOX");
  CHECK(first["errors"][0]["scope"] == "message");
  CHECK(first["errors"][0]["where"] == "mbox:x message 4");
  CHECK(first["errors"][0]["message"] == "NO [TOOBIG] too big");
  // Each folder and error once, in its job: none repeated at the top.
  CHECK_FALSE(j.contains("folders"));
  CHECK_FALSE(j.contains("errors"));
  CHECK(run.exit_code() == 1);
}

TEST_CASE("report: the verdict says exactly what happened") {
  sync::JobReport job;
  sync::FolderReport f;
  f.counters.source = 4812;
  f.counters.present = 4100;
  f.counters.appended = 712;
  f.counters.flags_updated = 3;
  for (int i = 0; i < 12; ++i) job.folders.push_back(i == 0 ? f : sync::FolderReport{});
  job.sum_folders();
  CHECK(cli::verdict(job) ==
        "all 4,812 messages of 12 folders are on the server (4,100 already there, 712 added, 3 "
        "flags updated)");

  sync::JobReport check;
  check.check = true;
  sync::FolderReport g;
  g.counters.source = 5;
  g.counters.present = 3;
  g.counters.missing = 2;
  check.folders.push_back(g);
  check.sum_folders();
  CHECK(check.exit_code == 1);
  CHECK(cli::verdict(check) == "2 messages are missing on the server (3 of 5 present)");

  check.folders[0].counters.failed = 1;
  check.folders[0].counters.present = 2;
  check.sum_folders();
  CHECK(cli::verdict(check) ==
        "2 messages are missing on the server, 1 message could not be read (2 of 5 present)");

  sync::JobReport complete;
  complete.check = true;
  complete.folders = {g, g};
  for (auto& f : complete.folders) f.counters.present = 5, f.counters.missing = 0;
  complete.sum_folders();
  CHECK(cli::verdict(complete) == "all 10 messages of 2 folders are on the server");
}

TEST_CASE("report: verdicts take the singular for one, and say when there is nothing") {
  sync::JobReport job;
  sync::FolderReport sent;
  sent.counters.source = 1;
  sent.counters.appended = 1;
  sent.counters.flags_updated = 1;
  sent.counters.duplicates_in_source = 1;
  job.folders = {sent};
  job.sum_folders();
  CHECK(cli::verdict(job) ==
        "all 1 message of 1 folder is on the server (0 already there, 1 added, 1 flag updated, 1 "
        "duplicate in the source)");

  sync::JobReport check;
  check.check = true;
  sent.counters.present = 1;
  sent.counters.appended = 0;
  check.folders = {sent};
  check.sum_folders();
  CHECK(cli::verdict(check) == "all 1 message of 1 folder is on the server");

  sync::JobReport empty;
  empty.folders = {sync::FolderReport{}};
  empty.sum_folders();
  CHECK(cli::verdict(empty) == "the source holds no messages (1 folder)");
  empty.folders.clear();
  empty.check = true;
  CHECK(cli::verdict(empty) == "the source holds no messages");
  // Refused as empty (exit 4, no error record): the verdict still says why.
  empty.check = false;
  empty.exit_code = core::kExitSource;
  CHECK(cli::verdict(empty) == "the source holds no messages");
}

TEST_CASE("report: an account error raises the exit code to its own") {
  sync::JobReport job;
  job.add_error({core::ErrorScope::Account, "imaps://a@h", "login failed"}, core::kExitConnection);
  job.sum_folders();
  CHECK(job.exit_code == core::kExitConnection);
  CHECK(cli::verdict(job).find("stopped: login failed") == 0);
}

TEST_CASE("report: a job that stopped never exits 0") {
  sync::JobReport job;
  job.add_error({core::ErrorScope::Account, "imaps://a@h", "stopped for a reason"},
                core::kExitComplete);
  job.sum_folders();
  CHECK(job.exit_code == core::kExitPartial);
  CHECK(cli::verdict(job).find("stopped: stopped for a reason") == 0);
}

TEST_CASE("report: a full quota stops the job, and the verdict counts what was never tried") {
  sync::JobReport job;
  sync::FolderReport inbox;
  inbox.source = "INBOX";
  inbox.target = "INBOX";
  inbox.counters.source = 45;
  inbox.counters.present = 2;
  inbox.counters.appended = 10;
  inbox.counters.failed = 1;  // the message the server refused for the quota
  job.folders = {inbox};
  job.add_error({core::ErrorScope::Account, "mbox -> imaps://full@h",
                 "NO [OVERQUOTA] Quota exceeded (mailbox for user is full)"},
                core::kExitPartial);
  job.sum_folders();
  const std::string v = cli::verdict(job);
  INFO(v);
  CHECK(v.find("stopped: NO [OVERQUOTA] Quota exceeded") == 0);
  CHECK(v.find("10 added") != std::string::npos);
  CHECK(v.find("1 failed") != std::string::npos);
  CHECK(v.find("32 not tried") != std::string::npos);
  CHECK(v.find("are on the server") == std::string::npos);
}
