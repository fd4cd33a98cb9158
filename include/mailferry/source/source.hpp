// The Source interface: all the sync engine knows about where mail comes from.
//
// A source has folders; scanning a folder yields bodiless references (key,
// flags, date, exact size); the body of a message is opened only when the diff
// says it must be uploaded, and read as a stream of the exact bytes that go into
// the IMAP literal (CRLF line ends, `size` bytes in all).
//
// Errors: a message that cannot be read is reported through ScanSink::error (or
// as a core::SourceError with scope Message from BodyReader::read) and the rest
// goes on; a source that cannot be opened at all throws core::SourceError.
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mailferry/core/body_reader.hpp"
#include "mailferry/core/error.hpp"
#include "mailferry/core/flags.hpp"
#include "mailferry/core/internal_date.hpp"
#include "mailferry/core/message_key.hpp"
#include "mailferry/core/role.hpp"

namespace mailferry::source {

struct SourceFolder {
  // Path components in UTF-8, outermost first ({"Archive", "2019"}). A component
  // may contain any character, including '/': joining is the target's business.
  std::vector<std::string> path;
  core::Role role = core::Role::None;
  // Adapter-private locator (a file path, a PST node id); opaque to everyone else.
  std::string locator;

  // For messages and reports: components joined with '/'.
  std::string display_name() const;
};

struct SourceMessage {
  std::uint64_t ordinal = 0;  // 1-based position in its folder, for error messages
  std::string locator;        // adapter-private (byte offset, UIDL, PST node id)
  core::MessageKey key;
  std::string message_id;  // as found in the header (for reports); may be empty
  // Sender and subject as a person reads them in a line of output (RFC 2047
  // decoded, cut to a short width: mime/display_text.hpp); may be empty.
  std::string from;
  std::string subject;
  core::Flags flags;
  // Flags the source had when it was last read and has no more: a copy
  // already on the target loses them too (a three-way merge). Only sources
  // that keep their last scan know them (IMAP); empty elsewhere.
  core::Flags flags_removed;
  core::InternalDate internal_date;
  std::uint64_t size = 0;              // exact number of bytes BodyReader will produce
  bool requests_read_receipt = false;  // has Disposition-Notification-To
};

// Sources hand out core::BodyReader, the upload bytes of one message.
using core::BodyReader;

class ScanSink {
 public:
  virtual ~ScanSink() = default;
  virtual void message(SourceMessage message) = 0;
  virtual void error(core::ErrorRecord error) = 0;
};

// "where: message" for each record: how sources turn their notes into report lines.
std::vector<std::string> note_lines(const std::vector<core::ErrorRecord>& notes);

class Source {
 public:
  virtual ~Source() = default;
  // "mbox:/home/a/Inbox.mbox": for messages and reports; never holds a secret.
  virtual std::string describe() const = 0;
  // Every mail folder of the source. Throws core::SourceError if unreadable.
  virtual std::vector<SourceFolder> folders() = 0;
  // Streams the folder's message references into `sink`, in source order.
  virtual void scan(const SourceFolder& folder, ScanSink& sink) = 0;
  // Opens one message scanned from `folder` for upload.
  virtual std::unique_ptr<BodyReader> open(const SourceFolder& folder,
                                           const SourceMessage& message) = 0;
  // Optional feature: opening several messages of one folder in one exchange
  // with the source (IMAP: one UID FETCH for all of them, instead of a round
  // trip each). open_batch() gives each message to `each` once, with its
  // position in `messages`, as soon as it is ready (so the first can be
  // sent while the others still arrive), in any order: its reader, or the
  // error open() would have thrown for it. It throws only when what is left
  // cannot be opened. Without the feature, open() one by one.
  struct Opened {
    std::unique_ptr<BodyReader> reader;
    std::exception_ptr error;
  };
  using EachOpened = std::function<void(std::size_t position, Opened opened)>;
  virtual bool opens_in_batches() const { return false; }
  virtual void open_batch(const SourceFolder& folder,
                          const std::vector<const SourceMessage*>& messages,
                          const EachOpened& each);

  // Facts about the source worth a line in the job's report that are not
  // errors (entries skipped, a slower path taken), known after the run's
  // scans. Default: none.
  virtual std::vector<std::string> report_notes() { return {}; }

  // Optional feature: removing messages from the source once their copy is
  // confirmed on the target (POP3 --delete-after-copy). The executor calls
  // remove() only with messages it has a confirmed target copy of.
  // remove() returns the locators of the messages it removed and, for each
  // message that was not, the reason; it throws only when nothing could be
  // attempted.
  struct RemovalResult {
    std::vector<std::string> removed;  // SourceMessage::locator of each
    std::vector<core::ErrorRecord> failed;
  };
  virtual bool supports_removal() const { return false; }
  virtual RemovalResult remove(const SourceFolder& folder,
                               const std::vector<SourceMessage>& messages);
};

}  // namespace mailferry::source
