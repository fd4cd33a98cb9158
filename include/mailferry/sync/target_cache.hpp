// The target folders' indexes, kept in the job's state store between runs, so
// that a run with nothing new need not fetch the headers of every message on
// the server again.
//
// Never trusted blindly: an index is used only as far as the server confirms
// it (target::Target::index_folder_since: same UIDVALIDITY, and UIDNEXT,
// MESSAGES and HIGHESTMODSEQ tell what changed since), and kept only when the
// server holds exactly the messages it lists (Target::snapshot_if_exactly).
// Flags in a kept index may lag changes another client made while the run
// was writing; that can only cost an unneeded +FLAGS, or leave a flag that
// someone removed on the server removed. Deleting the state file costs one
// full index, never a wrong plan.
//
// Errors: sync::StateStoreError from the store. A stored index that cannot
// be read (damaged, or from another version) is treated as absent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailferry/core/flags.hpp"
#include "mailferry/core/message_key.hpp"
#include "mailferry/sync/state_store.hpp"
#include "mailferry/target/target.hpp"

namespace mailferry::sync {

struct CachedMessage {
  std::uint32_t uid = 0;
  core::MessageKey key;
  core::Flags flags;
  std::uint64_t size = 0;
  bool operator==(const CachedMessage&) const = default;
};

struct CachedFolder {
  target::FolderSnapshot snapshot;      // what the server said when the index was exact
  std::vector<CachedMessage> messages;  // ascending UID, no UID twice
};

class TargetCache {
 public:
  // `account` keeps targets sharing a state file apart ("imaps://alice@host:993").
  TargetCache(StateStore& store, std::string account);

  std::optional<CachedFolder> load(const std::string& folder);
  void save(const std::string& folder, const CachedFolder& cached);
  void forget(const std::string& folder);

  // The stored form (a version byte, the snapshot, then the messages with
  // UIDs as deltas); decode() gives nullopt for anything it did not write.
  static std::string encode(const CachedFolder& cached);
  static std::optional<CachedFolder> decode(std::string_view bytes);

 private:
  std::string key(const std::string& folder) const;
  StateStore& store_;
  std::string account_;
};

}  // namespace mailferry::sync
