// ImapTarget: indexing (in full, or since an index kept from an earlier run),
// STATUS, and the check that lets an index be kept for the next run.
#include <algorithm>
#include <unordered_set>

#include "mailferry/imap/data.hpp"
#include "mailferry/imap/uid_set.hpp"
#include "mailferry/mime/header_fields.hpp"
#include "mailferry/mime/message_key.hpp"
#include "mailferry/target/imap_target.hpp"

namespace mailferry::target {

void ImapTarget::fetch_index(const std::string& folder, const std::string& uids,
                             std::uint32_t min_uid,
                             const std::function<void(TargetMessage)>& each) {
  fetch_items(folder, uids, min_uid, std::string(mime::key_header_names()),
              [&](TargetMessage m, std::string_view) { each(std::move(m)); });
}

void ImapTarget::fetch_items(
    const std::string& folder, const std::string& uids, std::uint32_t min_uid,
    const std::string& header_names,
    const std::function<void(TargetMessage, std::string_view header)>& each) {
  auto make = [&](imap::Client&) {
    imap::Command command("UID FETCH");
    command.raw(uids + " (UID FLAGS RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER.FIELDS (" +
                header_names + ")])");
    return command;
  };
  // A FETCH throttled part way is sent again: messages the first try
  // delivered are not handed on twice.
  std::unordered_set<std::uint32_t> delivered;
  bool retried = false;
  const imap::Completion done = run_patiently(
      "the reading of folder " + folder, make,
      [&](imap::Response& r) {
        if (r.keyword != "FETCH") return;
        auto fetch = imap::parse_fetch(r);
        // FETCH responses without our items are flag updates the server volunteers.
        if (!fetch || !fetch->uid || !fetch->rfc822_size || !fetch->header) return;
        // "N:*" names the last message even when its UID is below N.
        if (*fetch->uid < min_uid) return;
        if (!delivered.insert(*fetch->uid).second && retried) return;
        TargetMessage m;
        m.uid = *fetch->uid;
        m.size = *fetch->rfc822_size;
        if (fetch->flags)
          for (const auto& flag : *fetch->flags) m.flags.add_imap_token(flag);
        if (fetch->internal_date) {
          if (auto date = core::parse_imap_date(*fetch->internal_date)) m.internal_date = *date;
        }
        m.key = mime::message_key(mime::scan_header_fields(*fetch->header), m.size);
        each(std::move(m), *fetch->header);
      },
      [&] { retried = true; }, true);
  if (!done.ok())
    throw core::ServerError(core::ErrorScope::Folder,
                            describe() + ": cannot read folder " + folder + ": " + done.describe());
}

FolderSnapshot ImapTarget::index_folder(const std::string& folder, bool read_only,
                                        const std::function<void(TargetMessage)>& each) {
  const FolderSnapshot snapshot = select(folder, read_only).snapshot;
  if (snapshot.messages != 0) fetch_index(folder, "1:*", 1, each);
  return snapshot;
}

std::optional<std::uint64_t> ImapTarget::search_uids(const std::string& folder,
                                                     const std::string& criteria,
                                                     std::vector<std::uint32_t>* uids,
                                                     std::size_t max_count) {
  auto make = [&](imap::Client& c) {
    imap::Command command("UID SEARCH");
    if (c.capabilities().has("ESEARCH"))
      command.raw(uids == nullptr ? "RETURN (COUNT)" : "RETURN (ALL)");
    command.raw(criteria);
    return command;
  };
  std::vector<std::uint32_t> found;
  std::uint64_t count = 0;  // RFC 4731: no COUNT item when nothing matched
  bool readable = true;
  auto restart = [&] {
    found.clear();
    count = 0;
    readable = true;
  };
  const imap::Completion done = run_patiently(
      "a search in folder " + folder, make,
      [&](imap::Response& r) {
        if (r.keyword == "SEARCH") {  // "* SEARCH 3 7 9"
          for (const auto& v : r.data) {
            auto n = v.number();
            if (!n || *n == 0 || *n > 0xffffffffu || found.size() >= max_count) {
              readable = false;
              return;
            }
            found.push_back(static_cast<std::uint32_t>(*n));
          }
          count = found.size();
        } else if (r.keyword ==
                   "ESEARCH") {  // "* ESEARCH (TAG "m5") UID ALL 3:7,9" or "... COUNT 5"
          for (std::size_t i = 0; i + 1 < r.data.size(); ++i) {
            if (r.data[i].is_atom("COUNT")) {
              auto n = r.data[i + 1].number();
              if (n)
                count = *n;
              else
                readable = false;
            } else if (r.data[i].is_atom("ALL")) {
              auto set = imap::parse_uid_set(r.data[i + 1].text, max_count);
              if (set)
                found = std::move(*set);
              else
                readable = false;
              count = found.size();
            }
          }
        }
      },
      restart, true);
  if (!done.ok())
    throw core::ServerError(core::ErrorScope::Folder, describe() + ": cannot search folder " +
                                                          folder + ": " + done.describe());
  if (!readable) return std::nullopt;
  if (uids != nullptr) {
    std::sort(found.begin(), found.end());
    *uids = std::move(found);
  }
  return count;
}

IndexResult ImapTarget::index_folder_since(
    const std::string& folder, bool read_only, const FolderSnapshot& known,
    const std::function<void(TargetMessage)>& each,
    const std::function<void(std::uint32_t, core::Flags)>& flags_changed) {
  return index_since(
      folder, read_only, known, std::string(mime::key_header_names()),
      [&](TargetMessage m, std::string_view) { each(std::move(m)); }, flags_changed);
}

IndexResult ImapTarget::index_since(
    const std::string& folder, bool read_only, const FolderSnapshot& known,
    const std::string& header_names,
    const std::function<void(TargetMessage, std::string_view header)>& each,
    const std::function<void(std::uint32_t, core::Flags)>& flags_changed) {
  const FolderSnapshot now = select(folder, read_only).snapshot;
  auto full = [&] {
    if (now.messages != 0) fetch_items(folder, "1:*", 1, header_names, each);
    return IndexResult{now, IndexChange::Full};
  };
  if (known.uidvalidity == 0 || known.uidnext == 0 || now.uidvalidity != known.uidvalidity ||
      now.uidnext < known.uidnext)
    return full();
  // Mod-sequences tell flag changes apart only when both sides have them.
  const bool modseqs = now.highest_modseq != 0 && known.highest_modseq != 0;
  const bool flags_same = !modseqs || now.highest_modseq == known.highest_modseq;
  if (now.uidnext == known.uidnext && now.messages == known.messages && flags_same)
    return {now, IndexChange::Unchanged};
  // UIDs are never reused: with UIDNEXT unchanged nothing was added, so the
  // same count means nothing was removed either. With messages added, the
  // older ones must all still be there.
  if (now.uidnext == known.uidnext) {
    if (now.messages != known.messages) return full();
  } else if (known.uidnext > 1) {
    auto old = search_uids(folder, "UID 1:" + std::to_string(known.uidnext - 1), nullptr,
                           static_cast<std::size_t>(known.messages) + 1);
    if (!old || *old != known.messages) return full();
  } else if (known.messages != 0) {
    return full();
  }
  if (!flags_same && known.uidnext > 1) {
    auto make = [&](imap::Client&) {
      imap::Command command("UID FETCH");
      command.raw("1:" + std::to_string(known.uidnext - 1) + " (UID FLAGS) (CHANGEDSINCE " +
                  std::to_string(known.highest_modseq) + ")");
      return command;
    };
    std::unordered_set<std::uint32_t> reported;  // once each, across throttled tries
    const imap::Completion done = run_patiently(
        "the flag changes of folder " + folder, make,
        [&](imap::Response& r) {
          auto fetch = imap::parse_fetch(r);
          if (!fetch || !fetch->uid || !fetch->flags || *fetch->uid >= known.uidnext) return;
          if (!reported.insert(*fetch->uid).second) return;
          core::Flags flags;
          for (const auto& flag : *fetch->flags) flags.add_imap_token(flag);
          flags_changed(*fetch->uid, flags);
        },
        nullptr, true);
    if (!done.ok()) return full();  // each has not been called yet
  }
  if (now.uidnext > known.uidnext)
    fetch_items(folder, std::to_string(known.uidnext) + ":*", known.uidnext, header_names, each);
  return {now, IndexChange::Added};
}

std::optional<FolderSnapshot> ImapTarget::snapshot_if_exactly(
    const std::string& folder, const std::vector<std::uint32_t>& uids) {
  // STATUS first, then the UIDs: a message stored in between shows up in the
  // search with a UID at or above UIDNEXT, so it cannot go unnoticed.
  const FolderSnapshot counted = status(folder);
  if (counted.messages != uids.size() || counted.uidvalidity == 0) return std::nullopt;
  if (!uids.empty() && uids.back() >= counted.uidnext) return std::nullopt;
  ensure_selected(folder, false);
  if (selected_->snapshot.uidvalidity != counted.uidvalidity) return std::nullopt;
  std::vector<std::uint32_t> present;
  if (!search_uids(folder, "ALL", &present, uids.size()) || present != uids) return std::nullopt;
  FolderSnapshot snapshot = counted;
  snapshot.keywords_allowed = selected_->snapshot.keywords_allowed;
  return snapshot;
}

FolderSnapshot ImapTarget::status(const std::string& folder) {
  auto make = [&](imap::Client& c) {
    imap::Command command("STATUS");
    add_mailbox(command, folder);
    command.raw(c.capabilities().has("CONDSTORE") ? "(MESSAGES UIDNEXT UIDVALIDITY HIGHESTMODSEQ)"
                                                  : "(MESSAGES UIDNEXT UIDVALIDITY)");
    return command;
  };
  FolderSnapshot snapshot;
  const imap::Completion done =
      run_patiently("the status of folder " + folder, make, [&](imap::Response& r) {
        auto status = imap::parse_status(r);
        if (!status) return;
        auto get = [&](const char* name) {
          auto it = status->items.find(name);
          return it == status->items.end() ? std::uint64_t{0} : it->second;
        };
        snapshot.messages = static_cast<std::uint32_t>(get("MESSAGES"));
        snapshot.uidnext = static_cast<std::uint32_t>(get("UIDNEXT"));
        snapshot.uidvalidity = static_cast<std::uint32_t>(get("UIDVALIDITY"));
        snapshot.highest_modseq = get("HIGHESTMODSEQ");
      });
  if (!done.ok())
    throw core::ServerError(
        core::ErrorScope::Folder,
        describe() + ": cannot get the status of folder " + folder + ": " + done.describe());
  if (selected_ && selected_->name == folder)
    snapshot.keywords_allowed = selected_->snapshot.keywords_allowed;
  return snapshot;
}

}  // namespace mailferry::target
