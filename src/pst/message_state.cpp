#include "mailferry/pst/message_state.hpp"

namespace mailferry::pst {
namespace {

// [MS-OXCMSG] 2.2.1.6 PidTagMessageFlags
constexpr std::int32_t kMsgFlagRead = 0x0001;
constexpr std::int32_t kMsgFlagUnsent = 0x0008;
constexpr std::int32_t kMsgFlagFromMe = 0x0020;
constexpr std::int32_t kMsgFlagRnPending = 0x0100;
// [MS-OXOMSG] 2.2.1.45 PidTagLastVerbExecuted
constexpr std::int32_t kVerbReplyToSender = 102;
constexpr std::int32_t kVerbReplyToAll = 103;
constexpr std::int32_t kVerbForward = 104;
// [MS-OXOMSG] 2.2.1.10 PidTagIconIndex
constexpr std::int32_t kIconReplied = 0x105;
constexpr std::int32_t kIconForwarded = 0x106;
// [MS-OXOFLAG] 2.2.1.1 PidTagFlagStatus
constexpr std::int32_t kFollowupFlagged = 2;
// [MS-OXCMSG] 2.2.1.8 PidTagMessageStatus
constexpr std::int32_t kMsgStatusAnswered = 0x0200;

}  // namespace

core::Flags message_flags(const Message& m) {
  core::Flags flags;
  if (m.flags & kMsgFlagRead) flags.add(core::Flag::Seen);
  if (m.last_verb == kVerbReplyToSender || m.last_verb == kVerbReplyToAll ||
      m.icon_index == kIconReplied || (m.msg_status & kMsgStatusAnswered))
    flags.add(core::Flag::Answered);
  if (m.last_verb == kVerbForward || m.icon_index == kIconForwarded)
    flags.add(core::Flag::Forwarded);
  if (m.flag_status == kFollowupFlagged) flags.add(core::Flag::Flagged);
  if (m.flags & kMsgFlagUnsent) flags.add(core::Flag::Draft);
  if (m.read_receipt_requested && !(m.flags & kMsgFlagRnPending) &&
      !(m.flags & (kMsgFlagUnsent | kMsgFlagFromMe)))
    flags.add(core::Flag::MdnSent);
  return flags;
}

core::InternalDate internal_date(const Message& m, bool sent_folder) {
  const bool sent = sent_folder || (m.flags & kMsgFlagFromMe);
  std::optional<std::time_t> when = sent ? m.submit_time : m.delivery_time;
  if (!when) when = sent ? m.delivery_time : m.submit_time;
  if (!when) when = m.modification_time;
  if (!when) when = m.creation_time;
  core::InternalDate date;
  date.utc = when.value_or(0);
  date.offset_minutes = 0;
  return date;
}

}  // namespace mailferry::pst
