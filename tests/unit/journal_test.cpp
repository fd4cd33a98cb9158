// The upload journal: intents and results per target folder, their lifetime
// across runs, and what a process killed mid-transaction leaves behind.
#include "mailferry/sync/journal.hpp"

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/temp_dir.hpp"

using namespace mailferry;
using mailferry::testing::TempDir;

namespace {

sync::JournalEntry entry(const std::string& key, std::uint64_t size,
                         const std::string& source = "") {
  sync::JournalEntry e({key}, size);
  e.source = source;
  return e;
}

sync::JournalEntry stored(const std::string& key, std::uint64_t size, std::uint32_t uid) {
  sync::JournalEntry e({key}, size);
  e.outcome = sync::JournalOutcome::Stored;
  e.uidvalidity = 1700000000;
  e.uid = uid;
  return e;
}

// Runs `body` in a child process that ends with _exit(0) (as abruptly as a
// kill: no destructors run); returns the child's exit status.
template <typename Body>
int in_child(Body body) {
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    body();
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("journal: an intent stays pending until its result, which carries the UID") {
  TempDir dir;
  sync::StateStore store(dir.file("state.db"));
  sync::Journal journal(store, "mbox:/a -> imaps://u@h:993");
  journal.begin("INBOX", {entry("<a@x>", 100, "INBOX\t0"), entry("<b@x>", 200, "INBOX\t100"),
                          entry("fp:1 2", 300, "INBOX\t300")});
  auto pending = journal.pending("INBOX");
  REQUIRE(pending.size() == 3);
  CHECK(pending[0].key.value == "<a@x>");
  CHECK(pending[0].size == 100);
  CHECK(pending[0].source == "INBOX\t0");
  CHECK(pending[2].key.value == "fp:1 2");  // keys may hold spaces
  CHECK(journal.pending("Sent").empty());

  journal.end("INBOX", {stored("<a@x>", 100, 41)});
  sync::JournalEntry refused({"<b@x>"}, 200);
  refused.outcome = sync::JournalOutcome::Refused;
  journal.end("INBOX", {refused});
  pending = journal.pending("INBOX");
  REQUIRE(pending.size() == 1);
  CHECK(pending[0].key.value == "fp:1 2");

  auto results = journal.results("INBOX");
  REQUIRE(results.size() == 2);
  CHECK(results[0].key.value == "<a@x>");
  CHECK(results[0].outcome == sync::JournalOutcome::Stored);
  CHECK(results[0].uidvalidity == 1700000000);
  CHECK(results[0].uid == 41);
  CHECK(results[1].outcome == sync::JournalOutcome::Refused);
}

TEST_CASE("journal: resolving records what was found and forgets the rest") {
  TempDir dir;
  sync::StateStore store(dir.file("state.db"));
  sync::Journal journal(store, "job");
  journal.begin("INBOX", {entry("<a@x>", 1), entry("<b@x>", 2), entry("<a@x>", 3)});
  sync::JournalEntry found({"<a@x>"}, 3);
  found.uid = 7;
  journal.resolve("INBOX", {found});
  CHECK(journal.pending("INBOX").empty());
  auto results = journal.results("INBOX");
  REQUIRE(results.size() == 1);
  CHECK(results[0].size == 3);  // the same key with another size is another message
  CHECK(results[0].outcome == sync::JournalOutcome::Found);
  CHECK(results[0].uid == 7);

  journal.begin("INBOX", {entry("<c@x>", 4)});
  journal.clear("INBOX");
  CHECK(journal.pending("INBOX").empty());
  CHECK(journal.results("INBOX").size() == 1);  // clear() keeps results
}

TEST_CASE("journal: jobs and folders are kept apart, and a new run drops old results") {
  TempDir dir;
  sync::StateStore store(dir.file("state.db"));
  {
    sync::Journal one(store, "job one");
    sync::Journal two(store, "job two");
    one.begin("INBOX", {entry("<a@x>", 1)});
    two.begin("INBOX", {entry("<b@x>", 1)});
    one.begin("Sent", {entry("<c@x>", 1)});
    one.end("INBOX", {stored("<a@x>", 1, 1)});
    // A second batch into the same folder in the same run keeps the first's results.
    one.begin("INBOX", {entry("<d@x>", 1)});
    CHECK(one.results("INBOX").size() == 1);
    CHECK(two.pending("INBOX").size() == 1);
    CHECK(two.pending("INBOX")[0].key.value == "<b@x>");
    CHECK(one.pending("Sent").size() == 1);
  }
  sync::Journal next_run(store, "job one");
  CHECK(next_run.results("INBOX").size() == 1);
  next_run.begin("INBOX", {entry("<e@x>", 1)});
  CHECK(next_run.results("INBOX").empty());
  auto pending = next_run.pending("INBOX");
  REQUIRE(pending.size() == 2);  // intents are never dropped unresolved
  CHECK(pending[0].key.value == "<d@x>");
  CHECK(pending[1].key.value == "<e@x>");
}

TEST_CASE("journal: intents written before results existed are still pending") {
  TempDir dir;
  sync::StateStore store(dir.file("state.db"));
  store.put("journal\nold job\nINBOX", "120 <old@x>", "started");
  store.put("journal\nold job\nINBOX", "garbage", "started");
  sync::Journal journal(store, "old job");
  auto pending = journal.pending("INBOX");
  REQUIRE(pending.size() == 1);
  CHECK(pending[0].key.value == "<old@x>");
  CHECK(pending[0].size == 120);
  CHECK(pending[0].source.empty());
}

TEST_CASE(
    "journal: a process killed before a commit leaves the journal as the last commit made it") {
  TempDir dir;
  const std::string path = dir.file("state.db");
  { sync::StateStore create(path); }
  CHECK(in_child([&] {
          sync::StateStore store(path);
          sync::Journal journal(store, "job");
          journal.begin("INBOX", {entry("<a@x>", 1), entry("<b@x>", 2)});
          // Killed in the middle of the next transaction.
          sync::StateStore::Transaction t(store);
          store.put("journal\njob\nINBOX", "1 <a@x>", "stored\t1\t1");
          _exit(0);
        }) == 0);
  sync::StateStore store(path);
  sync::Journal journal(store, "job");
  CHECK(journal.pending("INBOX").size() == 2);
  CHECK(journal.results("INBOX").empty());
}
