// ImapSource: an IMAP account's folders and messages, read without changes.
#include "mailferry/source/imap_source.hpp"

#include <algorithm>
#include <charconv>
#include <unordered_map>
#include <utility>

#include "mailferry/pop3/spool.hpp"
#include "mailferry/target/imap_target.hpp"

namespace mailferry::source {
namespace {

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

std::uint32_t ImapSource::uid_of(const SourceMessage& message) {
  std::uint32_t uid = 0;
  const auto& text = message.locator;
  std::from_chars(text.data(), text.data() + text.size(), uid);
  return uid;
}

std::unique_ptr<BodyReader> ImapSource::open(const SourceFolder& folder,
                                             const SourceMessage& message) {
  Opened one;
  open_batch(folder, {&message}, [&](std::size_t, Opened opened) { one = std::move(opened); });
  if (one.error) std::rethrow_exception(one.error);
  return std::move(one.reader);
}

void ImapSource::open_batch(const SourceFolder& folder,
                            const std::vector<const SourceMessage*>& messages,
                            const EachOpened& each) {
  auto fresh_spool = [&] {
    return pop3::Spool(options_.spool_directory, options_.spool_memory_limit);
  };
  std::unordered_map<std::uint32_t, std::size_t> position_of;
  std::vector<std::uint32_t> uids;
  uids.reserve(messages.size());
  for (std::size_t k = 0; k < messages.size(); ++k) {
    uids.push_back(uid_of(*messages[k]));
    position_of.emplace(uids.back(), k);
  }
  std::vector<bool> given(messages.size(), false);
  auto give = [&](std::size_t k, Opened opened) {
    given[k] = true;
    each(k, std::move(opened));
  };
  auto failure = [&](std::size_t k, const std::string& why) {
    Opened out;
    out.error =
        std::make_exception_ptr(core::SourceError(describe() + ": folder " + folder.display_name() +
                                                      ", message UID " + messages[k]->locator + why,
                                                  core::ErrorScope::Message));
    return out;
  };
  const auto scanned = uidvalidity_.find(folder.locator);
  // The bytes of the body being received go to `arriving` until the
  // server's response says which message it was; then it is handed out at
  // once, so that its upload can start while the others still arrive.
  pop3::Spool arriving = fresh_spool();
  try {
    account_->fetch_bodies(
        folder.locator, uids, [&](std::string_view bytes) { arriving.append(bytes); },
        [&](std::uint32_t uid, std::uint32_t uidvalidity) {
          pop3::Spool body = std::exchange(arriving, fresh_spool());
          const auto found = position_of.find(uid);
          if (found == position_of.end() || given[found->second]) return;
          const std::size_t k = found->second;
          if (scanned != uidvalidity_.end() && uidvalidity != scanned->second)
            give(k, failure(k,
                            ": the server renumbered the folder since it was scanned "
                            "(UIDVALIDITY changed); the next run reads it again"));
          else if (body.size() != messages[k]->size)
            give(k, failure(k, ": the server sent " + std::to_string(body.size()) +
                                   " bytes where RFC822.SIZE announced " +
                                   std::to_string(messages[k]->size) + "; not uploaded"));
          else
            give(k, {std::make_unique<pop3::SpoolReader>(std::move(body)), nullptr});
        },
        [&] { arriving = fresh_spool(); });
  } catch (const core::ServerError& e) {
    throw core::SourceError(e.what(), core::ErrorScope::Message);
  }
  for (std::size_t k = 0; k < messages.size(); ++k)
    if (!given[k])
      give(k, failure(k, ": no longer on the server (deleted or moved since the scan)"));
}

}  // namespace mailferry::source
