// A PST message as plain data: everything the MIME builder, the flag mapping
// and the date mapping need, decoded to UTF-8, with attachment bytes and
// embedded messages read. Built from libpst's item plus the properties libpst
// drops (recipient rows, SMTP addresses, reply/forward/follow-up state).
//
// Memory: one message with its attachments, never more.
#pragma once

#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

struct pst_desc_tree;

namespace mailferry::pst {

class PstFile;

// libpst could not parse the item at all (it is then skipped and reported).
class ItemError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Mailbox {
  std::string name;  // display name, may be empty
  std::string
      address;  // SMTP when the PST holds it, else the native (Exchange) address; may be empty
};

struct Message;

struct Attachment {
  std::string filename;              // UTF-8, may be empty
  std::string mime_type;             // "image/png"; empty when the PST has none
  std::string content_id;            // without angle brackets, may be empty
  std::string data;                  // by-value content
  std::unique_ptr<Message> message;  // an embedded message (message/rfc822)
};

struct Message {
  std::string message_class;      // "IPM.Note"
  std::string transport_headers;  // PR_TRANSPORT_MESSAGE_HEADERS, LF line ends; may be empty
  std::string subject;
  std::optional<Mailbox> from;    // PR_SENT_REPRESENTING_*
  std::optional<Mailbox> sender;  // PR_SENDER_*, set only when it differs from `from`
  std::vector<Mailbox> to, cc, bcc;
  std::string message_id;                    // PR_INTERNET_MESSAGE_ID, as stored (with brackets)
  std::string in_reply_to;                   // PR_IN_REPLY_TO_ID
  std::string references;                    // PR_INTERNET_REFERENCES
  std::optional<std::time_t> submit_time;    // PR_CLIENT_SUBMIT_TIME
  std::optional<std::time_t> delivery_time;  // PR_MESSAGE_DELIVERY_TIME
  std::optional<std::time_t> creation_time;
  std::optional<std::time_t> modification_time;

  std::string text;          // PR_BODY, UTF-8, LF line ends
  std::string html;          // PR_HTML, bytes as stored, LF line ends
  std::string html_charset;  // MIME charset of `html`
  std::string rtf;           // native RTF body (encapsulated HTML/text is unwrapped into html/text)

  std::vector<Attachment> attachments;

  std::int32_t flags = 0;        // PR_MESSAGE_FLAGS
  std::int32_t last_verb = 0;    // PR_LAST_VERB_EXECUTED
  std::int32_t icon_index = -1;  // PR_ICON_INDEX
  std::int32_t flag_status = 0;  // PR_FLAG_STATUS
  std::int32_t msg_status = 0;   // PR_MSG_STATUS
  bool read_receipt_requested = false;

  // Parts that could not be read (the rest of the message is still built).
  std::vector<std::string> problems;
};

// Reads the message stored at `node`. Throws ItemError if libpst cannot parse it.
Message read_message(const PstFile& file, pst_desc_tree* node);

}  // namespace mailferry::pst
