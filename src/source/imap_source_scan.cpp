// ImapSource: scanning a folder, and bringing the scan kept from the last run
// up to date instead of reading the folder again.
#include <sstream>
#include <unordered_map>

#include "mailferry/core/log.hpp"
#include "mailferry/mime/display_text.hpp"
#include "mailferry/mime/header_fields.hpp"
#include "mailferry/mime/message_key.hpp"
#include "mailferry/source/imap_source.hpp"
#include "mailferry/target/imap_target.hpp"

namespace mailferry::source {
namespace {

// The target's identity fields, and the one field a read receipt needs.
std::string scan_header_names() {
  return std::string(mime::key_header_names()) + " Disposition-Notification-To";
}

SourceMessage source_message(target::TargetMessage listed, std::string_view header) {
  const mime::HeaderFields fields = mime::scan_header_fields(header);
  SourceMessage m;
  m.locator = std::to_string(listed.uid);
  m.key = std::move(listed.key);
  m.message_id = fields.message_id;
  m.from = mime::display_sender(fields.from);
  m.subject = mime::display_subject(fields.subject);
  m.flags = listed.flags;
  m.internal_date = listed.internal_date;
  m.size = listed.size;
  m.requests_read_receipt = fields.has_disposition_notification_to;
  return m;
}

// What a scan of the folder depends on. HIGHESTMODSEQ 0 (no CONDSTORE): a
// flag may change without a trace, so no identity, and the scan is not kept.
std::string folder_identity(const target::FolderSnapshot& s) {
  if (s.highest_modseq == 0 || s.uidvalidity == 0) return {};
  return "imap " + std::to_string(s.uidvalidity) + " " + std::to_string(s.uidnext) + " " +
         std::to_string(s.messages) + " " + std::to_string(s.highest_modseq);
}

std::optional<target::FolderSnapshot> snapshot_of(const std::string& identity) {
  std::istringstream in(identity);
  std::string word;
  target::FolderSnapshot s;
  if (!(in >> word >> s.uidvalidity >> s.uidnext >> s.messages >> s.highest_modseq) ||
      word != "imap")
    return std::nullopt;
  return s;
}

// The messages of a replayed scan.
class ListSink final : public ScanSink {
 public:
  void message(SourceMessage m) override { messages.push_back(std::move(m)); }
  void error(core::ErrorRecord) override {}
  std::vector<SourceMessage> messages;
};

// The flags each message had at the last scan, by key: the base of the
// three-way merge when the folder has to be read again in full.
class FlagsByKey final : public ScanSink {
 public:
  void message(SourceMessage m) override { flags.emplace(std::move(m.key.value), m.flags); }
  void error(core::ErrorRecord) override {}
  std::unordered_map<std::string, core::Flags> flags;
};

}  // namespace

void ImapSource::scan(const SourceFolder& folder, ScanSink& sink) {
  try {
    if (options_.scan_cache == nullptr) {
      read_folder(folder, sink, nullptr);
      return;
    }
    ScanCache& cache = *options_.scan_cache;
    const std::string key = "imap\n" + describe() + "\n" + folder.locator;
    const target::FolderSnapshot now = account_->status(folder.locator);
    const std::string identity = folder_identity(now);
    if (!identity.empty() && replay_scan(cache, key, identity, sink)) {
      core::log_debug(describe() + ": folder " + folder.locator +
                      " unchanged since the last scan; its scan is reused");
      uidvalidity_[folder.locator] = now.uidvalidity;
      return;
    }
    const auto kept = kept_identity(cache, key);
    const auto known = kept ? snapshot_of(*kept) : std::nullopt;
    if (known && !identity.empty() && known->uidvalidity == now.uidvalidity &&
        bring_up_to_date(folder, key, *kept, *known, sink))
      return;
    FlagsByKey before;
    if (kept) replay_scan(cache, key, *kept, before);
    RecordingSink recorder(cache, key, sink);
    const std::string read = read_folder(folder, recorder, kept ? &before.flags : nullptr);
    if (!read.empty()) recorder.finish(read);
  } catch (const core::ServerError& e) {
    // Deleted or renamed since the listing: this folder's error, not the job's.
    throw core::SourceError(e.what(), core::ErrorScope::Folder);
  }
}

std::string ImapSource::read_folder(
    const SourceFolder& folder, ScanSink& sink,
    const std::unordered_map<std::string, core::Flags>* flags_before) {
  ++read_;
  std::uint64_t ordinal = 0;
  const auto snapshot =
      account_->read_folder(folder.locator, scan_header_names(),
                            [&](target::TargetMessage listed, std::string_view header) {
                              SourceMessage m = source_message(std::move(listed), header);
                              m.ordinal = ++ordinal;
                              if (flags_before != nullptr) {
                                const auto was = flags_before->find(m.key.value);
                                if (was != flags_before->end())
                                  m.flags_removed = was->second.minus(m.flags);
                              }
                              sink.message(std::move(m));
                            });
  uidvalidity_[folder.locator] = snapshot.uidvalidity;
  return folder_identity(snapshot);
}

bool ImapSource::bring_up_to_date(const SourceFolder& folder, const std::string& key,
                                  const std::string& kept, const target::FolderSnapshot& known,
                                  ScanSink& sink) {
  ScanCache& cache = *options_.scan_cache;
  // Read before anything is recorded: recording replaces the kept scan.
  ListSink last;
  if (!replay_scan(cache, key, kept, last)) return false;
  ++read_;
  std::unordered_map<std::uint32_t, core::Flags> changed;
  std::vector<SourceMessage> added;  // every message when the server says Full
  const target::IndexResult result = account_->read_folder_since(
      folder.locator, scan_header_names(), known,
      [&](target::TargetMessage listed, std::string_view header) {
        added.push_back(source_message(std::move(listed), header));
      },
      [&](std::uint32_t uid, core::Flags flags) { changed[uid] = flags; });
  uidvalidity_[folder.locator] = result.snapshot.uidvalidity;

  RecordingSink recorder(cache, key, sink);
  std::uint64_t ordinal = 0;
  if (result.change == target::IndexChange::Full) {
    // Not comparable (a message gone): `added` is the folder; the last
    // scan's flags by key are the merge's base.
    std::unordered_map<std::string, core::Flags> before;
    for (auto& m : last.messages) before.emplace(std::move(m.key.value), m.flags);
    last.messages.clear();
    for (auto& m : added) {
      const auto was = before.find(m.key.value);
      if (was != before.end()) m.flags_removed = was->second.minus(m.flags);
    }
  } else {
    for (auto& m : last.messages) {
      m.flags_removed = core::Flags();
      const auto now = changed.find(uid_of(m));
      if (now != changed.end()) {
        m.flags_removed = m.flags.minus(now->second);
        m.flags = now->second;
      }
    }
  }
  for (auto* list : {&last.messages, &added})
    for (auto& m : *list) {
      m.ordinal = ++ordinal;
      recorder.message(std::move(m));
    }
  const std::string identity = folder_identity(result.snapshot);
  if (!identity.empty()) recorder.finish(identity);
  core::log_debug(describe() + ": folder " + folder.locator + ": " + std::to_string(added.size()) +
                  " new, " + std::to_string(changed.size()) +
                  " with other flags since the last scan");
  return true;
}

}  // namespace mailferry::source
