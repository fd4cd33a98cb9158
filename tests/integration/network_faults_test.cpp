// Network faults between mailferry and a real Dovecot: a proxy cuts the
// connection after a random number of bytes, again and again; the executor
// reconnects, re-indexes, resolves what was in flight, and goes on. The end
// state must be complete and free of duplicates, checked by an independent
// IMAP client.
#include <doctest/doctest.h>

#include <map>

#include "mailferry/source/mbox_source.hpp"
#include "mailferry/sync/executor.hpp"
#include "mailferry/sync/journal.hpp"
#include "mailferry/sync/state_store.hpp"
#include "mailferry/target/imap_target.hpp"
#include "support/dovecot_server.hpp"
#include "support/fault_proxy.hpp"
#include "support/imap_snapshot.hpp"
#include "support/temp_dir.hpp"

using namespace mailferry;
using namespace mailferry::testing;

namespace {

net::ConnectOptions through(const FaultProxy& proxy, const DovecotServer& server,
                            const std::string& user) {
  net::ConnectOptions o = server.connect_options(net::Protocol::Imap, user);
  o.port = proxy.port();
  o.timeout = std::chrono::seconds(10);
  return o;
}

// The first `count` messages of an mbox file, as a new file in `dir`: big
// enough for a hundred cuts, small enough for a test.
std::string first_messages(const std::string& path, int count, const TempDir& dir) {
  const std::string bytes = read_file(path);
  std::size_t end = 0;
  for (int seen = 0; seen < count; ++seen) {
    end = bytes.find("\nFrom ", end + 1);
    if (end == std::string::npos) return dir.write_file("part.mbox", bytes);
  }
  return dir.write_file("part.mbox", bytes.substr(0, end + 1));
}

sync::ExecutorOptions fast_retries(sync::Journal& journal) {
  sync::ExecutorOptions options;
  options.mapping.single_folder_source = true;
  options.journal = &journal;
  options.reconnects.attempts = 8;
  options.reconnects.first_delay = std::chrono::milliseconds(5);
  options.reconnects.max_delay = std::chrono::milliseconds(40);
  options.settle_quiet = std::chrono::milliseconds(150);
  return options;
}

}  // namespace

TEST_CASE("network faults: 100 random cuts in one job end complete and duplicate-free") {
  DovecotServer server;
  TempDir dir;
  FaultPlan plan;
  plan.cut_min_bytes = 2'000;
  plan.cut_max_bytes = 80'000;
  plan.max_cuts = 100;
  plan.seed = 20261122;
  FaultProxy proxy(server.imaps_port(), plan);

  const std::string file = first_messages(
      std::string(MAILFERRY_CORPUS_DIR) + "/mbox/linux-samsung-soc-2020-2000msgs.mboxrd", 500, dir);
  source::MboxSource source(file);
  sync::StateStore state(dir.file("state.db"));
  sync::Journal journal(state, "faults");
  sync::JobReport report;
  // A job may give up after too many failures in a row (late in the job every
  // connection can be cut while it indexes the folder); run it again, as cron
  // would. The proxy stops cutting after max_cuts, so this ends.
  for (int run = 0; run < 40 && (run == 0 || report.exit_code != 0); ++run) {
    try {
      target::ImapTarget target(through(proxy, server, "faulty"));
      report = sync::Executor(source, target, fast_retries(journal)).run();
    } catch (const core::ConnectionError&) {
      report.exit_code = core::kExitConnection;  // the login itself was cut: next run
    }
  }
  INFO("cuts: " << proxy.cuts() << ", connections: " << proxy.connections());
  CHECK(proxy.cuts() == 100);
  REQUIRE(report.exit_code == 0);

  auto inbox = imap_snapshot(server, "faulty")["INBOX"];
  std::map<std::string, int> copies;
  for (const auto& m : inbox) ++copies[m.sha256];
  CHECK(inbox.size() == report.totals.source);  // every distinct message of the file
  CHECK(report.totals.source == 500);
  for (const auto& [sha, n] : copies) {
    INFO("sha256 " << sha);
    CHECK(n == 1);
  }
}

TEST_CASE(
    "network faults: a stalled connection times out instead of hanging, and the job resumes") {
  DovecotServer server;
  TempDir dir;
  FaultPlan plan;
  plan.cut_min_bytes = 30'000;
  plan.cut_max_bytes = 60'000;
  plan.max_cuts = 2;
  plan.stall_instead_of_cut = true;
  FaultProxy proxy(server.imaps_port(), plan);

  source::MboxSource source(std::string(MAILFERRY_CORPUS_DIR) + "/mbox/mbox.src");
  sync::StateStore state(dir.file("state.db"));
  sync::Journal journal(state, "stalls");
  auto options = through(proxy, server, "stalled");
  options.timeout = std::chrono::seconds(2);
  target::ImapTarget target(options);
  auto started = std::chrono::steady_clock::now();
  auto report = sync::Executor(source, target, fast_retries(journal)).run();
  auto took = std::chrono::steady_clock::now() - started;
  CHECK(proxy.cuts() == 2);
  CHECK(report.exit_code == 0);
  CHECK(report.reconnects >= 1);
  CHECK(took < std::chrono::seconds(60));
  CHECK(report.totals.appended ==
        static_cast<std::uint64_t>(server.message_count("stalled", "INBOX")));
}
