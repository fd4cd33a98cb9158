// ImapTarget: the Target on a real IMAP server, over net::Connection and the
// pipelining imap::Client.
//
// The constructor connects and logs in (throws core::ConnectionError), then
// asks for CAPABILITY. Folder names are UTF-8 here and modified UTF-7 on the
// wire; names the server listed are sent back exactly as it spelled them.
// Errors follow target.hpp: ServerError with Folder scope for a folder the
// server refuses to open or create, Account scope for quota and refused
// listings, and for a server that still answers "throttled" after
// Tuning::throttle.max_waits waits in a row (a refused login: a
// ConnectionError that is not retryable); ConnectionError when the
// connection is lost and Tuning::reconnect allows no further try. Waiting out a throttled answer
// blocks the caller for up to Tuning::throttle.max_wait, with a warning logged first. After a
// message body fails mid-literal the connection is closed (the server discards the partial message)
// and the next operation reconnects. The destructor logs out (best effort, bounded by a short
// wait).
//
// Not thread-safe: one ImapTarget per thread.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "mailferry/core/retry.hpp"
#include "mailferry/imap/client.hpp"
#include "mailferry/imap/throttle_hint.hpp"
#include "mailferry/net/connection.hpp"
#include "mailferry/target/target.hpp"

namespace mailferry::target {

class ImapTarget final : public Target {
 public:
  struct Tuning {
    std::size_t max_in_flight = 64;      // commands sent and not yet answered
    std::size_t chunk_size = 64 * 1024;  // body bytes per read from the source
    // MULTIAPPEND (RFC 3502), where offered: up to this many messages and
    // bytes per APPEND command (one message always fits). The server stores a
    // command's messages in one transaction, which saves it an index update
    // and, with fsync on, most of its syncs per message. 1: one per command.
    std::size_t batch_messages = 64;
    std::uint64_t batch_bytes = 1 << 20;
    // Throttled answers (imap/throttle_hint.hpp) to LOGIN/AUTHENTICATE,
    // APPEND, SELECT, FETCH, SEARCH and the other commands are waited out and
    // the command sent again; nothing refused as throttled was stored, so
    // nothing goes twice. Too many in a row stop the job.
    imap::ThrottlePolicy throttle;
    // A connection that fails to open, or is lost under a command that can
    // simply be sent again (not an APPEND in flight: only the caller can
    // tell whether it landed), is tried again over a new connection as
    // this policy allows; what cannot heal (a refused login, an untrusted
    // certificate) never is (core/retry.hpp). Never by default: inside a
    // sync the executor resumes a lost connection and re-indexes the folder,
    // and a second loop here would multiply its attempts.
    core::RetryPolicy reconnect = core::RetryPolicy::never();
  };

  // Opens the authenticated connection; net::Connection::open unless a test
  // puts a scripted server in its place.
  using Connector = std::function<std::unique_ptr<net::Connection>(const net::ConnectOptions&)>;

  explicit ImapTarget(net::ConnectOptions options) : ImapTarget(std::move(options), Tuning{}) {}
  ImapTarget(net::ConnectOptions options, Tuning tuning, Connector connect = nullptr);
  ~ImapTarget() override;

  std::string describe() const override;
  // Both: UIDNEXT, the message count and (with CONDSTORE) HIGHESTMODSEQ
  // compare a folder with an earlier snapshot, and UID SEARCH confirms one.
  TargetFeatures features() const override { return {true, true}; }
  // LIST (with RETURN (SPECIAL-USE) where offered); folders the server marks
  // with no role get one by name where it is clear (target/role_discovery.hpp).
  std::vector<TargetFolder> list_folders() override;
  // NAMESPACE (RFC 2342) where offered. Else what the folder list implies:
  // folders only below "INBOX" + delimiter put new ones there too; folders
  // beside INBOX, no prefix; INBOX alone, no prefix, uncertain. Asked once
  // per ImapTarget.
  TargetNamespace personal_namespace() override;
  // An uncertain namespace whose CREATE outside INBOX was refused becomes
  // "INBOX" + delimiter.
  std::optional<TargetNamespace> namespace_after_refusal(const std::string& name) override;
  // A folder this object created once is not created again.
  void create_folder(const std::string& name, core::Role role) override;
  FolderSnapshot index_folder(const std::string& folder, bool read_only,
                              const std::function<void(TargetMessage)>& each) override;
  // STATUS (MESSAGES UIDNEXT UIDVALIDITY, and HIGHESTMODSEQ with CONDSTORE).
  // keywords_allowed is what the last SELECT of this folder showed, or false
  // when it has not been selected.
  FolderSnapshot status(const std::string& folder) override;
  // SELECT (with CONDSTORE where offered) tells whether anything changed; new
  // messages are fetched by UID, flag changes with CHANGEDSINCE (RFC 7162),
  // and that no older message went is checked with a UID SEARCH count.
  IndexResult index_folder_since(
      const std::string& folder, bool read_only, const FolderSnapshot& known,
      const std::function<void(TargetMessage)>& each,
      const std::function<void(std::uint32_t uid, core::Flags flags)>& flags_changed) override;
  // STATUS, then UID SEARCH ALL (ESEARCH where offered, which makes a run of
  // UIDs a few bytes).
  std::optional<FolderSnapshot> snapshot_if_exactly(
      const std::string& folder, const std::vector<std::uint32_t>& uids) override;
  void append(const std::string& folder, const std::vector<AppendItem>& items,
              const std::function<void(std::size_t, const AppendOutcome&)>& done) override;
  void update_flags(const std::string& folder, const std::vector<FlagUpdate>& updates) override;

  // The reading half, for an account that is a source (source/imap_source.hpp).
  // Folders are opened read-only (EXAMINE) and bodies fetched with
  // BODY.PEEK[], so nothing on the server changes, \Seen included.
  //
  // Every message of `folder` with the index items and the header fields
  // `header_names` (space-separated), given to `each` with that header block.
  FolderSnapshot read_folder(
      const std::string& folder, const std::string& header_names,
      const std::function<void(TargetMessage, std::string_view header)>& each);
  // index_folder_since() of the reading half: read-only, with the header
  // fields `header_names` of each message given to `each`.
  IndexResult read_folder_since(
      const std::string& folder, const std::string& header_names, const FolderSnapshot& known,
      const std::function<void(TargetMessage, std::string_view header)>& each,
      const std::function<void(std::uint32_t uid, core::Flags flags)>& flags_changed) {
    return index_since(folder, true, known, header_names, each, flags_changed);
  }
  // The bodies of messages `uids` of `folder`, in one UID FETCH: the bytes
  // of each go to `bytes` in order as the server sends them (bodies over
  // 1 MiB in pieces, never whole), and then `received(uid, uidvalidity)`
  // says whose they were, with the folder's UIDVALIDITY as the server read
  // it. A UID the server sends no body for (expunged) gets no call. A FETCH
  // sent again (throttled, or over a new connection as Tuning::reconnect
  // allows) first calls `restart`: the bytes of a body not received whole
  // are void, and bodies received before may come again. Throws like
  // index_folder().
  void fetch_bodies(
      const std::string& folder, const std::vector<std::uint32_t>& uids,
      const std::function<void(std::string_view)>& bytes,
      const std::function<void(std::uint32_t uid, std::uint32_t uidvalidity)>& received,
      const std::function<void()>& restart);

  // The capabilities after login (for diagnostics and tests).
  const imap::Capabilities& capabilities();
  // One line for an admin: the namespace, its delimiter and how it is known,
  // and which capabilities that change mailferry's behaviour the server has
  // and lacks ('namespace "INBOX." (announced), delimiter '.'; with UIDPLUS
  // ...; without SPECIAL-USE ...').
  std::string shape();

  // How far a refused APPEND reaches, from the server's response code
  // (RFC 5530, RFC 3501 7.1):
  //   Account: OVERQUOTA (nothing more fits), UNAVAILABLE (the server's
  //            storage or a subsystem is down: every further APPEND would fail
  //            alike, so the job stops and the next run tries again);
  //   Folder:  TRYCREATE, NONEXISTENT (the folder is gone), NOPERM (no right
  //            to add to this folder);
  //   Message: anything else (TOOBIG, LIMIT, PARSE, CANNOT, SERVERBUG, no
  //            code): this message is skipped, the others go on.
  // A throttled answer (imap::throttle_hint) is no refusal: append() waits
  // and sends the message again; this is not asked for it.
  static core::ErrorScope append_refusal_scope(const imap::Response& refusal);

 private:
  // What SELECT/EXAMINE said about the open folder.
  struct Selected {
    std::string name;
    bool read_only = true;
    FolderSnapshot snapshot;
    std::optional<std::set<std::string>> permanent_flags;  // upper-cased; \* for any keyword
    std::set<std::string> flags;                           // FLAGS, upper-cased
    bool keyword_allowed(std::string_view keyword) const;
  };

  // Connects, or reconnects after the connection was closed; a throttled
  // login is waited out (Tuning::throttle) and a failed one tried again
  // (Tuning::reconnect).
  imap::Client& client();
  // The client, with `folder` selected (writable: by SELECT; else EXAMINE
  // or SELECT will do). A reconnect forgets the selection, so this asks for
  // the client first and selects again where needed.
  imap::Client& ensure_selected(const std::string& folder, bool writable);
  void abandon_if_busy() noexcept;
  // One more throttled answer to `what` in a row (`throttled` counts them,
  // made by throttle_count()): past the policy's limit, throws (ServerError,
  // Account scope; at login a ConnectionError that is not retryable) with
  // the server's words; else logs a warning and waits. A connection the
  // server has closed or said BYE on is dropped, so that the next client()
  // reconnects.
  static constexpr int kCreationRaceRetries = 3;
  static constexpr std::chrono::milliseconds kCreationRacePause{100};  // times the try number
  static bool raced_own_creation(const imap::Response& answer);
  void wait_out(const imap::ThrottleHint& hint, const std::string& what, core::Retry& throttled,
                bool login = false);
  core::Retry throttle_count() const { return core::Retry(tuning_.throttle.retry_policy()); }
  // After `error` lost the connection under something that may simply go
  // again: true (after logging and waiting) when Tuning::reconnect allows;
  // false when it never tries again; and when it has tried and gives up,
  // throws `error` as not retryable, so that an outer loop (the executor's)
  // does not start counting again.
  bool reconnect_allowed(core::Retry& reconnects, const core::ConnectionError& error,
                         const std::string& what, bool progressed = false);
  // Runs the command `make` builds on the current connection and returns its
  // answer; a throttled answer is waited out and the command built and sent
  // again (over a new connection if the server closed this one, the folder
  // selected before selected again when `selected_state`). A connection lost
  // under the command is tried again as Tuning::reconnect allows. `untagged`
  // sees the untagged responses of every try; `restart` runs before each try
  // after the first, to drop what an earlier try gathered.
  //
  // A NO [ALREADYEXISTS] to anything but CREATE is sent again too, up to
  // kCreationRaceRetries times after short pauses: a server that creates
  // folders on first use (Dovecot's `auto = create`) answers so when two of
  // this job's connections open a new folder at the same moment.
  imap::Completion run_patiently(const std::string& what,
                                 const std::function<imap::Command(imap::Client&)>& make,
                                 const imap::Client::UntaggedHandler& untagged = nullptr,
                                 const std::function<void()>& restart = nullptr,
                                 bool selected_state = false);
  imap::Command& add_mailbox(imap::Command& command, const std::string& folder);
  const Selected& select(const std::string& folder, bool read_only);
  core::Flags allowed_flags(core::Flags flags) const;
  bool folder_exists(const std::string& folder);
  // UID FETCH of the index items for `uids` ("1:*", "57:*") of the selected
  // folder; messages below `min_uid` are left out.
  void fetch_index(const std::string& folder, const std::string& uids, std::uint32_t min_uid,
                   const std::function<void(TargetMessage)>& each);
  IndexResult index_since(const std::string& folder, bool read_only, const FolderSnapshot& known,
                          const std::string& header_names,
                          const std::function<void(TargetMessage, std::string_view header)>& each,
                          const std::function<void(std::uint32_t, core::Flags)>& flags_changed);
  // fetch_index() with the header fields `header_names`, whose block `each` gets too.
  void fetch_items(const std::string& folder, const std::string& uids, std::uint32_t min_uid,
                   const std::string& header_names,
                   const std::function<void(TargetMessage, std::string_view header)>& each);
  // UID SEARCH in the selected folder: how many messages match, and into
  // `uids` (when not null) their UIDs, ascending. nullopt when the answer
  // lists more than `max_count` UIDs or cannot be read.
  std::optional<std::uint64_t> search_uids(const std::string& folder, const std::string& criteria,
                                           std::vector<std::uint32_t>* uids, std::size_t max_count);
  struct AppendState;
  bool append_pass(const std::string& folder, const std::vector<AppendItem>& items,
                   AppendState& state,
                   const std::function<void(std::size_t, const AppendOutcome&)>& done);

  net::ConnectOptions options_;
  Tuning tuning_;
  Connector connect_;
  std::unique_ptr<imap::Client> client_;
  std::map<std::string, std::string> wire_names_;  // UTF-8 name -> the server's spelling
  std::optional<Selected> selected_;
  std::optional<TargetNamespace> namespace_;
  std::set<std::string> created_;  // folders created (and subscribed) by this object
  // Messages per MULTIAPPEND now: a lost connection costs the batches in
  // flight, so it shrinks after each loss and grows back as batches succeed.
  std::size_t batch_limit_ = 0;
};

// The default tuning with the hidden knobs of the environment applied, for
// benchmarks: MAILFERRY_MAX_IN_FLIGHT (commands in flight, 1: one command at
// a time) and MAILFERRY_APPEND_BATCH (messages per MULTIAPPEND, 1: one per
// command).
ImapTarget::Tuning tuning_from_environment();

}  // namespace mailferry::target
