// Stop at every step: the real binary runs a corpus job and stops itself right
// after its Nth journal commit (the test hook MAILFERRY_TEST_STOP_AFTER_JOURNAL_STEP,
// an _exit(137) as abrupt as SIGKILL), for every N of the job (a dense sample
// for the 300-message mbox); then the job is resumed (sometimes stopped once
// more early in the resume, while it resolves what was in flight) and run to
// the end. Each time the account must end exactly as an uninterrupted run
// leaves it: every source message once, byte for byte, with its flags, as an
// independent IMAP client sees it. A POP3 job with --delete-after-copy must
// in addition never have deleted a message the target lacks, at any stop.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <set>

#include "crash_support.hpp"
#include "mailferry/source/mbox_source.hpp"

using namespace mailferry;
using namespace mailferry::testing;
using namespace mailferry::testing::crash;

namespace {

constexpr unsigned kParallel = 4;
constexpr const char* kHook = "MAILFERRY_TEST_STOP_AFTER_JOURNAL_STEP";

using Snapshot = std::map<std::string, std::vector<ServerMessage>>;

struct Scenario {
  std::string name;
  // Everything after "sync" for the run of `tag` (its own users and state file).
  std::function<std::vector<std::string>(const std::string& tag)> args;
  std::function<void(const std::string& tag)> prepare = [](const std::string&) {};
  // Invariants that must hold right after a stop, given what the target
  // holds then ("" when they do).
  std::function<std::string(const std::string& tag, const Snapshot& target)> after_stop =
      [](const std::string&, const Snapshot&) { return std::string(); };
  std::function<std::string(const std::string& tag)> after_final = [](const std::string&) {
    return std::string();
  };
};

std::string target_user(const std::string& tag) { return "t" + tag; }

CommandResult run_sync(const Scenario& s, const std::string& tag, long stop_after = 0) {
  std::vector<std::string> args{"sync", "--quiet"};
  for (auto& a : s.args(tag)) args.push_back(a);
  EnvChanges env;
  if (stop_after > 0) env[kHook] = std::to_string(stop_after);
  return run_mailferry(args, env);
}

struct PointResult {
  long step = 0;
  int stop_exit = -1;
  long resume_stop = 0;
  std::string problems;
};

PointResult run_point(const Scenario& s, const Shape& expected, long step, long resume_stop,
                      const DovecotServer& server) {
  PointResult r;
  r.step = step;
  r.resume_stop = resume_stop;
  const std::string tag = s.name + std::to_string(step);
  try {
    s.prepare(tag);
    auto stopped = run_sync(s, tag, step);
    r.stop_exit = stopped.exit_code;
    auto check_stopped = [&] {
      const auto target = imap_snapshot(server, target_user(tag));
      r.problems += duplicates(shape_of(target));
      r.problems += s.after_stop(tag, target);
    };
    if (stopped.exit_code == 137) {
      check_stopped();
      if (resume_stop > 0) {
        auto again = run_sync(s, tag, resume_stop);
        if (again.exit_code != 137 && again.exit_code != 0)
          r.problems += "the stopped resume ended with " + again.describe() + "; ";
        if (again.exit_code == 137) check_stopped();
      }
    } else if (stopped.exit_code != 0) {
      r.problems += "the run to stop ended with " + stopped.describe() + "; ";
    }
    auto final_run = run_sync(s, tag);
    if (final_run.exit_code != 0) r.problems += "the final run ended with " + final_run.describe();
    r.problems += difference(expected, account_shape(server, target_user(tag)));
    r.problems += s.after_final(tag);
  } catch (const std::exception& e) {
    r.problems += e.what();
  }
  return r;
}

// Runs the scenario stopped after each of `steps` (1-based, ascending, the
// last ones past the end of the job); returns the job's number of steps: the
// largest N that stopped it. Every N up to there must stop it, every N after
// must let it finish.
long stop_at(const Scenario& s, const Shape& expected, const std::vector<long>& steps,
             const DovecotServer& server) {
  const auto started = std::chrono::steady_clock::now();
  auto results = parallel_map<PointResult>(steps.size(), kParallel, [&](std::size_t i) {
    // Every fourth resume stops at its first commit (the resolution of what
    // was in flight), every fourth at its second.
    const long resume_stop = i % 4 == 1 ? 1 : i % 4 == 3 ? 2 : 0;
    return run_point(s, expected, steps[i], resume_stop, server);
  });
  long total = 0;
  int stopped = 0;
  for (const auto& r : results)
    if (r.stop_exit == 137) {
      total = std::max(total, r.step);
      ++stopped;
    }
  for (const auto& r : results) {
    INFO(s.name << ": stopped after journal step " << r.step << " of " << total
                << (r.resume_stop ? ", resume stopped after step " + std::to_string(r.resume_stop)
                                  : std::string()));
    CHECK(r.stop_exit == (r.step <= total ? 137 : 0));
    CHECK(r.problems == "");
  }
  CHECK(results.back().stop_exit == 0);  // the sample reached past the end of the job
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started)
          .count();
  MESSAGE(s.name << ": " << total << " journal steps, " << stopped << " stop points run in "
                 << seconds << " s");
  return total;
}

std::vector<long> steps_up_to(long last) {
  std::vector<long> steps;
  for (long n = 1; n <= last; ++n) steps.push_back(n);
  return steps;
}

}  // namespace

TEST_CASE("crash stop: 300 corpus messages from an mbox, stopped at a dense sample of steps") {
  DovecotServer server;
  TempDir dir;
  const std::string file = mbox_excerpt(
      std::string(MAILFERRY_CORPUS_DIR) + "/mbox/linux-samsung-soc-2020-2000msgs.mboxrd", 300, dir,
      "samsung-300.mbox");
  Scenario s;
  s.name = "m";
  s.args = [&](const std::string& tag) {
    std::vector<std::string> a{"--from", "mbox:" + file, "--state", dir.file(tag + ".db")};
    for (auto& t : server.target_args(target_user(tag))) a.push_back(t);
    return a;
  };

  // The reference: one run without a stop, itself checked against the source.
  const auto reference = run_sync(s, "ref");
  INFO(reference.describe() << "\n" << reference.out);
  REQUIRE(reference.exit_code == 0);
  const Shape expected = account_shape(server, target_user("ref"));
  CHECK(duplicates(expected) == "");
  {
    source::MboxSource source(file);
    auto folders = source.folders();
    struct Collect : source::ScanSink {
      std::set<std::pair<std::string, std::uint64_t>> distinct;
      void message(source::SourceMessage m) override { distinct.insert({m.key.value, m.size}); }
      void error(core::ErrorRecord) override {}
    } sink;
    source.scan(folders.at(0), sink);
    REQUIRE(expected.count("INBOX"));
    CHECK(expected.at("INBOX").size() == sink.distinct.size());
    CHECK(sink.distinct.size() > 290);  // 300 messages, a few Message-IDs twice
  }

  // A step for the intents, then one per result: the sample is dense at the
  // start, around the first batch of results (written after 256 answers,
  // while later APPENDs are still in flight) and at the end.
  const long messages = static_cast<long>(expected.at("INBOX").size());
  std::set<long> sample;
  for (long n = 1; n <= 10; ++n) sample.insert(n);
  for (long n = 32; n < messages; n += 32) sample.insert(n);
  for (long n = 250; n <= 262; ++n) sample.insert(n);
  for (long n = messages - 2; n <= messages + 3; ++n) sample.insert(n);
  const long total = stop_at(s, expected, {sample.begin(), sample.end()}, server);
  CHECK(total > 256);
}

TEST_CASE("crash stop: PST files with several folders and repeated items, stopped at every step") {
  DovecotServer server;
  TempDir dir;
  int index = 0;
  // threeItems: one message in each of four nested folders; Test_part1: 31
  // items in Sent Items, most of them repeated.
  for (auto [name, folders_with_mail] : {std::pair{"threeItems.pst", 4}, {"Test_part1.pst", 1}}) {
    const std::string file = std::string(MAILFERRY_CORPUS_DIR) + "/pst/" + name;
    Scenario s;
    s.name = "x" + std::to_string(++index) + "s";  // user names are not case-sensitive
    s.args = [&, file](const std::string& tag) {
      std::vector<std::string> a{"--from", "pst:" + file, "--state", dir.file(tag + ".db")};
      for (auto& t : server.target_args(target_user(tag))) a.push_back(t);
      return a;
    };
    const auto reference = run_sync(s, s.name + "ref");
    INFO(reference.describe() << "\n" << reference.out);
    REQUIRE(reference.exit_code == 0);
    const Shape expected = account_shape(server, target_user(s.name + "ref"));
    CHECK(duplicates(expected) == "");
    std::size_t messages = 0, folders = 0;
    for (const auto& [folder, list] : expected) {
      messages += list.size();
      folders += !list.empty();
    }
    CHECK(messages >= 4);
    CHECK(folders == static_cast<std::size_t>(folders_with_mail));
    const long total =
        stop_at(s, expected, steps_up_to(static_cast<long>(messages + 2 * folders + 2)), server);
    CHECK(total > static_cast<long>(messages));
  }
}

TEST_CASE(
    "crash stop: POP3 with delete-after-copy, stopped at every step, never deletes what the target "
    "lacks") {
  DovecotServer server;
  TempDir dir;
  const std::string file = mbox_excerpt(
      std::string(MAILFERRY_CORPUS_DIR) + "/mbox/linux-samsung-soc-2020-2000msgs.mboxrd", 30, dir,
      "samsung-30.mbox");
  auto pop_user = [](const std::string& tag) { return "p" + tag; };
  // A POP3 mailbox with the 30 messages, put there through IMAP once; each
  // run gets a copy of its mail store (cp -a keeps the owner Dovecot writes
  // as), which costs far less than a sync per stop point.
  {
    std::vector<std::string> a{"sync",         "--quiet", "--from",
                               "mbox:" + file, "--state", dir.file("fill.db")};
    for (auto& t : server.target_args(pop_user("filled"))) a.push_back(t);
    auto r = run_mailferry(a);
    INFO(r.describe());
    REQUIRE(r.exit_code == 0);
  }
  const auto original = shas(imap_snapshot(server, pop_user("filled"))["INBOX"]);
  REQUIRE(original.size() == 30);
  const auto mail = std::filesystem::path(server.root()) / "mail";
  auto fill = [&](const std::string& tag) {
    auto r = run_command(
        {"cp", "-a", (mail / pop_user("filled")).string(), (mail / pop_user(tag)).string()});
    if (r.exit_code != 0) throw std::runtime_error("copying the POP3 mailbox: " + r.describe());
  };
  fill("ref");

  Scenario s;
  s.name = "p";
  s.prepare = fill;
  s.args = [&](const std::string& tag) {
    std::vector<std::string> a{"--from",
                               server.url("pop3s", pop_user(tag)),
                               "--from-password-file",
                               server.password_file(),
                               "--delete-after-copy",
                               "--state",
                               dir.file(tag + ".db")};
    for (auto& t : server.target_args(target_user(tag))) a.push_back(t);
    return a;
  };
  s.after_stop = [&](const std::string& tag, const Snapshot& target) {
    auto left = shas(imap_snapshot(server, pop_user(tag))["INBOX"]);
    auto copied = target.count("INBOX") ? shas(target.at("INBOX")) : std::multiset<std::string>{};
    std::size_t lost = 0;
    for (const auto& sha : original) lost += left.count(sha) == 0 && copied.count(sha) == 0;
    return lost == 0 ? std::string()
                     : std::to_string(lost) + " messages deleted from POP3 are not on the target; ";
  };
  s.after_final = [&](const std::string& tag) {
    auto left = imap_snapshot(server, pop_user(tag))["INBOX"].size();
    return left == 0 ? std::string()
                     : std::to_string(left) + " messages still on the POP3 server; ";
  };

  const auto reference = run_sync(s, "ref");
  INFO(reference.describe() << "\n" << reference.out);
  REQUIRE(reference.exit_code == 0);
  const Shape expected = account_shape(server, target_user("ref"));
  CHECK(duplicates(expected) == "");
  auto copied = shas(imap_snapshot(server, target_user("ref"))["INBOX"]);
  CHECK(copied == original);
  CHECK(s.after_final("ref") == "");

  const long total =
      stop_at(s, expected, steps_up_to(static_cast<long>(original.size()) + 3), server);
  CHECK(total > static_cast<long>(original.size()));
}
