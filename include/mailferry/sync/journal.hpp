// The upload journal: which APPENDs were started and not yet known to have
// ended, per target folder, kept in the job's state store.
//
// Why it is needed even though the server is the truth: when a run is killed
// with APPENDs in flight, the server goes on executing the commands it had
// already received, after the client is gone. A new run that indexes the
// folder at that moment would miss them and upload them again. With the
// journal, a new run that finds intents without results waits until the
// folder has settled (no new messages for a while) and indexes it again before
// it uploads anything, so an interrupted upload is never doubled.
//
// Intents are written in one transaction per batch, before the first byte of
// the batch is sent; results are written as they come (batched), and losing
// them only costs the settle wait on the next run.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mailferry/core/message_key.hpp"
#include "mailferry/sync/state_store.hpp"

namespace mailferry::sync {

// One upload: the message's key and size (messages sharing a Message-ID
// differ in size, see differ.hpp).
struct JournalEntry {
  core::MessageKey key;
  std::uint64_t size = 0;
  bool operator==(const JournalEntry&) const = default;
};

class Journal {
 public:
  // `scope` keeps jobs sharing a state file apart ("mbox:/a -> imaps://u@h:993").
  Journal(StateStore& store, std::string scope);

  // Keys of uploads into `folder` that were started and never ended.
  std::vector<JournalEntry> pending(const std::string& folder);
  // Records that these uploads into `folder` are about to start.
  void begin(const std::string& folder, const std::vector<JournalEntry>& entries);
  // Records that these uploads ended (stored, or refused by the server).
  void end(const std::string& folder, const std::vector<JournalEntry>& entries);
  // Forgets every intent of `folder` (after they were resolved against the server).
  void clear(const std::string& folder);

 private:
  std::string space(const std::string& folder) const;
  StateStore& store_;
  std::string scope_;
};

}  // namespace mailferry::sync
