#include "mailferry/source/pst_source.hpp"

#include <libpst/libpst.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "mailferry/core/log.hpp"
#include "mailferry/core/plural.hpp"
#include "mailferry/mime/display_text.hpp"
#include "mailferry/mime/header_fields.hpp"
#include "mailferry/mime/message_key.hpp"
#include "mailferry/pst/folder_tree.hpp"
#include "mailferry/pst/message.hpp"
#include "mailferry/pst/message_state.hpp"
#include "mailferry/pst/mime_builder.hpp"
#include "mailferry/pst/password.hpp"
#include "mailferry/pst/pst_file.hpp"
#include "mailferry/source/memory_body.hpp"

namespace mailferry::source {
namespace {

constexpr std::uint16_t kPropMessageClass = 0x001A;
constexpr std::uint16_t kPropSubject = 0x0037;

std::string hex(std::uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
  return buf;
}

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::uint64_t parse_hex(const std::string& s, std::size_t& pos) {
  std::size_t used = 0;
  std::uint64_t v = std::stoull(s.substr(pos), &used, 16);
  pos += used;
  return v;
}

// The header block of built bytes: everything before the first empty line.
std::string_view header_block(std::string_view bytes) {
  std::size_t end = bytes.find("\r\n\r\n");
  return end == std::string_view::npos ? bytes : bytes.substr(0, end + 2);
}

}  // namespace

PstSource::PstSource(std::string path, PstSourceOptions options)
    : path_(std::move(path)), file_(std::make_unique<pst::PstFile>(path_)) {
  if (options.ansi_codepage > 0) file_->set_ansi_codepage(options.ansi_codepage);
  unlock(options.password);
  if (!file_->truncation().empty())
    notes_.push_back({core::ErrorScope::Folder, describe(), file_->truncation()});
}

PstSource::~PstSource() = default;

void PstSource::unlock(const PstPasswordOptions& options) {
  const auto stored = file_->password_crc();
  if (!stored) return;  // Outlook would not ask
  if (options.ignore) {
    unchecked_password_ =
        path_ +
        ": Outlook guards this file with a password; it was not checked "
        "(--ignore-pst-password). The password encrypts nothing, so every item is read";
    core::log_warn(unchecked_password_);
    return;
  }
  if (!options.password)
    throw core::SourceError(
        path_ +
        ": Outlook guards this file with a password. Give it (--from-password-file FILE, "
        "or --password-file FILE with list; MAILFERRY_FROM_PASSWORD; or password_file, "
        "password_env or password_command in a job file's from), or, since the password "
        "encrypts nothing, open the file without it: --ignore-pst-password (job key "
        "ignore_pst_password)");
  const core::Secret password = options.password();
  if (!pst::password_matches(*stored, password.reveal(), file_->ansi_codepage()))
    throw core::SourceError(path_ +
                            ": wrong password: it is not the one Outlook asks for this file. "
                            "Check the password file or variable, or open the file without "
                            "it: --ignore-pst-password (job key ignore_pst_password)");
}

std::string PstSource::describe() const { return "pst:" + path_; }

void PstSource::load_tree() {
  if (tree_loaded_) return;
  pst::FolderTree tree = pst::read_folder_tree(*file_);
  for (const pst::FolderInfo& info : tree.folders) {
    PstFolderSummary s;
    s.folder.path = info.path;
    s.folder.role = info.role;
    s.folder.locator = hex(info.nid);
    s.mail_items = info.mail_items;
    s.skipped_items = info.skipped_items;
    s.role_from_name = info.role != core::Role::None && info.role_source == pst::RoleSource::Name;
    s.file_root = file_->top_of_folders() && info.nid == file_->top_of_folders()->d_id;
    summaries_.push_back(std::move(s));
  }
  skipped_ = tree.skipped_items;
  for (const std::string& p : tree.problems)
    notes_.push_back({core::ErrorScope::Folder, describe(), p});
  tree_loaded_ = true;
}

bool PstSource::left_out(const PstFolderSummary& summary) const {
  // The Outbox is Outlook's local queue of mail not yet sent; an IMAP server
  // has no such thing, so an empty one would only add a folder nobody uses.
  // One that holds mail keeps it (as a folder "Outbox": nothing is sent).
  if (summary.folder.role != core::Role::Outbox || summary.mail_items > 0) return false;
  for (const PstFolderSummary& other : summaries_) {
    const auto& path = other.folder.path;
    if (path.size() > summary.folder.path.size() &&
        std::equal(summary.folder.path.begin(), summary.folder.path.end(), path.begin()))
      return false;  // it has subfolders: keep the tree
  }
  return true;
}

std::vector<SourceFolder> PstSource::folders() {
  load_tree();
  std::vector<SourceFolder> out;
  for (const PstFolderSummary& s : summaries_)
    if (!left_out(s)) out.push_back(s.folder);
  return out;
}

std::uint64_t PstSource::skipped_items() {
  load_tree();
  return skipped_;
}

std::vector<std::string> PstSource::report_notes() {
  std::vector<std::string> notes;
  if (!unchecked_password_.empty()) notes.push_back(unchecked_password_);
  for (const PstFolderSummary& s : summaries_)
    if (left_out(s))
      notes.push_back("the empty folder \"" + s.folder.display_name() +
                      "\" (Outlook's queue of unsent mail) was left out");
  if (const auto skipped = skipped_items(); skipped > 0)
    notes.push_back(core::counted(skipped, "non-mail item", "non-mail items") +
                    " (contacts, calendar, tasks, notes, distribution lists) " +
                    (skipped == 1 ? "was" : "were") + " skipped");
  return notes;
}

std::vector<PstFolderSummary> PstSource::folder_summaries() {
  load_tree();
  return summaries_;
}

const std::vector<core::ErrorRecord>& PstSource::notes() {
  load_tree();
  return notes_;
}

void PstSource::scan(const SourceFolder& folder, ScanSink& sink) {
  load_tree();
  if (!notes_reported_) {
    notes_reported_ = true;
    for (const core::ErrorRecord& note : notes_) sink.error(note);
  }
  std::size_t pos = 0;
  pst_desc_tree* node = nullptr;
  try {
    node = file_->node(parse_hex(folder.locator, pos));
  } catch (const std::exception&) {
  }
  if (!node)
    throw core::SourceError(describe() + ": folder \"" + folder.display_name() + "\" not found",
                            core::ErrorScope::Folder);

  const bool sent_folder = folder.role == core::Role::Sent || folder.role == core::Role::Outbox;
  std::uint64_t ordinal = 0;
  for (pst_desc_tree* c = node->child; c; c = c->next) {
    if (pst::nid_type(c->d_id) != pst::kNidMessage) continue;
    ++ordinal;
    std::string where = describe() + ", folder \"" + folder.display_name() + "\", item " +
                        std::to_string(ordinal) + " (node " + hex(c->d_id) + ")";
    // The class decides whether the item is mail at all (the same cheap read
    // the folder counts came from); an unreadable one is tried as mail.
    std::string subject;
    try {
      const std::vector<std::uint16_t> none;
      pst::PropertyMap props = file_->properties(c, &none);
      auto cls = props.find(kPropMessageClass);
      if (cls != props.end() &&
          !pst::is_mail_class(cls->second.as_utf8(file_->ansi_codepage()).value_or("")))
        continue;
      if (auto s = props.find(kPropSubject); s != props.end())
        subject = s->second.as_utf8(file_->ansi_codepage()).value_or("");
    } catch (const pst::FormatError&) {
    }
    if (!subject.empty()) {
      // libpst-style subjects may start with a two-character prefix marker.
      if (static_cast<unsigned char>(subject[0]) < 0x20 && subject.size() > 2)
        subject = subject.substr(2);
      where += ", subject \"" + subject + "\"";
    }

    try {
      pst::Message m = pst::read_message(*file_, c);
      std::string bytes = pst::build_rfc5322(m, hex(c->d_id));
      for (const std::string& problem : m.problems)
        sink.error({core::ErrorScope::Message, where, problem + " (the rest is uploaded)"});

      mime::HeaderFields fields = mime::scan_header_fields(header_block(bytes));
      SourceMessage msg;
      msg.ordinal = ordinal;
      msg.locator = hex(c->d_id) + ":" + hex(fnv1a(bytes));
      msg.size = bytes.size();
      msg.key = mime::message_key(fields, msg.size);
      msg.message_id = fields.message_id;
      msg.flags = pst::message_flags(m);
      msg.internal_date = pst::internal_date(m, sent_folder);
      msg.requests_read_receipt = fields.has_disposition_notification_to;
      msg.from = mime::display_sender(fields.from);
      msg.subject = mime::display_subject(fields.subject);
      sink.message(std::move(msg));
    } catch (const std::exception& e) {
      std::string why = std::string("cannot read the item: ") + e.what();
      if (!file_->truncation().empty()) why += " (the file is truncated)";
      sink.error({core::ErrorScope::Message, where, why});
    }
  }
}

std::unique_ptr<BodyReader> PstSource::open(const SourceFolder& folder,
                                            const SourceMessage& message) {
  const std::string where = describe() + ", folder \"" + folder.display_name() + "\", item " +
                            std::to_string(message.ordinal);
  std::uint64_t nid = 0, hash = 0;
  try {
    std::size_t pos = 0;
    nid = parse_hex(message.locator, pos);
    if (pos >= message.locator.size() || message.locator[pos] != ':')
      throw std::invalid_argument("");
    ++pos;
    hash = parse_hex(message.locator, pos);
  } catch (const std::exception&) {
    throw core::SourceError(where + ": bad locator \"" + message.locator + "\"",
                            core::ErrorScope::Message);
  }
  pst_desc_tree* node = file_->node(nid);
  if (!node) throw core::SourceError(where + ": item not found", core::ErrorScope::Message);
  std::string bytes;
  try {
    bytes = pst::build_rfc5322(pst::read_message(*file_, node), hex(nid));
  } catch (const std::exception& e) {
    throw core::SourceError(where + ": cannot read the item: " + e.what(),
                            core::ErrorScope::Message);
  }
  if (bytes.size() != message.size || fnv1a(bytes) != hash)
    throw core::SourceError(where + ": the item changed since it was scanned (" +
                                std::to_string(bytes.size()) + " bytes, expected " +
                                std::to_string(message.size) + ")",
                            core::ErrorScope::Message);
  return std::make_unique<MemoryBodyReader>(std::move(bytes));
}

}  // namespace mailferry::source
