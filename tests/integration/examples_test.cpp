// Every file in examples/ is checked: job files load and validate, and the
// command lines in scripts, manifests and unit files are run against the test
// Dovecot with the example's paths pointed at test data.
#include <doctest/doctest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "mailferry/cli/batch.hpp"
#include "mailferry/job/job_file.hpp"
#include "support/dovecot_server.hpp"
#include "support/imap_snapshot.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

using namespace mailferry;
using namespace mailferry::testing;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string kExamples = std::string(MAILFERRY_SOURCE_DIR) + "/examples/";
const std::string kCorpus = std::string(MAILFERRY_CORPUS_DIR) + "/";

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

// PATH with the binary under test first, so scripts that call `mailferry` run it.
std::string path_with_binary() {
  const char* path = std::getenv("PATH");
  return fs::path(mailferry_binary()).parent_path().string() + ":" +
         (path ? path : "/usr/bin:/bin");
}

// examples/batch/batch.json with its sources and server replaced by test ones:
// the names, and so the shards, stay those of the example.
std::string test_batch(const DovecotServer& server, const TempDir& dir) {
  auto example = json::parse(read_file(kExamples + "batch/batch.json"));
  const std::vector<std::string> sources{"mbox/mbox.src",      "mbox/content-length.mbox.txt",
                                         "mbox/mailarc-1.txt", "mbox/sample.mbox",
                                         "mbox/complex.mbox",  "mbox/mbox.rlug"};
  std::size_t i = 0;
  for (auto& j : example["jobs"]) {
    j["from"] = "mbox:" + kCorpus + sources.at(i++ % sources.size());
    j["to"]["url"] = server.url("imaps", j["name"].get<std::string>());
    j["to"]["password_file"] = server.password_file();
    j["to"]["ca_file"] = server.ca_file();
  }
  return dir.write_file("batch.json", example.dump(2));
}

// Every job of the batch is complete on the server, each message once.
void batch_complete(const DovecotServer& server, const std::string& batch) {
  auto check = run_mailferry({"check", "--quiet", batch});
  INFO(check.describe() << check.out);
  CHECK(check.exit_code == 0);
  for (const auto& j : json::parse(read_file(batch))["jobs"]) {
    const std::string name = j["name"];
    auto snapshot = imap_snapshot(server, name);
    std::set<std::string> distinct;
    std::size_t total = 0;
    for (const auto& [folder, messages] : snapshot) {
      for (const auto& m : messages) distinct.insert(folder + m.sha256);
      total += messages.size();
    }
    CHECK_MESSAGE(total > 0, name);
    CHECK_MESSAGE(distinct.size() == total, name);
  }
}

}  // namespace

TEST_CASE("examples: every job file in examples/ loads and validates") {
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(kExamples)) {
    if (entry.path().extension() != ".json") continue;
    INFO(entry.path().string());
    std::vector<job::Job> jobs;
    CHECK_NOTHROW(jobs = job::load_job_file(entry.path().string()));
    CHECK(!jobs.empty());
    ++files;
  }
  CHECK(files >= 1);
}

TEST_CASE("examples: batch on Kubernetes, one Indexed Job pod per shard, covers every mailbox") {
  DovecotServer server;
  TempDir dir;
  const std::string batch = test_batch(server, dir);
  const std::string manifest = read_file(kExamples + "batch/kubernetes-indexed-job.yaml");
  CHECK(manifest.find("completionMode: Indexed") != std::string::npos);
  std::smatch m;
  REQUIRE(std::regex_search(manifest, m, std::regex(R"(completions:\s*(\d+))")));
  const int completions = std::stoi(m[1]);
  REQUIRE(std::regex_search(manifest, m, std::regex(R"(- (exec mailferry .*))")));
  std::string command = m[1];
  CHECK(command.find("--shard \"${JOB_COMPLETION_INDEX}/" + std::to_string(completions) + "\"") !=
        std::string::npos);
  command = replace_all(command, "/etc/mailferry/batch.json", batch);
  command = replace_all(command, "/var/lib/mailferry", dir.path().string());
  fs::create_directories(dir.path() / "reports");
  // Each pod: the container's shell with the index Kubernetes sets.
  for (int index = 0; index < completions; ++index) {
    CommandOptions options;
    options.env = {{"JOB_COMPLETION_INDEX", std::to_string(index)},
                   {"PATH", path_with_binary()},
                   {"XDG_STATE_HOME", dir.file("state")}};
    auto pod = run_command({"sh", "-c", command}, options);
    INFO("index " << index << ": " << pod.describe());
    CHECK(pod.exit_code == 0);
    CHECK(fs::exists(dir.file("reports/shard-" + std::to_string(index) + ".json")));
  }
  batch_complete(server, batch);
}

TEST_CASE("examples: batch as a Slurm job array, one task per shard, covers every mailbox") {
  DovecotServer server;
  TempDir dir;
  const std::string batch = test_batch(server, dir);
  const std::string slurm = kExamples + "batch/slurm-array.sh";
  const std::string script = read_file(slurm);
  std::smatch m;
  REQUIRE(std::regex_search(script, m, std::regex(R"(#SBATCH --array=(\d+)-(\d+))")));
  const int first = std::stoi(m[1]), last = std::stoi(m[2]);
  REQUIRE(std::regex_search(script, m, std::regex(R"(SHARDS=(\d+))")));
  CHECK(std::stoi(m[1]) == last - first + 1);  // the array covers every shard
  for (int task = first; task <= last; ++task) {
    CommandOptions options;
    options.env = {{"SLURM_ARRAY_TASK_ID", std::to_string(task)},
                   {"PATH", path_with_binary()},
                   {"MAILFERRY_BATCH", batch},
                   {"MAILFERRY_REPORTS", dir.file("reports")},
                   {"XDG_STATE_HOME", dir.file("state")}};
    auto run = run_command({"sh", slurm}, options);
    INFO("task " << task << ": " << run.describe());
    CHECK(run.exit_code == 0);
  }
  batch_complete(server, batch);
}

TEST_CASE(
    "examples: batch with GNU parallel, its command line once per shard, covers every mailbox") {
  DovecotServer server;
  TempDir dir;
  const std::string batch = test_batch(server, dir);
  const std::string script = read_file(kExamples + "batch/gnu-parallel.sh");
  std::smatch m;
  REQUIRE(
      std::regex_search(script, m, std::regex(R"(\n\s*(mailferry sync [^\n]*) ::: ([0-9 ]+))")));
  const std::string line = m[1];
  std::istringstream args(m[2].str());
  const std::vector<std::string> values{std::istream_iterator<std::string>(args), {}};
  REQUIRE(std::regex_search(line, m, std::regex(R"(--shard \{\}/(\d+))")));
  CHECK(values.size() == std::stoul(m[1]));
  // What parallel does on each host: the line with {} replaced by one value.
  for (const auto& value : values) {
    CommandOptions options;
    options.env = {
        {"PATH", path_with_binary()}, {"BATCH", batch}, {"XDG_STATE_HOME", dir.file("state")}};
    auto run = run_command({"sh", "-c", replace_all(line, "{}", value)}, options);
    INFO(run.describe());
    CHECK(run.exit_code == 0);
  }
  batch_complete(server, batch);
}
