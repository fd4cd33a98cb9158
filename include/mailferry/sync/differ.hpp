// The diff: a pure function from (source messages, target index, policy) to a
// plan. It knows nothing of protocols or files, so it is tested exhaustively
// without a server.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "mailferry/core/flags.hpp"
#include "mailferry/core/message_key.hpp"
#include "mailferry/source/source.hpp"
#include "mailferry/target/target.hpp"

namespace mailferry::sync {

// The target folder's messages by key. Several copies of one key on the server
// are possible (put there by someone else); any of them makes the message present.
class TargetIndex {
 public:
  struct Entry {
    std::uint32_t uid = 0;  // 0: appended in this run, UID not known
    core::Flags flags;
  };

  void add(const core::MessageKey& key, Entry entry);
  const Entry* find(const core::MessageKey& key) const;
  std::size_t size() const { return entries_.size(); }

 private:
  std::unordered_map<core::MessageKey, Entry> entries_;  // first copy wins
};

struct DiffPolicy {
  bool keywords_allowed = false;  // the folder keeps $Forwarded / $MDNSent
  bool merge_flags = true;        // add source flags missing on present messages
  bool drafts_folder = false;     // the source folder holds drafts: they get \Draft
};

struct PlannedAppend {
  std::size_t source_index = 0;
  core::Flags flags;
};

struct PlannedFlagUpdate {
  std::size_t source_index = 0;
  std::uint32_t uid = 0;
  core::Flags add;
};

struct PresentMessage {
  std::size_t source_index = 0;
  std::uint32_t uid = 0;
};

struct FolderPlan {
  std::vector<PlannedAppend> appends;
  std::vector<PlannedFlagUpdate> flag_updates;
  std::vector<PresentMessage> present;
  std::vector<std::size_t> duplicates;  // source indexes of repeated messages, not uploaded
};

// The flags a message should have on the server: its own, plus $MDNSent for a
// read message that asks for a read receipt (so clients do not send receipts
// for old mail), plus \Draft in a drafts folder (mbox files have no draft
// bit, so Thunderbird's drafts would otherwise arrive as sent-looking mail),
// minus keywords the folder cannot keep.
core::Flags wanted_flags(const source::SourceMessage& message, const DiffPolicy& policy);

// Plans one source folder against its target folder. Messages are
// considered in source order: the first of several with one key is the one
// planned, the rest are duplicates. O(n) in the number of messages.
FolderPlan diff_folder(const std::vector<source::SourceMessage>& messages,
                       const TargetIndex& target, const DiffPolicy& policy);

}  // namespace mailferry::sync
