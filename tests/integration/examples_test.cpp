// Every file in examples/ is checked: job files load and validate, and the
// command lines in scripts, manifests and unit files are run against the test
// Dovecot with the example's paths pointed at test data.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "mailferry/cli/batch.hpp"
#include "mailferry/job/accounts_file.hpp"
#include "mailferry/job/csv.hpp"
#include "mailferry/job/job_file.hpp"
#include "support/dovecot_maildir.hpp"
#include "support/dovecot_server.hpp"
#include "support/imap_snapshot.hpp"
#include "support/pst_protect.hpp"
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

// examples/batch/accounts.csv with its sources and server replaced by test
// ones: the names, and so the shards, stay those of the example.
std::string test_accounts(const DovecotServer& server, const TempDir& dir) {
  const auto table = job::parse_csv(read_file(kExamples + "batch/accounts.csv"));
  const std::vector<std::string> sources{"mbox/mbox.src",      "mbox/content-length.mbox.txt",
                                         "mbox/mailarc-1.txt", "mbox/sample.mbox",
                                         "mbox/complex.mbox",  "mbox/mbox.rlug"};
  std::string csv = "name,from.url,to.url,to.password_file,to.ca_file\n";
  for (std::size_t i = 1; i < table.rows.size(); ++i) {
    const std::string name = table.rows[i].at(0).text;
    csv += name + ",mbox:" + kCorpus + sources.at((i - 1) % sources.size()) + "," +
           server.url("imaps", name) + "," + server.password_file() + "," + server.ca_file() + "\n";
  }
  return dir.write_file("accounts.csv", csv);
}

// Every mailbox of the list is complete on the server, each message once.
void batch_complete(const DovecotServer& server, const std::string& accounts) {
  auto check = run_mailferry({"check", "--quiet", "--accounts", accounts});
  INFO(check.describe() << check.out);
  CHECK(check.exit_code == 0);
  const auto table = job::parse_csv(read_file(accounts));
  for (std::size_t i = 1; i < table.rows.size(); ++i) {
    const std::string name = table.rows[i].at(0).text;
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

// The status line of an example, run with the example's paths replaced.
void status_says_complete(const std::string& command,
                          const std::map<std::string, std::string>& replace,
                          const CommandOptions& options = {}) {
  std::string line = command;
  for (const auto& [from, to] : replace) line = replace_all(line, from, to);
  CommandOptions with_path = options;
  with_path.env["PATH"] = path_with_binary();
  auto status = run_command({"sh", "-c", line}, with_path);
  INFO(line << "\n" << status.describe() << status.out);
  CHECK(status.exit_code == 0);
  CHECK(status.out.find("6 mailboxes in ") == 0);
  CHECK(status.out.find("every mailbox is complete") != std::string::npos);
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
  // The account list too, with the names of batch.json (the same mailboxes).
  const auto listed = job::load_accounts_file(kExamples + "batch/accounts.csv", json::object());
  const auto filed = job::load_job_file(kExamples + "batch/batch.json");
  REQUIRE(listed.size() == filed.size());
  for (std::size_t i = 0; i < listed.size(); ++i) {
    CHECK(listed[i].name == filed[i].name);
    CHECK(listed[i].from.url == filed[i].from.url);
    CHECK(listed[i].to.password.file == filed[i].to.password.file);
  }
}

TEST_CASE(
    "examples: batch on Kubernetes, one Indexed Job pod per shard from the CSV, then the status "
    "Job says every mailbox is complete") {
  DovecotServer server;
  TempDir dir;
  const std::string accounts = test_accounts(server, dir);
  const std::string manifest = read_file(kExamples + "batch/kubernetes-indexed-job.yaml");
  CHECK(manifest.find("completionMode: Indexed") != std::string::npos);
  std::smatch m;
  REQUIRE(std::regex_search(manifest, m, std::regex(R"(completions:\s*(\d+))")));
  const int completions = std::stoi(m[1]);
  REQUIRE(std::regex_search(manifest, m, std::regex(R"(- (mkdir -p \S+ && exec mailferry .*))")));
  std::string command = m[1];
  CHECK(command.find("--shard \"${JOB_COMPLETION_INDEX}/" + std::to_string(completions) + "\"") !=
        std::string::npos);
  command = replace_all(command, "/etc/mailferry/accounts.csv", accounts);
  command = replace_all(command, "/var/lib/mailferry", dir.path().string());
  // Each pod: the container's shell with the index Kubernetes sets.
  for (int index = 0; index < completions; ++index) {
    CommandOptions options;
    options.env = {{"JOB_COMPLETION_INDEX", std::to_string(index)},
                   {"PATH", path_with_binary()},
                   {"XDG_STATE_HOME", dir.file("state")}};
    auto pod = run_command({"sh", "-c", command}, options);
    INFO("index " << index << ": " << pod.describe());
    CHECK(pod.exit_code == 0);
  }
  CHECK(std::distance(fs::directory_iterator(dir.path() / "reports"), fs::directory_iterator()) ==
        completions);
  const std::string status = read_file(kExamples + "batch/kubernetes-status.yaml");
  REQUIRE(std::regex_search(status, m, std::regex(R"(- (exec mailferry status .*))")));
  status_says_complete(m[1], {{"/etc/mailferry/accounts.csv", accounts},
                              {"/var/lib/mailferry", dir.path().string()}});
  batch_complete(server, accounts);
}

TEST_CASE(
    "examples: batch as a Slurm job array from the CSV, one task per shard, then the dependent "
    "status job says every mailbox is complete") {
  DovecotServer server;
  TempDir dir;
  const std::string accounts = test_accounts(server, dir);
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
                   {"MAILFERRY_ACCOUNTS", accounts},
                   {"MAILFERRY_REPORTS", dir.file("reports")},
                   {"XDG_STATE_HOME", dir.file("state")}};
    auto run = run_command({"sh", slurm}, options);
    INFO("task " << task << ": " << run.describe());
    CHECK(run.exit_code == 0);
  }
  REQUIRE(std::regex_search(script, m, std::regex(R"(--wrap '(mailferry status [^']*)')")));
  status_says_complete(m[1], {{"/srv/mailferry/accounts.csv", accounts},
                              {"/srv/mailferry/reports", dir.file("reports")}});
  batch_complete(server, accounts);
}

TEST_CASE(
    "examples: batch with GNU parallel from the CSV, its command line once per shard, then status "
    "says every mailbox is complete") {
  DovecotServer server;
  TempDir dir;
  const std::string accounts = test_accounts(server, dir);
  const std::string script = read_file(kExamples + "batch/gnu-parallel.sh");
  std::smatch m;
  REQUIRE(
      std::regex_search(script, m, std::regex(R"(\n\s*(mailferry sync [^\n]*) ::: ([0-9 ]+))")));
  const std::string line = m[1];
  std::istringstream args(m[2].str());
  const std::vector<std::string> values{std::istream_iterator<std::string>(args), {}};
  REQUIRE(std::regex_search(line, m, std::regex(R"(--shard \{\}/(\d+))")));
  CHECK(values.size() == std::stoul(m[1]));
  fs::create_directories(dir.path() / "reports");  // the script's mkdir -p
  CommandOptions options;
  options.env = {{"PATH", path_with_binary()},
                 {"ACCOUNTS", accounts},
                 {"REPORTS", dir.file("reports")},
                 {"XDG_STATE_HOME", dir.file("state")}};
  // What parallel does on each host: the line with {} replaced by one value.
  for (const auto& value : values) {
    auto run = run_command({"sh", "-c", replace_all(line, "{}", value)}, options);
    INFO(run.describe());
    CHECK(run.exit_code == 0);
  }
  REQUIRE(std::regex_search(script, m, std::regex(R"(\nexec (mailferry status [^\n]*))")));
  status_says_complete(m[1], {}, options);
  batch_complete(server, accounts);
}

namespace {

// An example job file with its endpoints pointed at the test server (the
// source account of user U is U-source there), password files and the CA set,
// the given paths swapped for test ones. Returns the path of the copy.
std::string adapted_job_file(const std::string& example, const DovecotServer& server,
                             const TempDir& dir,
                             const std::map<std::string, std::string>& replace) {
  auto doc = json::parse(read_file(kExamples + example));
  for (auto& j : doc["jobs"]) {
    for (const char* side : {"from", "to"}) {
      json& ep = j[side];
      if (ep.is_string()) ep = json{{"url", ep}};
      std::string url = ep["url"];
      for (const auto& [from, to] : replace) url = replace_all(url, from, to);
      ep["url"] = url;
      const auto scheme = url.substr(0, url.find("://"));
      if (scheme == "imaps" || scheme == "pop3s") {
        const auto at = url.rfind('@');
        std::string user = url.substr(url.find("://") + 3, at - url.find("://") - 3);
        // One server plays both sides: the source account gets a name of its own.
        if (std::string(side) == "from") user += "-source";
        ep["url"] = server.url(scheme, user);
        ep.erase("password_command");
        ep.erase("password_env");
        ep["password_file"] = server.password_file();
        ep["ca_file"] = server.ca_file();
      }
    }
    for (const char* key : {"report", "state"})
      if (j.contains(key))
        j[key] = dir.file(std::string(key) + "-" + j["name"].get<std::string>() + ".json");
  }
  std::string name = fs::path(example).filename().string();
  return dir.write_file(name, doc.dump(2));
}

std::string to_crlf(const std::string& bytes) {
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] == '\n' && (i == 0 || bytes[i - 1] != '\r')) out += '\r';
    out += bytes[i];
  }
  return out;
}

// Real messages into a POP3 user's mailbox; returns how many.
int fill_pop3(const DovecotServer& server, const std::string& user) {
  int n = 0;
  for (const char* name : {"msg-1-1.eml", "msg-1-2.eml", "nodemailer.eml", "legacy-006.eml"}) {
    server.save_message(user, "INBOX", to_crlf(read_file(kCorpus + "eml/" + name)));
    ++n;
  }
  return n;
}

// `example` (a job file of examples/ with one job) with its source replaced by
// `from` and its target by user alice of `server`, written into `dir`.
// Returns the copy's path.
std::string example_job_for(const std::string& example, const std::string& from,
                            const DovecotServer& server, const TempDir& dir) {
  auto doc = json::parse(read_file(kExamples + example));
  doc["jobs"][0]["from"] = from;
  doc["jobs"][0]["to"] = {{"url", server.url("imaps", "alice")},
                          {"password_file", server.password_file()},
                          {"ca_file", server.ca_file()}};
  return dir.write_file(fs::path(example).filename().string(), doc.dump());
}

std::size_t total_messages(const DovecotServer& server, const std::string& user) {
  std::size_t total = 0;
  for (const auto& [folder, messages] : imap_snapshot(server, user)) total += messages.size();
  return total;
}

}  // namespace

TEST_CASE("examples: one-off POP3 to IMAP migration job") {
  DovecotServer server;
  TempDir dir;
  const int messages = fill_pop3(server, "alice-source");
  const std::string file = adapted_job_file("pop3-to-imap.json", server, dir, {});
  auto run = run_mailferry({"sync", file});
  INFO(run.describe() << run.out);
  CHECK(run.exit_code == 0);
  CHECK(server.message_count("alice", "INBOX") == messages);
  CHECK(server.message_count("alice-source", "INBOX") ==
        messages);  // a one-off move keeps the source
  CHECK(fs::exists(dir.file("report-alice-pop3-move.json")));
  auto again = run_mailferry({"check", "--quiet", file});
  CHECK(again.exit_code == 0);
}

TEST_CASE("examples: helpdesk restores only the Sent items of a PST, by script and by job file") {
  DovecotServer server;
  TempDir dir;
  const std::string pst = kCorpus + "pst/Test_part1.pst";
  CommandOptions options;
  options.env = {{"PATH", path_with_binary()},
                 {"IMAP_HOST", "127.0.0.1:" + std::to_string(server.imaps_port())},
                 {"PASSWORD_FILE", server.password_file()},
                 {"CA_FILE", server.ca_file()},
                 {"XDG_STATE_HOME", dir.file("state")}};
  auto run = run_command({"sh", kExamples + "helpdesk/restore-sent.sh", "bob", pst}, options);
  INFO(run.describe() << run.out);
  CHECK(run.exit_code == 0);
  auto snapshot = imap_snapshot(server, "bob");
  // The PST's Sent Items hold 31 items, 25 of them copies of others: 6 messages.
  CHECK(run.out.find("all 6 messages of 1 folder are on the server") != std::string::npos);
  CHECK(snapshot["Sent"].size() == 6);
  CHECK(total_messages(server, "bob") == 6);  // nothing but Sent

  auto usage = run_command({"sh", kExamples + "helpdesk/restore-sent.sh", "bob"}, options);
  CHECK(usage.exit_code == 2);

  // The same PST guarded by an Outlook password: with it, and without it.
  const std::string guarded = dir.file("carol.pst");
  copy_pst_with_password(pst, guarded, "carol's password");
  options.env["PST_PASSWORD_FILE"] = dir.write_file("carol.pst-password", "carol's password\n");
  auto with_password =
      run_command({"sh", kExamples + "helpdesk/restore-sent.sh", "carol", guarded}, options);
  INFO(with_password.describe() << with_password.out);
  CHECK(with_password.exit_code == 0);
  CHECK(total_messages(server, "carol") == 6);
  options.env["PST_PASSWORD_FILE"] = std::nullopt;
  options.env["IGNORE_PST_PASSWORD"] = "1";
  auto unchecked =
      run_command({"sh", kExamples + "helpdesk/restore-sent.sh", "dave", guarded}, options);
  INFO(unchecked.describe() << unchecked.out);
  CHECK(unchecked.exit_code == 0);
  CHECK(unchecked.err.find("not checked") != std::string::npos);
  CHECK(total_messages(server, "dave") == 6);

  const std::string file = adapted_job_file("helpdesk/pst-sent-only.json", server, dir,
                                            {{"/srv/helpdesk/bob/outlook.pst", pst}});
  auto job = json::parse(read_file(file));
  job["jobs"][0]["from"]["url"] = "pst:" + pst;
  const std::string job_file = dir.write_file("pst-sent-only.json", job.dump());
  auto again = run_mailferry({"sync", job_file}, {{"XDG_STATE_HOME", dir.file("state")}});
  INFO(again.describe() << again.out);
  CHECK(again.exit_code == 0);
  CHECK(again.out.find("6 already there, 0 added") != std::string::npos);
  CHECK(total_messages(server, "bob") == 6);
}

TEST_CASE("examples: Thunderbird profile job") {
  DovecotServer server;
  TempDir dir;
  const std::string file = example_job_for(
      "thunderbird.json", "mbox:" + kExamples + "thunderbird/Local Folders", server, dir);
  auto run = run_mailferry({"sync", file}, {{"XDG_STATE_HOME", dir.file("state")}});
  INFO(run.describe() << run.out);
  CHECK(run.exit_code == 0);
  auto snapshot = imap_snapshot(server, "alice");
  CHECK(snapshot["INBOX"].size() == 3);
  CHECK(snapshot["Sent"].size() == 2);
  CHECK(snapshot["Drafts"].size() == 1);
  CHECK(snapshot["Archives/2019"].size() == 2);
}

TEST_CASE("examples: Maildir of an old server job") {
  DovecotServer server;
  TempDir dir;
  auto message = [](const std::string& subject) {
    return "From: shop@example.com\nSubject: " + subject + "\nMessage-ID: <" + subject +
           "@example.com>\n\n" + subject + "\n";
  };
  const auto tree = import_into_maildir(
      server, "old-server", dir.path() / "Maildir", false,
      {{"INBOX", "Mon Mar  4 10:00:00 2019", "RO", "", message("order")},
       {"INBOX", "Tue Mar  5 10:00:00 2019", "", "", message("invoice")},
       {"Sent", "Wed Mar  6 10:00:00 2019", "RO", "A", message("reply")},
       {"Trash", "Thu Mar  7 10:00:00 2019", "RO", "", message("spam")},
       {"Archive/2019", "Fri Mar  8 10:00:00 2019", "RO", "", message("old-order")}});
  const std::string file =
      example_job_for("maildir-old-server.json", "maildir:" + tree.string(), server, dir);
  auto run = run_mailferry({"sync", file}, {{"XDG_STATE_HOME", dir.file("state")}});
  INFO(run.describe() << run.out);
  CHECK(run.exit_code == 0);
  auto snapshot = imap_snapshot(server, "alice");
  CHECK(snapshot["INBOX"].size() == 2);
  CHECK(snapshot["Sent"].size() == 1);
  CHECK(snapshot["Trash"].empty());  // the example leaves Trash and Junk out
  CHECK(snapshot["Archive/2019"].size() == 1);
}

TEST_CASE("examples: Gmail Takeout mbox job") {
  DovecotServer server;
  TempDir dir;
  const std::string file = example_job_for(
      "takeout/gmail-takeout.json",
      "mbox:" + kExamples + "takeout/All mail Including Spam and Trash.mbox", server, dir);
  auto run = run_mailferry({"sync", file}, {{"XDG_STATE_HOME", dir.file("state")}});
  INFO(run.describe() << run.out);
  CHECK(run.exit_code == 0);
  auto snapshot = imap_snapshot(server, "alice");
  std::size_t total = 0;
  for (const auto& [folder, messages] : snapshot) {
    std::set<std::string> distinct;
    for (const auto& m : messages) distinct.insert(m.sha256);
    CHECK(distinct.size() == messages.size());
    total += messages.size();
  }
  CHECK(total >= 4);  // 5 messages; the one labelled Spam may be left out
  CHECK(run_mailferry({"check", "--quiet", file}, {{"XDG_STATE_HOME", dir.file("state")}})
            .exit_code == 0);
}

TEST_CASE("examples: nightly POP3 job from the crontab line and from the systemd service") {
  DovecotServer server;
  TempDir dir;
  const std::string job_file = adapted_job_file("nightly/pop3-nightly.json", server, dir, {});

  // The crontab: schedule fields, then a command that runs as it is.
  const std::string crontab = read_file(kExamples + "nightly/mailferry.crontab");
  std::smatch m;
  REQUIRE(std::regex_search(crontab, m,
                            std::regex(R"(\n([0-9*,/-]+(?: [0-9*,/-]+){4}) (mailferry [^\n]+))")));
  std::string command = replace_all(m[2], "/etc/mailferry/pop3-nightly.json", job_file);
  const int messages = fill_pop3(server, "shop-source");
  CommandOptions options;
  options.env = {{"PATH", path_with_binary()}, {"XDG_STATE_HOME", dir.file("state")}};
  auto cron = run_command({"sh", "-c", command}, options);
  INFO(cron.describe() << cron.out);
  CHECK(cron.exit_code == 0);
  CHECK(cron.err == "");
  CHECK(cron.out == "");  // it went well: no cron mail
  // The corpus messages are years old: past keep_days, so moved off POP3.
  CHECK(server.message_count("shop", "INBOX") == messages);
  CHECK(server.message_count("shop-source", "INBOX") == 0);

  // The systemd units: systemd-analyze accepts them (with ExecStart pointing
  // at the binary under test), and ExecStart runs.
  const std::string service = read_file(kExamples + "nightly/mailferry-nightly.service");
  REQUIRE(std::regex_search(service, m,
                            std::regex(R"(\nExecStart=/usr/local/bin/(mailferry [^\n]+))")));
  const std::string exec_start = m[1];
  if (run_command({"sh", "-c", "command -v systemd-analyze"}).exit_code == 0) {
    fs::create_directories(dir.path() / "units");
    dir.write_file("units/mailferry-nightly.service",
                   replace_all(service, "/usr/local/bin/mailferry", mailferry_binary()));
    dir.write_file("units/mailferry-nightly.timer",
                   read_file(kExamples + "nightly/mailferry-nightly.timer"));
    auto verify = run_command({"systemd-analyze", "verify", "--man=no",
                               dir.file("units/mailferry-nightly.service"),
                               dir.file("units/mailferry-nightly.timer")});
    INFO(verify.describe());
    CHECK(verify.exit_code == 0);
    CHECK(verify.err == "");
  }
  fill_pop3(server, "shop-2-source");
  auto doc = json::parse(read_file(job_file));
  doc["jobs"][0]["from"]["url"] = server.url("pop3s", "shop-2-source");
  doc["jobs"][0]["to"]["url"] = server.url("imaps", "shop-2-imap");
  const std::string second = dir.write_file("second.json", doc.dump());
  auto unit = run_command(
      {"sh", "-c", replace_all(exec_start, "/etc/mailferry/pop3-nightly.json", second)}, options);
  INFO(unit.describe());
  CHECK(unit.exit_code == 0);
  CHECK(unit.out == "");  // the journal gets JSON events on stderr
  CHECK(unit.err.find("\"event\":\"job_end\"") != std::string::npos);
  CHECK(server.message_count("shop-2-imap", "INBOX") == messages);
}

TEST_CASE("examples: nightly IMAP backup from the crontab line, the source left as it was") {
  DovecotServer server;
  TempDir dir;
  const std::string job_file = adapted_job_file("imap/imap-nightly-backup.json", server, dir, {});
  const int messages = fill_pop3(server, "office-source");  // unread mail in its INBOX
  const auto source_before = imap_snapshot(server, "office-source");

  const std::string crontab = read_file(kExamples + "imap/mailferry.crontab");
  std::smatch m;
  REQUIRE(std::regex_search(crontab, m,
                            std::regex(R"(\n([0-9*,/-]+(?: [0-9*,/-]+){4}) (mailferry [^\n]+))")));
  const std::string command =
      replace_all(m[2], "/etc/mailferry/imap-nightly-backup.json", job_file);
  CommandOptions options;
  options.env = {{"PATH", path_with_binary()}, {"XDG_STATE_HOME", dir.file("state")}};
  for (const char* night : {"first night", "second night"}) {
    auto cron = run_command({"sh", "-c", command}, options);
    INFO(night << ": " << cron.describe() << cron.out);
    CHECK(cron.exit_code == 0);
    CHECK(cron.out + cron.err == "");  // it went well: no cron mail
  }
  CHECK(server.message_count("office-backup", "INBOX") == messages);
  const auto source_after = imap_snapshot(server, "office-source");
  REQUIRE(source_after.at("INBOX").size() == source_before.at("INBOX").size());
  for (std::size_t i = 0; i < source_after.at("INBOX").size(); ++i)
    CHECK(source_after.at("INBOX")[i].flags == source_before.at("INBOX")[i].flags);
}
