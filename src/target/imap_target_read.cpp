// ImapTarget: the reading half, for an account that is a source. Nothing here
// changes the server: EXAMINE, and BODY.PEEK[] instead of BODY[].
#include <string>

#include "mailferry/imap/data.hpp"
#include "mailferry/imap/uid_set.hpp"
#include "mailferry/target/imap_target.hpp"

namespace mailferry::target {

FolderSnapshot ImapTarget::read_folder(
    const std::string& folder, const std::string& header_names,
    const std::function<void(TargetMessage, std::string_view header)>& each) {
  const FolderSnapshot snapshot = select(folder, true).snapshot;
  if (snapshot.messages != 0) fetch_items(folder, "1:*", 1, header_names, each);
  return snapshot;
}

void ImapTarget::fetch_bodies(const std::string& folder, const std::vector<std::uint32_t>& uids,
                              const std::function<void(std::string_view)>& bytes,
                              const std::function<void(std::uint32_t, std::uint32_t)>& received,
                              const std::function<void()>& restart) {
  ensure_selected(folder, false);
  const std::string uid_set = imap::compact_uid_set(uids);
  auto make = [&](imap::Client& c) {
    // Set on every try: a try over a new connection has a new client.
    c.on_literal_chunk(bytes);
    imap::Command command("UID FETCH");
    command.raw(uid_set + " (UID BODY.PEEK[])");
    return command;
  };
  const imap::Completion done = run_patiently(
      "the reading of messages in folder " + folder, make,
      [&](imap::Response& r) {
        if (r.keyword != "FETCH") return;
        auto fetch = imap::parse_fetch(r);
        if (!fetch || !fetch->uid || !fetch->body) return;
        // A body small enough to buffer comes whole with its response; a
        // bigger one went to `bytes` piece by piece as it arrived.
        if (!fetch->body_streamed) bytes(*fetch->body);
        received(*fetch->uid, selected_ ? selected_->snapshot.uidvalidity : 0);
      },
      restart, true);
  if (client_) client_->on_literal_chunk(nullptr);
  if (!done.ok())
    throw core::ServerError(core::ErrorScope::Message,
                            describe() + ": cannot read message" + (uids.size() == 1 ? " " : "s ") +
                                "UID " + uid_set + " of folder " + folder + ": " + done.describe());
}

}  // namespace mailferry::target
