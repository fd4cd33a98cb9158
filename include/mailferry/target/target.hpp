// The Target interface: all the sync engine knows about where mail goes.
//
// ImapTarget speaks to a real server. Wrappers (ThrottledTarget, DryRunTarget)
// derive from ForwardingTarget, which passes every call on, and override only
// what they change; the dry run is such a wrapper, another implementation of
// this seam, not a flag tested everywhere.
//
// Optional abilities are declared by features(), never found by calling and
// getting a base class's fallback: the sync engine calls index_folder_since()
// and snapshot_if_exactly() only on a target that declares them.
//
// Folder names are UTF-8 everywhere above the wire; the IMAP code converts to
// modified UTF-7. Errors: core::ConnectionError when the connection is lost and
// cannot be resumed (Account scope); core::ServerError for refused commands,
// with the scope the server's answer implies.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mailferry/core/body_reader.hpp"
#include "mailferry/core/error.hpp"
#include "mailferry/core/flags.hpp"
#include "mailferry/core/internal_date.hpp"
#include "mailferry/core/message_key.hpp"
#include "mailferry/core/role.hpp"

namespace mailferry::target {

struct TargetFolder {
  std::string name;      // full UTF-8 name as the server has it ("INBOX.Sent")
  char delimiter = '/';  // the server's hierarchy delimiter for this name ('\0': flat)
  core::Role role = core::Role::None;  // from SPECIAL-USE, else from well-known names
  bool selectable = true;
  bool role_by_name = false;  // the role comes from the name (the server marks none)
  // A view of messages that live in other folders: SPECIAL-USE \All,
  // \Flagged or \Important (Gmail's All Mail, Starred, Important).
  bool gathers_others = false;
};

// Where the user's own folders live (RFC 2342 personal namespace): every new
// folder name starts with `prefix` ("" or "INBOX."), except INBOX itself.
struct TargetNamespace {
  std::string prefix;    // UTF-8, ending with the delimiter when not empty
  char delimiter = '/';  // hierarchy delimiter ('\0': a flat server)
  // Whether the server told: NAMESPACE announced it, or the folders LIST
  // shows imply it. false: a fresh account on a server without NAMESPACE,
  // where only INBOX exists and nothing tells whether new folders may go
  // beside it; the prefix is "" until the server refuses a folder there
  // (Target::namespace_after_refusal).
  bool certain = true;
};

struct TargetMessage {
  std::uint32_t uid = 0;
  core::MessageKey key;
  core::Flags flags;
  std::uint64_t size = 0;
  core::InternalDate internal_date;
};

struct FolderSnapshot {
  std::uint32_t uidvalidity = 0;
  std::uint32_t uidnext = 0;
  std::uint32_t messages = 0;
  bool keywords_allowed = false;  // PERMANENTFLAGS has \* (so $Forwarded, $MDNSent stick)
  // HIGHESTMODSEQ (RFC 7162 CONDSTORE): grows with every change of the folder,
  // flags included; 0 when the server keeps no mod-sequences.
  std::uint64_t highest_modseq = 0;
};

// How index_folder_since() found a folder compared with an earlier index.
enum class IndexChange {
  Unchanged,  // no message added or removed since, and no flag changed where
              // the server can tell (HIGHESTMODSEQ); `each` was not called
  Added,      // nothing removed: `each` got the messages added since, and
              // `flags_changed` the older messages whose flags changed
  Full,       // not comparable (UIDVALIDITY, messages removed, ...): `each`
              // got every message, as from index_folder()
};

struct IndexResult {
  FolderSnapshot snapshot;
  IndexChange change = IndexChange::Full;
};

// One message to append. The body is opened only when its literal is about to
// be sent, so at most one source message is open at a time.
struct AppendItem {
  std::uint64_t size = 0;
  core::Flags flags;
  core::InternalDate internal_date;
  std::function<std::unique_ptr<core::BodyReader>()> open_body;
  std::string where;  // "mbox:/x/Inbox.mbox message 17", for errors
};

struct AppendOutcome {
  bool ok = false;
  std::uint32_t uidvalidity = 0;  // from APPENDUID (UIDPLUS); 0 when the server did not say
  std::uint32_t uid = 0;
  core::ErrorRecord error;  // when !ok: scope and the server's words
};

struct FlagUpdate {
  std::uint32_t uid = 0;
  core::Flags add;
  core::Flags remove{};  // empty: nothing to take away
};

// What a target can do beyond the calls every target answers.
struct TargetFeatures {
  // index_folder_since() compares a folder with an earlier snapshot, so an
  // index kept from the last run can be brought up to date instead of
  // listing the folder again.
  bool incremental_index = false;
  // snapshot_if_exactly() can confirm that a folder holds exactly the given
  // UIDs, so that this run's index may be kept for the next one.
  bool exact_snapshot = false;
};

class Target {
 public:
  virtual ~Target() = default;
  virtual std::string describe() const = 0;  // "imaps://alice@host:993"
  virtual TargetFeatures features() const = 0;

  virtual std::vector<TargetFolder> list_folders() = 0;
  // The personal namespace. The default: no prefix, and the delimiter
  // list_folders() shows for INBOX ('/' when it shows none).
  virtual TargetNamespace personal_namespace();
  // After the server refused to create `name` outside INBOX in an uncertain
  // namespace: the namespace the refusal implies (below INBOX, as servers
  // that keep every folder there say), now certain; nullopt when the refusal
  // teaches nothing (the namespace was certain, or `name` was below INBOX).
  // The default: nullopt.
  virtual std::optional<TargetNamespace> namespace_after_refusal(const std::string& name);
  // Creates a folder (marking it with the role where CREATE-SPECIAL-USE allows)
  // and subscribes it. Creating one that exists is not an error.
  virtual void create_folder(const std::string& name, core::Role role) = 0;
  // Streams every message of `folder` (UID, flags, size, key) into `each`.
  // read_only: EXAMINE instead of SELECT (dry runs, check).
  virtual FolderSnapshot index_folder(const std::string& folder, bool read_only,
                                      const std::function<void(TargetMessage)>& each) = 0;
  // Appends `items` to `folder`, pipelined, reporting each outcome (by index
  // into `items`) as the server answers. Message-scoped refusals come back as
  // outcomes; an account-scoped failure throws after the outcomes already known.
  // A body reader that fails after its literal has started makes the target
  // drop the connection, so that the server never keeps half a message.
  virtual void append(const std::string& folder, const std::vector<AppendItem>& items,
                      const std::function<void(std::size_t, const AppendOutcome&)>& done) = 0;
  // Counts without listing messages (STATUS where the server has it).
  // The default indexes the folder read-only and counts.
  virtual FolderSnapshot status(const std::string& folder);

  // Incremental indexing, for an index kept from an earlier run (see
  // sync/target_cache.hpp): selects `folder` like index_folder() and compares
  // it with `known`, the snapshot that index was taken at; see IndexChange.
  // The answer is the server's, never a guess: a folder that cannot be
  // compared is indexed in full. Only for features().incremental_index (the
  // base throws std::logic_error).
  virtual IndexResult index_folder_since(
      const std::string& folder, bool read_only, const FolderSnapshot& known,
      const std::function<void(TargetMessage)>& each,
      const std::function<void(std::uint32_t uid, core::Flags flags)>& flags_changed);
  // The folder's snapshot, if the server holds exactly the messages with
  // these UIDs (ascending) and no others, so that an index of them may be
  // kept for the next run; nullopt when it holds others or cannot tell. Only
  // for features().exact_snapshot (the base throws std::logic_error).
  virtual std::optional<FolderSnapshot> snapshot_if_exactly(const std::string& folder,
                                                            const std::vector<std::uint32_t>& uids);
  // Adds each update's `add` flags to its message of `folder`, and takes its
  // `remove` flags away.
  virtual void update_flags(const std::string& folder, const std::vector<FlagUpdate>& updates) = 0;
};

}  // namespace mailferry::target
