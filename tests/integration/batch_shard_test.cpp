// A batch of six mailboxes split into three shards, run as three separate
// processes at once, as three machines of a scheduler would. One shard
// (with --parallel 2) is killed with SIGKILL while it uploads, its workers
// must die with it, and it is run again. In the end every mailbox is
// complete and holds no message twice, as an independent IMAP client sees it.
#include <doctest/doctest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "mailferry/cli/batch.hpp"
#include "support/dovecot_server.hpp"
#include "support/event_process.hpp"
#include "support/imap_snapshot.hpp"
#include "support/json_schema.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

using namespace mailferry;
using namespace mailferry::testing;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string kCorpus = std::string(MAILFERRY_CORPUS_DIR) + "/mbox/";
const std::string kSource = std::string(MAILFERRY_SOURCE_DIR) + "/";
const std::string kExamples = kSource + "examples/";

}  // namespace

TEST_CASE(
    "batch: six mailboxes in three shards, one shard killed and run again, nothing missing or "
    "doubled") {
  DovecotServer server;
  TempDir dir;
  const std::map<std::string, std::string> sources{
      {"alice", "mbox:" + kCorpus + "linux-samsung-soc-2020-2000msgs.mboxrd"},
      {"bob", "mbox:" + kCorpus + "content-length.mbox.txt"},
      {"carol", "mbox:" + kExamples + "thunderbird/Local Folders"},
      {"dave", "mbox:" + kCorpus + "mbox.src"},
      {"erin", "mbox:" + kCorpus + "mailarc-1.txt"},
      {"frank", "mbox:" + kCorpus + "malformed.txt"}};
  json jobs = json::array();
  for (const auto& [name, from] : sources)
    jobs.push_back({{"name", name},
                    {"from", from},
                    {"to",
                     {{"url", server.url("imaps", name)},
                      {"password_file", server.password_file()},
                      {"ca_file", server.ca_file()}}},
                    {"state", dir.file("state/" + name + ".db")}});
  const std::string job_file = dir.write_file("batch.json", json{{"jobs", jobs}}.dump(2));

  const unsigned kShards = 3;
  const unsigned killed = cli::shard_of("alice", kShards);  // the shard with the 2,000 messages
  auto shard_args = [&](unsigned k) {
    return std::vector<std::string>{
        "sync",       "--shard", std::to_string(k) + "/" + std::to_string(kShards),
        "--parallel", "2",       "--log-format",
        "json",       job_file};
  };
  std::map<unsigned, std::set<std::string>> members;
  for (const auto& [name, from] : sources) members[cli::shard_of(name, kShards)].insert(name);
  REQUIRE(members[killed].size() >= 2);

  // Three shards at once; the one with alice is killed once alice's uploads are under way.
  std::vector<std::future<CommandResult>> others;
  for (unsigned k = 0; k < kShards; ++k)
    if (k != killed)
      others.push_back(
          std::async(std::launch::async, [&, k] { return run_mailferry(shard_args(k)); }));
  EventProcess shard(shard_args(killed));
  const bool uploading = shard.read_until([](const json& e) {
    return e.value("event", "") == "message" && e.value("job", "") == "alice" &&
           e.value("status", "") == "appended";
  });
  CHECK(uploading);
  shard.kill(SIGKILL);
  CHECK(shard.wait() == 128 + SIGKILL);

  // Its workers die with it (they carry the shard's options and the worker option).
  const std::string killed_shard =
      "--shard " + std::to_string(killed) + "/" + std::to_string(kShards);
  for (int i = 0; i < 50 && processes_mentioning({killed_shard, cli::kWorkerJobOption}) > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(processes_mentioning({killed_shard, cli::kWorkerJobOption}) == 0);

  for (auto& f : others) {
    auto result = f.get();
    INFO(result.exit_code << " "
                          << result.err.substr(result.err.size() > 3000 ? result.err.size() - 3000
                                                                        : 0));
    CHECK(result.exit_code == 0);
  }
  CHECK(imap_snapshot(server, "alice")["INBOX"].size() < 2000);  // the kill left alice unfinished

  auto rerun = run_mailferry(shard_args(killed));
  INFO(rerun.exit_code << " "
                       << rerun.err.substr(rerun.err.size() > 3000 ? rerun.err.size() - 3000 : 0));
  CHECK(rerun.exit_code == 0);

  // Every mailbox complete, by mailferry's check and by an independent client.
  const std::string report = dir.file("check.json");
  auto check = run_mailferry({"check", "--quiet", "--report", report, job_file});
  INFO(check.describe() << check.out);
  CHECK(check.exit_code == 0);
  auto checked = json::parse(read_file(report));
  REQUIRE(checked["jobs"].size() == sources.size());
  for (const auto& job : checked["jobs"]) {
    const std::string name = job["name"];
    INFO("job " << name);
    CHECK(job["totals"]["missing"] == 0);
    CHECK(job["totals"]["present"] == job["totals"]["source"]);
    std::size_t on_server = 0;
    for (const auto& [folder, messages] : imap_snapshot(server, name)) {
      std::set<std::string> distinct;
      for (const auto& m : messages) distinct.insert(m.sha256);
      CHECK(distinct.size() == messages.size());  // no message twice
      on_server += messages.size();
    }
    CHECK(on_server == job["totals"]["source"].get<std::size_t>());
  }
}

TEST_CASE("batch: one failing job does not stop the others, each job has its own report section") {
  DovecotServer server;
  TempDir dir;
  auto job = [&](const std::string& name, const std::string& from,
                 const std::string& password_file) {
    return json{{"name", name},
                {"from", from},
                {"to",
                 {{"url", server.url("imaps", name)},
                  {"password_file", password_file},
                  {"ca_file", server.ca_file()}}},
                {"state", dir.file(name + ".db")}};
  };
  const std::string wrong = dir.write_file("wrong", "not-the-password\n");
  const json file{{"defaults", {{"report", dir.file("batch-report.json")}}},
                  {"jobs",
                   {job("one", "mbox:" + kExamples + "mbox/Inbox.mbox", server.password_file()),
                    job("two", "mbox:" + dir.file("missing.mbox"), server.password_file()),
                    job("three", "mbox:" + kExamples + "thunderbird/Local Folders", wrong),
                    job("four", "mbox:" + kCorpus + "mbox.src", server.password_file())}}};
  const std::string job_file = dir.write_file("batch.json", file.dump());

  auto run = run_mailferry({"sync", "--parallel", "3", job_file});
  INFO(run.describe() << "\n" << run.out);
  CHECK(run.exit_code == 4);  // the worst of 0, 4, 3, 0
  CHECK(run.out.find("one: all 5 messages of 1 folder are on the server") != std::string::npos);
  CHECK(run.out.find("four: all 45 messages of 1 folder are on the server") != std::string::npos);
  CHECK(run.out.find("two: stopped: ") != std::string::npos);
  CHECK(run.out.find("three: stopped: ") != std::string::npos);
  CHECK(run.err.find("mailferry: error: two: ") != std::string::npos);
  CHECK(run.err.find("mailferry: error: three: ") != std::string::npos);
  CHECK(run.err.find(server.password()) == std::string::npos);
  CHECK(server.message_count("one", "INBOX") == 5);
  CHECK(server.message_count("four", "INBOX") == 45);

  auto report = json::parse(read_file(dir.file("batch-report.json")));
  REQUIRE(report["jobs"].size() == 4);
  // An audit record, workers' times included.
  CHECK(JsonSchema::from_file(kSource + "schema/mailferry-report.schema.json").validate(report) ==
        "");
  for (const auto& j : report["jobs"]) CHECK(j.contains("duration_seconds"));
  CHECK(report["jobs"][0]["folders"][0].contains("started"));
  std::vector<std::string> names;
  for (const auto& j : report["jobs"]) names.push_back(j["name"]);
  CHECK(names == std::vector<std::string>{"one", "two", "three", "four"});  // file order
  CHECK(report["jobs"][0]["exit_code"] == 0);
  CHECK(report["jobs"][1]["exit_code"] == 4);
  CHECK(report["jobs"][2]["exit_code"] == 3);
  CHECK(report["jobs"][3]["totals"]["appended"] == 45);
  CHECK(report["exit_code"] == 4);

  // --job picks jobs by name; an unknown name is a usage error before any work.
  auto picked = run_mailferry({"check", "--job", "four", "--job", "one", job_file});
  CHECK(picked.exit_code == 0);
  CHECK(picked.out.find("four: all 45 messages") != std::string::npos);
  CHECK(picked.out.find("two:") == std::string::npos);
  auto unknown = run_mailferry({"check", "--job", "fiv", job_file});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find("no job named 'fiv'") != std::string::npos);
}
