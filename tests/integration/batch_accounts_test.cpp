// A thousand mailboxes from an account list, as a school or a company moves
// them: one CSV line per mailbox, ten shards (ten machines of a scheduler,
// two at a time here: the test machine has two cores) with four mailboxes at
// a time each, three shards killed at random moments and started again, as a
// scheduler restarts a lost pod. In the end
// `mailferry status` counts every mailbox complete from the shards' reports,
// and Dovecot itself (doveadm, for all 1,000) and an independent IMAP client
// (for a sample) show every message exactly once.
//
// Kept short: tiny messages, mbox sources written directly, one doveadm call
// to read every account's Message-IDs.
#include <doctest/doctest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <semaphore>
#include <set>
#include <sstream>
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

const std::string kSource = std::string(MAILFERRY_SOURCE_DIR) + "/";

std::string user_name(int i) {
  char name[16];
  std::snprintf(name, sizeof name, "u%04d", i);
  return name;
}

// Mailbox i holds 1 to 4 tiny messages, each named by user and number.
int message_count(int i) { return 1 + i % 4; }

std::string message_id(const std::string& user, int k) {
  return "<" + user + "." + std::to_string(k) + "@batch.test>";
}

std::string mbox_of(const std::string& user, int count) {
  std::string text;
  for (int k = 1; k <= count; ++k)
    text +=
        "From sender@example.org Mon Mar  4 10:00:00 2019\n"
        "From: sender@example.org\nTo: " +
        user + "@example.com\nSubject: message " + std::to_string(k) + " of " + user +
        "\nDate: Mon, 4 Mar 2019 10:00:00 +0000\nMessage-ID: " + message_id(user, k) + "\n\nBody " +
        std::to_string(k) + ".\n\n";
  return text;
}

struct Batch {
  std::string job_file;
  std::map<std::string, int> messages;      // job name -> messages of its source
  std::map<std::string, std::string> user;  // job name -> target user
};

// The account list is written as a spreadsheet saves it: a byte order mark,
// ';' between fields, CRLF; every other line leaves the name to be derived.
Batch write_batch(const DovecotServer& server, const TempDir& dir, int mailboxes) {
  Batch batch;
  std::string csv = "\xEF\xBB\xBFname;from.url;to.url;state\r\n";
  for (int i = 0; i < mailboxes; ++i) {
    const std::string user = user_name(i);
    const std::string source =
        dir.write_file("mail/" + user + ".mbox", mbox_of(user, message_count(i)));
    const std::string name = i % 2 == 0 ? user : "";
    const std::string to = server.url("imaps", user);
    csv += name + ";mbox:" + source + ";" + to + ";" + dir.file("state/" + user + ".db") + "\r\n";
    const std::string job = !name.empty() ? name : "mbox:" + source + " -> " + to.substr(8);
    batch.messages[job] = message_count(i);
    batch.user[job] = user;
  }
  dir.write_file("accounts.csv", csv);
  batch.job_file = dir.write_file(
      "batch.json",
      json{{"accounts", "accounts.csv"},
           {"defaults",
            {{"to", {{"password_file", server.password_file()}, {"ca_file", server.ca_file()}}}}}}
          .dump(2));
  return batch;
}

// Every account's Message-IDs, by user and folder, from Dovecot itself: one
// doveadm process for all of them.
std::map<std::string, std::multiset<std::string>> message_ids_on_server(
    const DovecotServer& server, const TempDir& dir, const std::vector<std::string>& users) {
  std::string list;
  for (const auto& u : users) list += u + "\n";
  const std::string file = dir.write_file("users.txt", list);
  const std::string out =
      server.doveadm({"-f", "tab", "fetch", "-F", file, "mailbox hdr.message-id", "all"});
  std::map<std::string, std::multiset<std::string>> ids;
  std::istringstream lines(out);
  std::string line;
  std::getline(lines, line);  // the header
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string user, folder, id;
    std::getline(fields, user, '\t');
    std::getline(fields, folder, '\t');
    std::getline(fields, id, '\t');
    ids[user].insert(folder + " " + id);
  }
  return ids;
}

}  // namespace

TEST_CASE(
    "accounts: 1,000 mailboxes from a CSV in 10 shards, 3 killed at random and run again, status "
    "says all complete, the server holds every message once") {
  const auto began = std::chrono::steady_clock::now();
  DovecotServer server;
  TempDir dir;
  constexpr int kMailboxes = 1000;
  constexpr unsigned kShards = 10;
  const Batch batch = write_batch(server, dir, kMailboxes);
  // A busy test machine may take longer than the default 10 s to greet.
  ::setenv("MAILFERRY_GREETING_TIMEOUT", "60", 1);
  struct Unset {
    ~Unset() { ::unsetenv("MAILFERRY_GREETING_TIMEOUT"); }
  } unset;
  fs::create_directories(dir.path() / "reports");

  const char* seed_text = std::getenv("MAILFERRY_TEST_SEED");
  const unsigned seed =
      seed_text ? static_cast<unsigned>(std::stoul(seed_text)) : std::random_device{}();
  MESSAGE("seed " << seed << " (MAILFERRY_TEST_SEED repeats a run)");
  std::mt19937 random(seed);
  std::vector<unsigned> order(kShards);
  for (unsigned k = 0; k < kShards; ++k) order[k] = k;
  std::shuffle(order.begin(), order.end(), random);
  const std::set<unsigned> killed(order.begin(), order.begin() + 3);

  std::map<unsigned, int> shard_messages;
  for (const auto& [name, count] : batch.messages)
    shard_messages[cli::shard_of(name, kShards)] += count;
  auto args = [&](unsigned k, int run) {
    const std::string shard = std::to_string(k) + "/" + std::to_string(kShards);
    return std::vector<std::string>{
        "sync",
        "--quiet",
        "--shard",
        shard,
        "--parallel",
        "4",
        "--log-format",
        "json",
        "--report",
        dir.file("reports/shard-" + std::to_string(k) + "-run-" + std::to_string(run) + ".json"),
        batch.job_file};
  };

  // Ten shards at once. A killed one is killed after a random number of
  // uploads, its workers must die with it, and it is started again at once.
  struct Outcome {
    int exit_code = -1;
    bool killed_mid_run = true;
    std::string err;
  };
  std::vector<std::future<Outcome>> shards;
  std::counting_semaphore<2> machines(2);
  for (unsigned k = 0; k < kShards; ++k) {
    const bool kill = killed.count(k) > 0;
    const int uploads_before_kill =
        kill ? std::uniform_int_distribution<int>(1, shard_messages[k] * 4 / 5)(random) : 0;
    shards.push_back(std::async(std::launch::async, [&, k, kill, uploads_before_kill] {
      machines.acquire();
      struct Release {
        std::counting_semaphore<2>& s;
        ~Release() { s.release(); }
      } release{machines};
      Outcome outcome;
      if (kill) {
        EventProcess first(args(k, 0));
        int uploads = 0;
        outcome.killed_mid_run = first.read_until([&](const json& e) {
          return e.value("event", "") == "message" && e.value("status", "") == "appended" &&
                 ++uploads >= uploads_before_kill;
        });
        first.kill(SIGKILL);
        first.wait();
        const std::string shard = "--shard " + std::to_string(k) + "/" + std::to_string(kShards);
        for (int i = 0; i < 100 && processes_mentioning({shard, cli::kWorkerJobOption}) > 0; ++i)
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      auto run = run_mailferry(args(k, kill ? 1 : 0), {}, std::chrono::seconds(600));
      outcome.exit_code = run.exit_code;
      outcome.err = run.err.substr(run.err.size() > 2000 ? run.err.size() - 2000 : 0);
      return outcome;
    }));
  }
  for (unsigned k = 0; k < kShards; ++k) {
    auto outcome = shards[k].get();
    INFO("shard " << k << std::string(killed.count(k) ? " (killed and run again)" : "") << ": "
                  << outcome.err);
    CHECK(outcome.killed_mid_run);
    CHECK(outcome.exit_code == 0);
  }
  const auto moved = std::chrono::steady_clock::now();

  // One view of the whole move, from the reports of every shard run.
  auto status = run_mailferry({"status", "--json", batch.job_file, dir.file("reports")});
  INFO(status.describe() << status.out.substr(0, 3000));
  CHECK(status.exit_code == 0);
  const auto view = json::parse(status.out);
  CHECK(JsonSchema::from_file(kSource + "schema/mailferry-status.schema.json").validate(view) ==
        "");
  CHECK(view["mailboxes"] == kMailboxes);
  CHECK(view["complete"] == kMailboxes);
  CHECK(view["reports"].size() == kShards);  // a killed run leaves no report; its rerun does
  std::uint64_t total = 0;
  for (const auto& [name, count] : batch.messages) total += static_cast<std::uint64_t>(count);
  // What the killed runs uploaded is in no report; the rest is.
  CHECK(view["messages_moved"].get<std::uint64_t>() <= total);
  auto text = run_mailferry({"status", batch.job_file, dir.file("reports")});
  CHECK(text.exit_code == 0);
  CHECK(text.out.find("1,000 mailboxes in " + batch.job_file + ", 10 reports\n  complete") == 0);

  // Dovecot's own view: every account holds exactly its messages, in INBOX, once.
  std::vector<std::string> users;
  for (int i = 0; i < kMailboxes; ++i) users.push_back(user_name(i));
  const auto ids = message_ids_on_server(server, dir, users);
  int exact = 0;
  for (int i = 0; i < kMailboxes; ++i) {
    std::multiset<std::string> expected;
    for (int k = 1; k <= message_count(i); ++k) expected.insert("INBOX " + message_id(users[i], k));
    const auto it = ids.find(users[i]);
    const bool same = it != ids.end() && it->second == expected;
    if (!same) INFO("account " << users[i] << " differs");
    CHECK_MESSAGE(same, users[i]);
    exact += same;
  }
  CHECK(exact == kMailboxes);

  // An independent IMAP client on a sample: each message once, byte for byte distinct.
  std::uniform_int_distribution<int> pick(0, kMailboxes - 1);
  for (int n = 0; n < 5; ++n) {
    const int i = pick(random);
    auto snapshot = imap_snapshot(server, users[i]);
    std::set<std::string> distinct;
    for (const auto& m : snapshot["INBOX"]) distinct.insert(m.sha256);
    CHECK_MESSAGE(snapshot["INBOX"].size() == static_cast<std::size_t>(message_count(i)), users[i]);
    CHECK(distinct.size() == snapshot["INBOX"].size());
  }
  const auto seconds = [](auto from, auto to) {
    return std::chrono::duration<double>(to - from).count();
  };
  MESSAGE("1,000 mailboxes: moved in " << seconds(began, moved) << " s, test "
                                       << seconds(began, std::chrono::steady_clock::now()) << " s");
}

TEST_CASE(
    "accounts: the same shard started twice at once: the second skips the job the first is "
    "running (exit 5), nothing is uploaded twice, and status shows it complete") {
  DovecotServer server;
  TempDir dir;
  const std::string corpus = std::string(MAILFERRY_CORPUS_DIR) + "/mbox/";
  // alice first and big, so that both processes want her at the same time.
  const std::string csv =
      "name,from.url,to.url,to.password_file,to.ca_file,state\n"
      "alice,mbox:" +
      corpus + "linux-samsung-soc-2020-2000msgs.mboxrd," + server.url("imaps", "alice") + "," +
      server.password_file() + "," + server.ca_file() + "," + dir.file("state/alice.db") + "\n" +
      "bob,mbox:" + corpus + "mbox.src," + server.url("imaps", "bob") + "," +
      server.password_file() + "," + server.ca_file() + "," + dir.file("state/bob.db") + "\n";
  const std::string accounts = dir.write_file("accounts.csv", csv);
  auto args = [&](const std::string& report) {
    return std::vector<std::string>{"sync",    "--accounts", accounts,
                                    "--shard", "0/1",        "--log-format",
                                    "json",    "--report",   dir.file(report)};
  };

  EventProcess first(args("first.json"));
  REQUIRE(first.read_until([](const json& e) {
    return e.value("event", "") == "message" && e.value("job", "") == "alice" &&
           e.value("status", "") == "appended";
  }));
  // The scheduler's second copy, while the first uploads alice.
  auto second = run_mailferry(args("second.json"));
  INFO(second.describe());
  CHECK(second.exit_code == 5);
  CHECK(second.out.empty());
  CHECK(second.err.find("skipped: another mailferry process is running this job") !=
        std::string::npos);
  const auto second_report = json::parse(read_file(dir.file("second.json")));
  CHECK(JsonSchema::from_file(kSource + "schema/mailferry-report.schema.json")
            .validate(second_report) == "");
  CHECK(second_report["exit_code"] == 5);
  REQUIRE(second_report["jobs"].size() == 2);
  CHECK(second_report["jobs"][0]["locked"] == true);
  CHECK(second_report["jobs"][0]["totals"]["appended"] == 0);
  CHECK(second_report["jobs"][1]["locked"] == false);  // bob was free: the second did him
  CHECK(second_report["jobs"][1]["exit_code"] == 0);

  CHECK(first.wait() == 0);
  const auto first_report = json::parse(read_file(dir.file("first.json")));
  CHECK(first_report["jobs"][0]["exit_code"] == 0);
  CHECK(first_report["jobs"][1]["totals"]["appended"] == 0);  // bob was done already

  for (const std::string user : {"alice", "bob"}) {
    auto snapshot = imap_snapshot(server, user);
    std::set<std::string> distinct;
    for (const auto& m : snapshot["INBOX"]) distinct.insert(m.sha256);
    CHECK_MESSAGE(distinct.size() == snapshot["INBOX"].size(), user);  // nothing twice
  }
  CHECK(server.message_count("alice", "INBOX") ==
        first_report["jobs"][0]["totals"]["source"].get<int>());

  // alice's latest entry is the first process's: complete.
  auto status = run_mailferry(
      {"status", "--accounts", accounts, dir.file("second.json"), dir.file("first.json")});
  INFO(status.describe() << status.out);
  CHECK(status.exit_code == 0);
  CHECK(status.out.find("  complete                   2\n") != std::string::npos);

  // And a run while nobody holds the lock finds everything there.
  auto again = run_mailferry(args("again.json"));
  CHECK(again.exit_code == 0);
}
