// sync_source_folder: one source folder into its target folder, in steps:
//   plan    scan the source folder and diff it against the target's index;
//   report  tell the observer what is there already and what repeats;
//   begin   write the upload intents to the journal, before any byte goes;
//   upload  append what is missing (pipelined by the target), and end each
//           upload in the journal as the server answers;
//   flags   add the flags the target copies lack;
//   remove  delete from the source what the server confirmed (when asked).
// A check stops after planning. A dry run takes every step against a
// DryRunTarget and a DryRunSource, without journal or cache.
#include <algorithm>
#include <ctime>
#include <optional>

#include "folder_run.hpp"
#include "mailferry/sync/message_list.hpp"
#include "mailferry/sync/prefetch.hpp"

namespace mailferry::sync::detail {
namespace {

// Upload intents per journal commit, messages per Target::append call, and
// results per journal write: a large folder goes in pieces, so it is never
// described twice in memory.
constexpr std::size_t kIntentsPerCommit = 4096;
constexpr std::size_t kItemsPerAppend = 4096;
constexpr std::size_t kResultsPerWrite = 256;

// A flag update as a line of output: "lacks \\Seen" and "has Work, removed on
// the source" in a check, "adding \\Seen", "removing Work" in a sync.
std::string flag_change(const PlannedFlagUpdate& u, bool applying) {
  std::string out;
  if (!u.add.empty()) out = (applying ? "adding " : "lacks ") + u.add.to_imap();
  if (!u.remove.empty()) {
    if (!out.empty()) out += "; ";
    out += applying ? "removing " + u.remove.to_imap()
                    : "has " + u.remove.to_imap() + ", removed on the source";
  }
  return out;
}

// Collects one source folder's scan: the references, and the messages that
// could not be read (each one is a failed message of the report).
class CollectingSink : public source::ScanSink {
 public:
  explicit CollectingSink(JobReport& report) : report_(report) {}
  void message(source::SourceMessage message) override { messages.push_back(message); }
  void error(core::ErrorRecord error) override {
    if (error.scope == core::ErrorScope::Message) ++failed;
    report_.add_error(std::move(error), core::kExitSource);
  }
  MessageList messages;
  std::uint64_t failed = 0;

 private:
  JobReport& report_;
};

class FolderSync {
 public:
  FolderSync(const RunParts& parts, const source::SourceFolder& folder, FolderReport& fr,
             FolderIndex& state, JobReport& report, UploadMemory& memory)
      : parts_(parts),
        folder_(folder),
        fr_(fr),
        c_(fr.counters),
        state_(state),
        report_(report),
        memory_(memory),
        sink_(report),
        // Asked once: every answer of the upload would otherwise take the
        // source's lock, which the prefetch thread holds while it opens a
        // body (a POP3 RETR), and the upload would wait for it.
        removing_(parts.options.removal.after_copy && parts.source.supports_removal()) {}

  void run(const DiffPolicy& policy) {
    plan(policy);
    report_plan();
    if (parts_.options.mode == Mode::Check) return report_check();
    begin();
    upload();
    flags();
    remove();
  }

 private:
  const MessageList& messages() const { return sink_.messages; }
  MessageSummary summary(std::size_t i) const {
    return {messages().ordinal(i),       messages().message_id(i), messages().message_size(i),
            messages().internal_date(i), messages().from(i),       messages().subject(i)};
  }
  std::uint64_t id_of(std::size_t i) const {
    return upload_id(messages().key(i), messages().message_size(i));
  }
  std::string describe(const MessageSummary& m) const {
    std::string where = parts_.source.describe() + ": folder " + folder_.display_name() +
                        ": message " + std::to_string(m.ordinal);
    if (!m.message_id.empty()) where.append(" ").append(m.message_id);
    return where;
  }

  void plan(const DiffPolicy& policy) {
    parts_.source.scan(folder_, sink_);
    plan_ = diff_folder(messages(), state_.index, policy);
    c_.duplicates_in_source = plan_.duplicates.size();
    c_.source = messages().size() - plan_.duplicates.size() + sink_.failed;
    c_.failed = sink_.failed;
    for (const auto& p : plan_.present) {
      if (memory_.appended.contains(id_of(p.source_index))) {
        ++c_.appended;  // by an earlier attempt of this run
        c_.bytes_appended += messages().message_size(p.source_index);
      } else {
        ++c_.present;
      }
    }
    // Copies on the server now: what --delete-after-copy may remove.
    if (removing_)
      for (const auto& p : plan_.present) confirmed_.push_back(p.source_index);
  }

  void report_plan() {
    parts_.observer.folder_started(fr_, c_.source);
    for (const auto& p : plan_.present)
      parts_.observer.message(Sigil::Present, fr_, summary(p.source_index), "");
    for (auto d : plan_.duplicates) parts_.observer.message(Sigil::Duplicate, fr_, summary(d), "");
  }

  void report_check() {
    c_.missing = plan_.appends.size();
    for (const auto& a : plan_.appends)
      parts_.observer.message(Sigil::Missing, fr_, summary(a.source_index), "");
    for (const auto& u : plan_.flag_updates)
      parts_.observer.message(Sigil::Differs, fr_, summary(u.source_index), flag_change(u, false));
  }

  // Intents, in pieces, so that a large folder's are never all in memory twice.
  void begin() {
    if (plan_.appends.empty() || !parts_.state.journaling()) return;
    std::vector<JournalEntry> entries;
    entries.reserve(std::min<std::size_t>(plan_.appends.size(), kIntentsPerCommit));
    for (std::size_t k = 0; k < plan_.appends.size(); ++k) {
      const std::size_t i = plan_.appends[k].source_index;
      entries.push_back(
          {core::MessageKey{std::string(messages().key(i))}, messages().message_size(i)});
      memory_.begun.insert(id_of(i));
      if (entries.size() == kIntentsPerCommit || k + 1 == plan_.appends.size()) {
        parts_.state.begin(fr_.target, entries);
        entries.clear();
      }
    }
  }

  void upload() {
    if (plan_.appends.empty()) return;
    // Bodies are opened a few messages ahead of the upload (a POP3 RETR or a
    // PST rebuild then overlaps with sending the message before), from the
    // first one the target asks for: a target that sends nothing opens none.
    std::vector<std::uint64_t> sizes;
    sizes.reserve(plan_.appends.size());
    for (const auto& a : plan_.appends) sizes.push_back(messages().message_size(a.source_index));
    std::uint64_t bytes = 0;
    for (auto size : sizes) bytes += size;
    auto open_one = [&](std::size_t k) {
      return parts_.source.open(folder_, messages()[plan_.appends[k].source_index]);
    };
    std::optional<BodyPrefetcher> prefetch;
    if (parts_.source.opens_in_batches()) {
      // A source that opens in batches (IMAP) reads up to this many bodies,
      // and this many bytes, per round trip: enough to hide the round trip,
      // small enough that four folder runs at once stay within a few MB.
      constexpr std::size_t kBatchDepth = 32;
      constexpr std::uint64_t kBatchBytes = 2u << 20;
      prefetch.emplace(
          std::move(sizes), open_one,
          [&](const std::vector<std::size_t>& batch, const source::Source::EachOpened& each) {
            std::vector<source::SourceMessage> wanted;
            wanted.reserve(batch.size());
            for (auto k : batch) wanted.push_back(messages()[plan_.appends[k].source_index]);
            std::vector<const source::SourceMessage*> pointers;
            for (const auto& m : wanted) pointers.push_back(&m);
            parts_.source.open_batch(folder_, pointers, each);
          },
          kBatchDepth, kBatchBytes);
    } else {
      prefetch.emplace(std::move(sizes), open_one);
    }
    state_.index.reserve(state_.index.size() + plan_.appends.size());
    parts_.observer.transfer_started(fr_, plan_.appends.size(), bytes);
    for (std::size_t first = 0; first < plan_.appends.size(); first += kItemsPerAppend) {
      const auto count = std::min(kItemsPerAppend, plan_.appends.size() - first);
      parts_.target.append(fr_.target, items(*prefetch, first, count),
                           [&](std::size_t local, const target::AppendOutcome& outcome) {
                             uploaded(plan_.appends[first + local], outcome);
                           });
    }
    end_uploads();
    // The prefetch thread may still be opening a body of a refused message:
    // it is done (at the end of this scope) before the source is used for
    // anything else (a POP3 source has one connection).
  }

  // The items for appends [first, first + count): made a piece at a time.
  std::vector<target::AppendItem> items(BodyPrefetcher& prefetch, std::size_t first,
                                        std::size_t count) const {
    std::vector<target::AppendItem> out;
    out.reserve(count);
    for (std::size_t k = first; k < first + count; ++k) {
      const auto& a = plan_.appends[k];
      target::AppendItem item;
      item.size = messages().message_size(a.source_index);
      item.flags = a.flags;
      item.internal_date = messages().internal_date(a.source_index);
      // item.where stays empty: a refusal gets it in uploaded(), where it is
      // needed, instead of every message carrying its description.
      item.open_body = [&prefetch, k] { return prefetch.take(k); };
      out.push_back(std::move(item));
    }
    return out;
  }

  void uploaded(const PlannedAppend& planned, const target::AppendOutcome& outcome) {
    const std::size_t i = planned.source_index;
    const MessageSummary m = summary(i);
    core::MessageKey key{std::string(messages().key(i))};
    ended_.push_back({key, m.size});
    if (ended_.size() >= kResultsPerWrite) end_uploads();
    if (outcome.ok) {
      ++c_.appended;
      c_.bytes_appended += m.size;
      state_.appended = true;
      if (outcome.uid == 0) state_.appended_without_uid = true;
      state_.index.add({outcome.uid, std::move(key), planned.flags, m.size});
      memory_.appended.insert(id_of(i));
      if (removing_) confirmed_.push_back(i);
      parts_.observer.message(Sigil::Missing, fr_, m, "");
    } else {
      ++c_.failed;
      core::ErrorRecord error = outcome.error;
      if (error.where.empty()) error.where = describe(m);
      parts_.observer.message(Sigil::Error, fr_, m, error.message);
      report_.add_error(std::move(error), core::kExitPartial);
    }
  }

  // Ends are written in batches (a lost end costs only a settle wait next time).
  void end_uploads() {
    if (parts_.state.journaling() && !ended_.empty()) parts_.state.end(fr_.target, ended_);
    ended_.clear();
  }

  void flags() {
    if (plan_.flag_updates.empty()) return;
    std::vector<target::FlagUpdate> updates;
    for (const auto& u : plan_.flag_updates) {
      updates.push_back({u.uid, u.add, u.remove});
      parts_.observer.message(Sigil::Differs, fr_, summary(u.source_index), flag_change(u, true));
    }
    parts_.target.update_flags(fr_.target, updates);
    c_.flags_updated = updates.size();
    state_.flag_updates.insert(state_.flag_updates.end(), updates.begin(), updates.end());
  }

  void remove() {
    if (!removing_) return;
    const int keep_days = parts_.options.removal.keep_days;
    const std::time_t cutoff = std::time(nullptr) - static_cast<std::time_t>(keep_days) * 86400;
    std::vector<source::SourceMessage> removable;
    std::vector<std::size_t> positions;
    for (auto k : confirmed_) {
      source::SourceMessage m = messages()[k];
      if (keep_days != 0 && m.internal_date.utc >= cutoff) continue;
      removable.push_back(std::move(m));
      positions.push_back(k);
    }
    if (removable.empty()) return;
    auto removal = parts_.source.remove(folder_, removable);
    c_.deleted_from_source = removal.removed.size();
    std::sort(removal.removed.begin(), removal.removed.end());
    for (std::size_t j = 0; j < removable.size(); ++j)
      if (std::binary_search(removal.removed.begin(), removal.removed.end(), removable[j].locator))
        parts_.observer.message(Sigil::Removed, fr_, summary(positions[j]), "");
    for (auto& error : removal.failed) report_.add_error(std::move(error), core::kExitPartial);
  }

  const RunParts& parts_;
  const source::SourceFolder& folder_;
  FolderReport& fr_;
  Counters& c_;
  FolderIndex& state_;
  JobReport& report_;
  UploadMemory& memory_;
  CollectingSink sink_;
  FolderPlan plan_;
  std::vector<std::size_t> confirmed_;  // source positions with a confirmed copy
  std::vector<JournalEntry> ended_;     // upload results not yet written
  const bool removing_;                 // --delete-after-copy, and the source can
};

}  // namespace

void sync_source_folder(const RunParts& parts, const source::SourceFolder& folder,
                        FolderReport& report_folder, FolderIndex& state, const DiffPolicy& policy,
                        JobReport& report, UploadMemory& memory) {
  FolderSync(parts, folder, report_folder, state, report, memory).run(policy);
}

}  // namespace mailferry::sync::detail
