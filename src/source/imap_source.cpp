// ImapSource: an IMAP account's folders and messages, read without changes.
#include "mailferry/source/imap_source.hpp"

#include <algorithm>
#include <charconv>

#include "mailferry/core/log.hpp"
#include "mailferry/mime/display_text.hpp"
#include "mailferry/mime/header_fields.hpp"
#include "mailferry/mime/message_key.hpp"
#include "mailferry/pop3/spool.hpp"
#include "mailferry/target/imap_target.hpp"

namespace mailferry::source {
namespace {

// The target's identity fields, and the one field a read receipt needs.
std::string scan_header_names() {
  return std::string(mime::key_header_names()) + " Disposition-Notification-To";
}

// "INBOX.Archive.2019" in namespace "INBOX." with '.': {"Archive", "2019"}.
std::vector<std::string> folder_path(const target::TargetFolder& folder,
                                     const target::TargetNamespace& ns) {
  if (folder.name == "INBOX") return {"INBOX"};
  std::string_view name = folder.name;
  if (!ns.prefix.empty() && name.size() > ns.prefix.size() && name.rfind(ns.prefix, 0) == 0)
    name.remove_prefix(ns.prefix.size());
  std::vector<std::string> path;
  if (folder.delimiter == '\0') return {std::string(name)};
  for (;;) {
    const auto at = name.find(folder.delimiter);
    path.emplace_back(name.substr(0, at));
    if (at == std::string_view::npos) break;
    name.remove_prefix(at + 1);
  }
  return path;
}

}  // namespace

ImapSource::ImapSource(ImapSourceOptions options) : options_(std::move(options)) {
  target::ImapTarget::Tuning tuning;
  tuning.reconnect = options_.reconnect;
  account_ = std::make_unique<target::ImapTarget>(options_.connect, tuning, options_.connector);
}

ImapSource::~ImapSource() = default;

std::string ImapSource::describe() const { return account_->describe(); }

std::vector<SourceFolder> ImapSource::folders() {
  std::vector<target::TargetFolder> listed;
  target::TargetNamespace ns;
  try {
    listed = account_->list_folders();
    ns = account_->personal_namespace();
  } catch (const core::ServerError& e) {
    throw core::SourceError(e.what(), core::ErrorScope::Account);
  }
  std::vector<SourceFolder> out;
  for (const auto& folder : listed) {
    if (!folder.selectable) continue;
    if (folder.gathers_others && !options_.include_virtual_folders) {
      notes_.push_back("folder " + folder.name +
                       " left out: it shows messages kept in other folders "
                       "(--include-virtual-folders takes it too)");
      continue;
    }
    SourceFolder f;
    f.path = folder_path(folder, ns);
    f.role = folder.role;
    f.locator = folder.name;
    out.push_back(std::move(f));
  }
  // INBOX first, the rest by name: the same order on every run and server.
  std::sort(out.begin(), out.end(), [](const SourceFolder& a, const SourceFolder& b) {
    const bool a_inbox = a.locator == "INBOX", b_inbox = b.locator == "INBOX";
    if (a_inbox != b_inbox) return a_inbox;
    return a.path < b.path;
  });
  return out;
}

// What a scan of the folder depends on. HIGHESTMODSEQ 0 (no CONDSTORE): a
// flag may change without a trace, so no identity, and no replay.
static std::string folder_identity(const target::FolderSnapshot& s) {
  if (s.highest_modseq == 0 || s.uidvalidity == 0) return {};
  return "imap " + std::to_string(s.uidvalidity) + " " + std::to_string(s.uidnext) + " " +
         std::to_string(s.messages) + " " + std::to_string(s.highest_modseq);
}

void ImapSource::scan(const SourceFolder& folder, ScanSink& sink) {
  std::string identity;
  if (options_.scan_cache == nullptr) {
    read_folder(folder, sink, identity);
    return;
  }
  const std::string key = "imap\n" + describe() + "\n" + folder.locator;
  try {
    const target::FolderSnapshot now = account_->status(folder.locator);
    identity = folder_identity(now);
    if (!identity.empty() && replay_scan(*options_.scan_cache, key, identity, sink)) {
      core::log_debug(describe() + ": folder " + folder.locator +
                      " unchanged since the last scan; its scan is reused");
      uidvalidity_[folder.locator] = now.uidvalidity;
      return;
    }
  } catch (const core::ServerError& e) {
    throw core::SourceError(e.what(), core::ErrorScope::Folder);
  }
  RecordingSink recorder(*options_.scan_cache, key, sink);
  read_folder(folder, recorder, identity);
  if (!identity.empty()) recorder.finish(identity);
}

void ImapSource::read_folder(const SourceFolder& folder, ScanSink& sink, std::string& identity) {
  std::uint64_t ordinal = 0;
  ++read_;
  try {
    const auto snapshot =
        account_->read_folder(folder.locator, scan_header_names(),
                              [&](target::TargetMessage listed, std::string_view header) {
                                const mime::HeaderFields fields = mime::scan_header_fields(header);
                                SourceMessage m;
                                m.ordinal = ++ordinal;
                                m.locator = std::to_string(listed.uid);
                                m.key = std::move(listed.key);
                                m.message_id = fields.message_id;
                                m.from = mime::display_sender(fields.from);
                                m.subject = mime::display_subject(fields.subject);
                                m.flags = listed.flags;
                                m.internal_date = listed.internal_date;
                                m.size = listed.size;
                                m.requests_read_receipt = fields.has_disposition_notification_to;
                                sink.message(std::move(m));
                              });
    uidvalidity_[folder.locator] = snapshot.uidvalidity;
    identity = folder_identity(snapshot);
  } catch (const core::ServerError& e) {
    // Deleted or renamed since the listing: this folder's error, not the job's.
    throw core::SourceError(e.what(), core::ErrorScope::Folder);
  }
}

std::uint32_t ImapSource::uid_of(const SourceMessage& message) {
  std::uint32_t uid = 0;
  const auto& text = message.locator;
  std::from_chars(text.data(), text.data() + text.size(), uid);
  return uid;
}

std::unique_ptr<BodyReader> ImapSource::open(const SourceFolder& folder,
                                             const SourceMessage& message) {
  const std::string where =
      describe() + ": folder " + folder.display_name() + ", message UID " + message.locator;
  auto fresh_spool = [&] {
    return pop3::Spool(options_.spool_directory, options_.spool_memory_limit);
  };
  pop3::Spool spool = fresh_spool();
  target::ImapTarget::FetchedMessage fetched;
  try {
    fetched = account_->fetch_message(
        folder.locator, uid_of(message), [&](std::string_view bytes) { spool.append(bytes); },
        [&] { spool = fresh_spool(); });
  } catch (const core::ServerError& e) {
    throw core::SourceError(e.what(), core::ErrorScope::Message);
  }
  const auto scanned = uidvalidity_.find(folder.locator);
  if (scanned != uidvalidity_.end() && fetched.uidvalidity != scanned->second)
    throw core::SourceError(where +
                                ": the server renumbered the folder since it was scanned "
                                "(UIDVALIDITY changed); the next run reads it again",
                            core::ErrorScope::Message);
  if (!fetched.found)
    throw core::SourceError(where + ": no longer on the server (deleted or moved since the scan)",
                            core::ErrorScope::Message);
  if (spool.size() != message.size)
    throw core::SourceError(where + ": the server sent " + std::to_string(spool.size()) +
                                " bytes where RFC822.SIZE announced " +
                                std::to_string(message.size) + "; not uploaded",
                            core::ErrorScope::Message);
  return std::make_unique<pop3::SpoolReader>(std::move(spool));
}

}  // namespace mailferry::source
