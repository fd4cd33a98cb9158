// The diff: a pure function from (source messages, target index, policy) to a
// plan. It knows nothing of protocols or files, so it is tested exhaustively
// without a server.
#pragma once

#include <cstdint>
#include <vector>

#include "mailferry/core/flags.hpp"
#include "mailferry/core/message_key.hpp"
#include "mailferry/source/source.hpp"
#include "mailferry/sync/message_list.hpp"
#include "mailferry/sync/target_index.hpp"
#include "mailferry/target/target.hpp"

namespace mailferry::sync {

struct DiffPolicy {
  bool keywords_allowed = false;  // the folder keeps $Forwarded / $MDNSent
  // Present messages get the source's flags they lack, and lose the flags
  // the source removed since it was last read (SourceMessage::flags_removed).
  bool merge_flags = true;
  bool drafts_folder = false;  // the source folder holds drafts: they get \Draft
};

struct PlannedAppend {
  std::size_t source_index = 0;
  core::Flags flags;
};

struct PlannedFlagUpdate {
  std::size_t source_index = 0;
  std::uint32_t uid = 0;
  core::Flags add;
  core::Flags remove;
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
core::Flags wanted_flags(core::Flags own, bool requests_read_receipt, const DiffPolicy& policy);

// Plans one source folder against its target folder, in source order.
//
// Identity is the key (Message-ID, or fingerprint). Two source messages with
// one key and one size are the same message: the first is planned, the others
// are duplicates. Messages sharing a Message-ID but differing in size are
// different messages (git format-patch series, broken clients): each is
// matched only against server copies of the same size, so none is lost and a
// re-run finds each again. A key held by one message size in the source
// matches any server copy with that key, whatever its size (the server's copy
// may have come another way, with other transport headers). O(n log n):
// the repeats are found by sorting positions by key.
FolderPlan diff_folder(const MessageList& messages, const TargetIndex& target,
                       const DiffPolicy& policy);
FolderPlan diff_folder(const std::vector<source::SourceMessage>& messages,
                       const TargetIndex& target, const DiffPolicy& policy);

}  // namespace mailferry::sync
