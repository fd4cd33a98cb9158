// kill -9 at random moments during real runs of the binary, again and again,
// then a clean run: nothing lost, nothing doubled. After every kill the
// target must hold no message twice, and a POP3 job with --delete-after-copy
// must not have deleted anything the target lacks. (The mbox variant is in
// mbox_sync_test.cpp.)
#include <doctest/doctest.h>

#include <random>

#include "crash_support.hpp"

using namespace mailferry;
using namespace mailferry::testing;
using namespace mailferry::testing::crash;

namespace {

struct Kills {
  int rounds = 0;
  int killed = 0;             // runs that were still going when the signal came
  int during_uploads = 0;     // ... after they had uploaded something
  std::size_t on_server = 0;  // messages on the target after the last round
  void count(int status, std::size_t now_on_server) {
    if (WIFSIGNALED(status)) {
      ++killed;
      if (now_on_server > on_server) ++during_uploads;
    }
    on_server = now_on_server;
  }
};

std::size_t messages_in(const Shape& shape) {
  std::size_t n = 0;
  for (const auto& [folder, list] : shape) n += list.size();
  return n;
}

}  // namespace

TEST_CASE(
    "crash kill: POP3 with delete-after-copy, killed at random moments, loses and doubles "
    "nothing") {
  DovecotServer server;
  TempDir dir;
  const std::string file = mbox_excerpt(
      std::string(MAILFERRY_CORPUS_DIR) + "/mbox/linux-samsung-soc-2020-2000msgs.mboxrd", 400, dir,
      "samsung-400.mbox");
  // A POP3 mailbox with the 400 messages, put there through IMAP.
  auto fill = [&](const std::string& user) {
    std::vector<std::string> args{"sync",         "--quiet", "--from",
                                  "mbox:" + file, "--state", dir.file(user + ".fill.db")};
    for (auto& a : server.target_args(user)) args.push_back(a);
    REQUIRE(run_mailferry(args).exit_code == 0);
  };
  auto pop_args = [&](const std::string& from, const std::string& to) {
    std::vector<std::string> args{"sync",
                                  "--quiet",
                                  "--from",
                                  server.url("pop3s", from),
                                  "--from-password-file",
                                  server.password_file(),
                                  "--delete-after-copy",
                                  "--state",
                                  dir.file(to + ".db")};
    for (auto& a : server.target_args(to)) args.push_back(a);
    return args;
  };
  // How long an uninterrupted run takes here, to kill anywhere inside one.
  fill("measured");
  const auto measure_started = std::chrono::steady_clock::now();
  REQUIRE(run_mailferry(pop_args("measured", "measuredcopy")).exit_code == 0);
  const auto full_run = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - measure_started);

  fill("popbox");
  const auto original = shas(imap_snapshot(server, "popbox")["INBOX"]);
  REQUIRE(original.size() > 390);
  const auto args = pop_args("popbox", "copied");

  std::mt19937 random(20261123);
  Kills kills;
  for (; kills.rounds < 8; ++kills.rounds) {
    // Every other round kills when the target has stored a few more messages
    // (in the middle of the pipelined APPENDs; the server goes on with those
    // it has received, so each such round moves the job on by a few dozen),
    // the others at a random time within the first half of what the rest of
    // the job took in the measured run (start-up, headers, RETR, APPEND, DELE
    // and QUIT): a machine that has become twice as fast since still sees
    // the kill land mid-way.
    const std::size_t left_to_copy = original.size() - kills.on_server;
    int status = 0;
    if (kills.rounds % 2 == 0 && left_to_copy > 1) {
      const std::size_t kill_at = kills.on_server + 1 + random() % (left_to_copy / 8 + 1);
      status = run_and_kill(
          args, [&] { return stored_messages(server, "copied") >= kill_at; }, full_run * 10);
    } else {
      const long span = 100 + full_run.count() * static_cast<long>(left_to_copy) /
                                  static_cast<long>(original.size()) / 2;
      status = run_and_kill(args, std::chrono::milliseconds(50 + random() % span));
    }
    INFO("after kill round " << kills.rounds << (WIFSIGNALED(status) ? " (killed)" : " (ended)"));
    const auto left = shas(imap_snapshot(server, "popbox")["INBOX"]);
    const auto target = imap_snapshot(server, "copied");
    const auto copied =
        target.count("INBOX") ? shas(target.at("INBOX")) : std::multiset<std::string>{};
    kills.count(status, copied.size());
    CHECK(duplicates(shape_of(target)) == "");
    std::size_t lost = 0;
    for (const auto& sha : original) lost += left.count(sha) == 0 && copied.count(sha) == 0;
    CHECK(lost == 0);
    if (!WIFSIGNALED(status)) {  // the job finished before the kill
      ++kills.rounds;
      break;
    }
  }
  MESSAGE("POP3: a full run takes " << full_run.count() << " ms; " << kills.rounds << " rounds, "
                                    << kills.killed << " runs killed mid-way, "
                                    << kills.during_uploads << " of them while uploading");
  CHECK(kills.killed >= 3);
  CHECK(kills.during_uploads >= 2);

  auto final_run = run_mailferry(args);
  INFO(final_run.describe());
  REQUIRE(final_run.exit_code == 0);
  CHECK(shas(imap_snapshot(server, "copied")["INBOX"]) == original);
  CHECK(imap_snapshot(server, "popbox")["INBOX"].empty());
}

TEST_CASE(
    "crash kill: a PST with several folders (enron), killed at random moments, ends exactly like "
    "an uninterrupted run") {
  DovecotServer server;
  TempDir dir;
  const std::string file = std::string(MAILFERRY_CORPUS_DIR) + "/pst/enron.pst";
  auto args_for = [&](const std::string& user) {
    std::vector<std::string> args{"sync",        "--quiet", "--from",
                                  "pst:" + file, "--state", dir.file(user + ".db")};
    for (auto& a : server.target_args(user)) args.push_back(a);
    return args;
  };
  const auto reference_started = std::chrono::steady_clock::now();
  REQUIRE(run_mailferry(args_for("reference")).exit_code == 0);
  const auto full_run = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - reference_started);
  const Shape expected = account_shape(server, "reference");
  CHECK(duplicates(expected) == "");
  CHECK(messages_in(expected) == 71);

  std::mt19937 random(20261124);
  Kills kills;
  std::string user = "killed";
  for (int fresh = 0; kills.rounds < 12 && kills.killed < 3; ++kills.rounds) {
    // Anywhere in the first two thirds of a run as long as the reference
    // took: reading the PST comes first, uploads follow folder by folder.
    const auto delay = std::chrono::milliseconds(20 + random() % (full_run.count() * 2 / 3 + 1));
    const int status = run_and_kill(args_for(user), delay);
    const Shape now = account_shape(server, user);
    kills.count(status, messages_in(now));
    INFO("after kill round " << kills.rounds);
    CHECK(duplicates(now) == "");
    // A run that finished before its kill (a busy machine runs slower or
    // faster than the reference) leaves nothing to interrupt: start over on
    // a fresh account, so the kills still land mid-run.
    if (!WIFSIGNALED(status)) user = "killed" + std::to_string(++fresh);
  }
  MESSAGE("PST: " << kills.rounds << " rounds, " << kills.killed << " runs killed mid-way, "
                  << kills.during_uploads << " of them while uploading");
  CHECK(kills.killed >= 3);

  auto final_run = run_mailferry(args_for(user));
  INFO(final_run.describe());
  REQUIRE(final_run.exit_code == 0);
  CHECK(difference(expected, account_shape(server, user)) == "");
}
