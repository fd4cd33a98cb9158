// The upload journal: for each target folder, which APPENDs were started
// (intents) and what the server answered (results), kept in the job's state
// store.
//
// Why it is needed even though the server is the truth: when a run is killed
// with APPENDs in flight, the server goes on executing the commands it had
// already received, after the client is gone. A new run that indexes the
// folder at that moment would miss them and upload them again. With the
// journal, a new run that finds intents without results waits until the
// folder has settled (no new messages for a while) and indexes it again before
// it uploads anything, so an interrupted upload is never doubled.
//
// The records:
//  - intent (begin): message key, size, the source message (folder and the
//    adapter's locator) and the target folder; written in one transaction per
//    batch, before the first byte of the batch is sent;
//  - result (end): what became of an intent: stored (UIDVALIDITY/UID from
//    APPENDUID when the server says), found again on the server by key when an
//    interrupted upload is resolved, or refused. A result replaces its intent.
//    Results are written in batches; losing them only costs the settle wait on
//    the next run. The executor removes source messages (POP3 DELE) only after
//    the results of their uploads are committed.
// Results of earlier runs are dropped when a new batch of intents starts in
// the same folder: that run has indexed the folder, and the server says more
// than they do.
//
// Crash safety: every call is one SQLite transaction (WAL, synchronous=FULL;
// see state_store.hpp). A commit is durable when the call returns, and a
// process killed at any moment leaves the journal as it was after the last
// completed call: SQLite's write-ahead log gives the write/fsync/rename
// guarantee of an atomic file without a file of our own.
//
// Test hook (not for users): when the environment variable
// MAILFERRY_TEST_STOP_AFTER_JOURNAL_STEP=N is set, the process exits with
// _exit(137), as if killed by SIGKILL, right after its Nth journal commit
// (counted over all journals of the process). In that mode end() commits each
// result on its own, so that every result is a step. The crash tests stop a
// job at every step and check that the next run completes it exactly once.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "mailferry/core/message_key.hpp"
#include "mailferry/sync/state_store.hpp"

namespace mailferry::sync {

enum class JournalOutcome {
  Stored,   // the server said OK to the APPEND
  Found,    // an interrupted upload was found on the server by its key
  Refused,  // the server (or the APPENDLIMIT check) refused it
};

// One upload. key and size identify it (messages sharing a Message-ID differ
// in size, see differ.hpp); the rest is filled where it is known.
struct JournalEntry {
  JournalEntry() = default;
  JournalEntry(core::MessageKey key_, std::uint64_t size_) : key(std::move(key_)), size(size_) {}

  core::MessageKey key;
  std::uint64_t size = 0;
  // Intent: the source message ("<source folder>\t<locator>"); may be empty.
  std::string source;
  // Result (end()): what the server answered; uid 0 when it did not say.
  JournalOutcome outcome = JournalOutcome::Stored;
  std::uint32_t uidvalidity = 0;
  std::uint32_t uid = 0;
  bool operator==(const JournalEntry&) const = default;
};

class Journal {
 public:
  // `scope` keeps jobs sharing a state file apart ("mbox:/a -> imaps://u@h:993").
  Journal(StateStore& store, std::string scope);

  // Intents of uploads into `folder` that have no result: started and never
  // known to have ended. Each carries its key, size and source.
  std::vector<JournalEntry> pending(const std::string& folder);
  // Results recorded for `folder` (since the last batch of intents).
  std::vector<JournalEntry> results(const std::string& folder);
  // Records that these uploads into `folder` are about to start.
  void begin(const std::string& folder, const std::vector<JournalEntry>& entries);
  // Records what the server answered for these uploads (outcome, UIDs).
  void end(const std::string& folder, const std::vector<JournalEntry>& entries);
  // Resolves the pending intents of `folder` after looking them up on the
  // server: those in `found` get the result Found (with their UIDs), the
  // others are forgotten (the next plan uploads them again).
  void resolve(const std::string& folder, const std::vector<JournalEntry>& found);
  // Forgets every pending intent of `folder` (after they were resolved
  // against the server). Recorded results stay.
  void clear(const std::string& folder);

 private:
  std::string space(const std::string& folder) const;
  // Counts a commit for the test hook; exits there when it is the Nth.
  static void step_committed();
  StateStore& store_;
  std::string scope_;
  std::set<std::string> pruned_;  // folders whose earlier results were dropped
};

}  // namespace mailferry::sync
