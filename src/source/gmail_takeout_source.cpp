#include "mailferry/source/gmail_takeout_source.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <unordered_map>

#include "mailferry/core/log.hpp"
#include "mailferry/core/plural.hpp"
#include "mailferry/core/role_names.hpp"
#include "mailferry/mime/display_text.hpp"

namespace mailferry::source {
namespace {

using core::Role;

constexpr std::string_view kLocatorPrefix = "gmail:";

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return "";
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

std::optional<std::size_t> parse_index(std::string_view text, std::size_t limit) {
  std::size_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value >= limit) return std::nullopt;
  return value;
}

// What one X-Gmail-Labels value means for a message.
struct LabelSet {
  std::vector<std::pair<std::vector<std::string>, Role>> folders;  // header order, unique
  bool labelled = false;
  bool unread = false;
  bool starred = false;
  core::Flags keywords;  // from IMAP_<flag> labels
};

LabelSet classify(std::string_view header_value) {
  LabelSet set;
  for (const std::string& label : parse_gmail_labels(header_value)) {
    set.labelled = true;
    if (label.rfind("IMAP_", 0) == 0) {
      set.keywords.add_imap_token(std::string_view(label).substr(5));
      continue;
    }
    const core::GmailLabelMeaning meaning = core::gmail_label_meaning(label);
    if (meaning.marker == core::GmailMarker::Starred) set.starred = true;
    if (meaning.marker == core::GmailMarker::Unread) set.unread = true;
    if (meaning.marker != core::GmailMarker::None) continue;
    std::vector<std::string> path;
    if (meaning.role != Role::None) {
      path.push_back(label);
    } else {
      // Gmail writes nested labels as "Parent/Child".
      std::size_t start = 0;
      for (std::size_t slash; (slash = label.find('/', start)) != std::string::npos;
           start = slash + 1)
        if (auto level = trim(std::string_view(label).substr(start, slash - start)); !level.empty())
          path.push_back(level);
      if (auto level = trim(std::string_view(label).substr(start)); !level.empty())
        path.push_back(level);
    }
    if (path.empty()) continue;
    const bool seen = std::any_of(set.folders.begin(), set.folders.end(),
                                  [&](const auto& f) { return f.first == path; });
    if (!seen) set.folders.emplace_back(std::move(path), meaning.role);
  }
  // Gmail's archive: mail with no folder label (or none at all) is in All Mail only.
  if (set.folders.empty()) set.folders.push_back({{"Archived"}, Role::Archive});
  return set;
}

int role_order(Role role) {
  switch (role) {
    case Role::Inbox:
      return 0;
    case Role::Sent:
      return 1;
    case Role::Drafts:
      return 2;
    case Role::Archive:
      return 3;
    case Role::Junk:
      return 4;
    case Role::Trash:
      return 5;
    default:
      return 6;
  }
}

// Stops a probing scan after the first message.
struct StopProbe {};

class ProbeSink : public GmailLabelSink {
 public:
  void message(SourceMessage, std::string gmail_labels) override {
    labelled = !gmail_labels.empty();
    throw StopProbe{};
  }
  void error(core::ErrorRecord) override {}
  bool labelled = false;
};

struct Labelled {
  SourceMessage message;
  std::string gmail_labels;
};

class StoreSink : public GmailLabelSink {
 public:
  explicit StoreSink(std::vector<Labelled>& out, std::vector<core::ErrorRecord>& errors)
      : out_(out), errors_(errors) {}
  void message(SourceMessage m, std::string gmail_labels) override {
    out_.push_back({std::move(m), std::move(gmail_labels)});
  }
  void error(core::ErrorRecord e) override { errors_.push_back(std::move(e)); }

 private:
  std::vector<Labelled>& out_;
  std::vector<core::ErrorRecord>& errors_;
};

}  // namespace

std::vector<std::string> parse_gmail_labels(std::string_view header_value) {
  const std::string text = mime::decode_header_text(header_value);
  std::vector<std::string> out;
  std::string field;
  bool quoted = false;
  auto finish = [&] {
    if (auto label = trim(field); !label.empty()) out.push_back(std::move(label));
    field.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      if (quoted && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';  // "" inside quotes: a quote
        ++i;
      } else {
        quoted = !quoted;
      }
    } else if (c == ',' && !quoted) {
      finish();
    } else {
      field += c;
    }
  }
  finish();
  return out;
}

GmailTakeoutSource::GmailTakeoutSource(std::unique_ptr<MboxSource> inner, core::GmailLabels mode)
    : inner_(std::move(inner)), mode_(mode) {}

std::vector<SourceFolder> GmailTakeoutSource::folders() {
  load();
  return folders_;
}

void GmailTakeoutSource::load() {
  if (loaded_) return;
  inner_folders_ = inner_->folders();
  std::vector<std::size_t> passthrough;
  for (std::size_t i = 0; i < inner_folders_.size(); ++i) {
    ProbeSink probe;
    try {
      inner_->scan_with_gmail_labels(inner_folders_[i], probe);
    } catch (const StopProbe&) {
    } catch (const core::SourceError& e) {
      if (e.scope() != core::ErrorScope::Folder) throw;  // scan() reports it again later
    }
    if (probe.labelled)
      read_takeout(i);
    else
      passthrough.push_back(i);
  }
  for (std::size_t i : passthrough) {
    SourceFolder f = inner_folders_[i];
    f.locator = std::string(kLocatorPrefix) + std::to_string(folders_.size());
    folders_.push_back(std::move(f));
    views_.push_back({true, i, {}});
  }
  // Label folders: roles first (Inbox, Sent, Drafts, ...), then by path.
  std::vector<std::pair<std::vector<std::string>, std::size_t>> labels(label_views_.begin(),
                                                                       label_views_.end());
  std::sort(labels.begin(), labels.end(), [&](const auto& a, const auto& b) {
    const int ra = role_order(pending_roles_[a.second]), rb = role_order(pending_roles_[b.second]);
    return ra != rb ? ra < rb : a.first < b.first;
  });
  for (const auto& [path, index] : labels) {
    SourceFolder f;
    f.path = path;
    f.role = pending_roles_[index];
    f.locator = std::string(kLocatorPrefix) + std::to_string(folders_.size());
    folders_.push_back(std::move(f));
    views_.push_back({false, 0, std::move(pending_views_[index])});
  }
  if (!messages_.empty())
    core::log_info(describe() + ": " + core::counted(messages_.size(), "message", "messages") +
                   " with Gmail labels in " +
                   core::counted(labels.size(), "label folder", "label folders"));
  loaded_ = true;
}

void GmailTakeoutSource::read_takeout(std::size_t inner_index) {
  std::vector<Labelled> scanned;
  StoreSink sink(scanned, pending_errors_);
  inner_->scan_with_gmail_labels(inner_folders_[inner_index], sink);
  std::unordered_map<std::string, LabelSet> cache;  // messages share label combinations
  for (auto& [m, labels] : scanned) {
    auto it = cache.find(labels);
    if (it == cache.end()) it = cache.emplace(labels, classify(labels)).first;
    const LabelSet& set = it->second;
    if (set.labelled) {
      core::Flags flags = set.unread ? m.flags.minus(core::Flag::Seen) : m.flags;
      if (!set.unread) flags.add(core::Flag::Seen);
      if (set.starred) flags.add(core::Flag::Flagged);
      flags.add(set.keywords);
      m.flags = flags;
    }
    auto folders = set.folders;
    if (mode_ == core::GmailLabels::First) folders.resize(1);
    const std::size_t stored = messages_.size();
    for (const auto& [path, role] : folders) {
      auto [view, added] = label_views_.emplace(path, pending_views_.size());
      if (added) {
        pending_views_.emplace_back();
        pending_roles_.push_back(role);
      }
      pending_views_[view->second].push_back(stored);
      if (role == Role::Drafts) m.flags.add(core::Flag::Draft);
    }
    messages_.push_back({inner_index, std::move(m)});
  }
}

void GmailTakeoutSource::scan(const SourceFolder& folder, ScanSink& sink) {
  load();
  const View& view = view_of(folder);
  if (view.passthrough) {
    inner_->scan(inner_folders_[view.inner], sink);
    return;
  }
  for (auto& error : pending_errors_) sink.error(std::move(error));
  pending_errors_.clear();
  for (std::size_t index : view.messages) {
    SourceMessage m = messages_[index].message;
    m.locator = std::to_string(index);
    sink.message(std::move(m));
  }
}

std::unique_ptr<BodyReader> GmailTakeoutSource::open(const SourceFolder& folder,
                                                     const SourceMessage& message) {
  load();
  const View& view = view_of(folder);
  if (view.passthrough) return inner_->open(inner_folders_[view.inner], message);
  auto index = parse_index(message.locator, messages_.size());
  if (!index)
    throw core::SourceError(describe() + ": folder " + folder.display_name() +
                                ": not a message of this source (locator \"" + message.locator +
                                "\")",
                            core::ErrorScope::Message);
  const Stored& stored = messages_[*index];
  return inner_->open(inner_folders_[stored.inner], stored.message);
}

const GmailTakeoutSource::View& GmailTakeoutSource::view_of(const SourceFolder& folder) const {
  std::string_view locator = folder.locator;
  std::optional<std::size_t> index;
  if (locator.substr(0, kLocatorPrefix.size()) == kLocatorPrefix)
    index = parse_index(locator.substr(kLocatorPrefix.size()), views_.size());
  if (!index)
    throw core::SourceError(describe() + ": no folder " + folder.display_name() + " in this source",
                            core::ErrorScope::Folder);
  return views_[*index];
}

std::unique_ptr<Source> with_gmail_labels(std::unique_ptr<MboxSource> inner,
                                          core::GmailLabels mode) {
  if (mode == core::GmailLabels::Ignore) return inner;
  return std::make_unique<GmailTakeoutSource>(std::move(inner), mode);
}

}  // namespace mailferry::source
