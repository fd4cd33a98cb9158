// Gmail Takeout: one folder per Gmail label.
//
// Google Takeout exports Gmail as mbox files (usually one, "All mail
// Including Spam and Trash.mbox") whose messages carry their labels in
// X-Gmail-Labels (comma-separated, CSV quoting, RFC 2047 encoded words for
// non-ASCII). GmailTakeoutSource wraps the source that reads those files and
// presents the labels as folders:
//  - a user label is a folder; "Work/Projects" is the folder Work/Projects;
//  - Inbox, Sent, Drafts, Spam, Trash (in any language of the role table) are
//    folders with those roles; "Archived", and messages with no folder label
//    at all, go to the folder "Archived" with the Archive role;
//  - Starred is the \Flagged flag, Unread takes \Seen away (every other
//    labelled message is \Seen), Opened is \Seen, IMAP_<flag> labels (a mail
//    program's keywords) are flags; Important and "Category ..." are dropped;
//  - GmailLabels::Each: a message goes into each of its label folders once;
//    GmailLabels::First: only into the first label folder of its header.
// A wrapped folder whose first message has no X-Gmail-Labels is not a
// Takeout file and is passed through unchanged.
//
// folders() reads each Takeout file once, through the wrapped MboxSource (its
// labelled scan, never replayed from the scan cache, which keeps no labels), and
// keeps the message references (no bodies) in memory; scan() then replays
// them, so the file is read once plus once per uploaded body. Messages the
// wrapped scan could not read are reported by the first scan() of a label
// folder. Errors otherwise as the wrapped source's.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mailferry/core/folder_rules.hpp"
#include "mailferry/source/mbox_source.hpp"
#include "mailferry/source/source.hpp"

namespace mailferry::source {

// One entry of X-Gmail-Labels, decoded (UTF-8), in header order. Never throws.
std::vector<std::string> parse_gmail_labels(std::string_view header_value);

class GmailTakeoutSource : public Source {
 public:
  // Labels are read through MboxSource::scan_with_gmail_labels.
  GmailTakeoutSource(std::unique_ptr<MboxSource> inner, core::GmailLabels mode);

  std::string describe() const override { return inner_->describe(); }
  std::vector<SourceFolder> folders() override;
  void scan(const SourceFolder& folder, ScanSink& sink) override;
  std::unique_ptr<BodyReader> open(const SourceFolder& folder,
                                   const SourceMessage& message) override;

  std::vector<std::string> report_notes() override { return inner_->report_notes(); }
  // After folders(): whether any wrapped folder was a Takeout file.
  bool found_labels() const { return !messages_.empty(); }

 private:
  struct Stored {
    std::size_t inner = 0;  // index into inner_folders_
    SourceMessage message;  // as the wrapped source gave it, flags from the labels
  };
  struct View {
    bool passthrough = false;
    std::size_t inner = 0;              // passthrough: index into inner_folders_
    std::vector<std::size_t> messages;  // label folder: indices into messages_
  };

  void load();
  void read_takeout(std::size_t inner_index);
  const View& view_of(const SourceFolder& folder) const;  // throws SourceError (Folder)

  std::unique_ptr<MboxSource> inner_;
  core::GmailLabels mode_;
  bool loaded_ = false;
  std::vector<SourceFolder> inner_folders_;
  std::vector<SourceFolder> folders_;
  std::vector<View> views_;  // parallel to folders_
  std::vector<Stored> messages_;
  std::vector<core::ErrorRecord> pending_errors_;
  // While loading: label folder path -> index into pending_views_/pending_roles_.
  std::map<std::vector<std::string>, std::size_t> label_views_;
  std::vector<std::vector<std::size_t>> pending_views_;
  std::vector<core::Role> pending_roles_;
};

// `inner` wrapped in a GmailTakeoutSource, or `inner` itself for
// GmailLabels::Ignore.
std::unique_ptr<Source> with_gmail_labels(std::unique_ptr<MboxSource> inner,
                                          core::GmailLabels mode);

}  // namespace mailferry::source
