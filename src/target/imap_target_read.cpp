// ImapTarget: the reading half, for an account that is a source. Nothing here
// changes the server: EXAMINE, and BODY.PEEK[] instead of BODY[].
#include <string>

#include "mailferry/imap/data.hpp"
#include "mailferry/target/imap_target.hpp"

namespace mailferry::target {

FolderSnapshot ImapTarget::read_folder(
    const std::string& folder, const std::string& header_names,
    const std::function<void(TargetMessage, std::string_view header)>& each) {
  const FolderSnapshot snapshot = select(folder, true).snapshot;
  if (snapshot.messages != 0) fetch_items(folder, "1:*", 1, header_names, each);
  return snapshot;
}

ImapTarget::FetchedMessage ImapTarget::fetch_message(
    const std::string& folder, std::uint32_t uid, const std::function<void(std::string_view)>& sink,
    const std::function<void()>& restart) {
  ensure_selected(folder, false);
  FetchedMessage out;
  auto make = [&](imap::Client& c) {
    // Set on every try: a try over a new connection has a new client.
    c.on_literal_chunk(sink);
    imap::Command command("UID FETCH");
    command.raw(std::to_string(uid) + " (UID BODY.PEEK[])");
    return command;
  };
  auto again = [&] {
    out.found = false;
    restart();
  };
  const imap::Completion done = run_patiently(
      "the reading of a message in folder " + folder, make,
      [&](imap::Response& r) {
        if (r.keyword != "FETCH") return;
        auto fetch = imap::parse_fetch(r);
        if (!fetch || !fetch->uid || *fetch->uid != uid || !fetch->body) return;
        // A body small enough to buffer comes whole with its response; a
        // bigger one went to `sink` piece by piece as it arrived.
        if (!fetch->body_streamed) sink(*fetch->body);
        out.found = true;
      },
      again, true);
  if (client_) client_->on_literal_chunk(nullptr);
  if (!done.ok())
    throw core::ServerError(core::ErrorScope::Message, describe() + ": cannot read message UID " +
                                                           std::to_string(uid) + " of folder " +
                                                           folder + ": " + done.describe());
  out.uidvalidity = selected_ ? selected_->snapshot.uidvalidity : 0;
  return out;
}

}  // namespace mailferry::target
