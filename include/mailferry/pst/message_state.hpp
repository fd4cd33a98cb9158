// IMAP flags and INTERNALDATE of a PST message.
//
// Flags:
//   \Seen       PR_MESSAGE_FLAGS has MSGFLAG_READ
//   \Answered   PR_LAST_VERB_EXECUTED is reply / reply-all, PR_ICON_INDEX is
//               "replied", or PR_MSG_STATUS has MSGSTATUS_ANSWERED
//   $Forwarded  PR_LAST_VERB_EXECUTED is forward, or PR_ICON_INDEX "forwarded"
//   \Flagged    PR_FLAG_STATUS is followupFlagged (a completed flag is not)
//   \Draft      PR_MESSAGE_FLAGS has MSGFLAG_UNSENT
//   $MDNSent    a read receipt was requested and is no longer pending
//               (MSGFLAG_RN_PENDING cleared: Outlook sent or declined it)
// INTERNALDATE: the delivery time for received mail, the client submit time
// for mail the user sent (MSGFLAG_FROM_ME, or found in a Sent/Outbox
// folder), falling back to the other one, then to modification and creation
// time. PSTs store UTC, so the offset is +0000.
#pragma once

#include "mailferry/core/flags.hpp"
#include "mailferry/core/internal_date.hpp"
#include "mailferry/pst/message.hpp"

namespace mailferry::pst {

core::Flags message_flags(const Message& message);

// `sent_folder`: the message was found in a folder of role Sent or Outbox.
core::InternalDate internal_date(const Message& message, bool sent_folder);

}  // namespace mailferry::pst
