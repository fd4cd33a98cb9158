// What the folder runs of one job share, each call under the job's one plain
// mutex: the source (which need not be thread-safe), the observer, and the
// state store behind the journal and the target cache. The executor itself
// holds no lock; these wrappers are the only place one is taken, and never
// while waiting for a server.
#pragma once

#include <mutex>
#include <optional>

#include "mailferry/source/forwarding_source.hpp"
#include "mailferry/sync/executor.hpp"

namespace mailferry::sync::detail {

class LockedSource final : public source::ForwardingSource {
 public:
  // Reads::Locked: every read of a body takes the lock too, for folder runs
  // that scan while another run's body is being read. Reads::Free: only
  // opening takes it (one run: the prefetch thread opens while the upload
  // reads a body opened before, and readers do not use the source).
  enum class Reads { Locked, Free };
  LockedSource(source::Source& inner, std::mutex& mutex, Reads reads)
      : ForwardingSource(inner), mutex_(mutex), reads_(reads) {}

  std::string describe() const override;
  std::vector<source::SourceFolder> folders() override;
  void scan(const source::SourceFolder& folder, source::ScanSink& sink) override;
  std::unique_ptr<core::BodyReader> open(const source::SourceFolder& folder,
                                         const source::SourceMessage& message) override;
  bool opens_in_batches() const override;
  void open_batch(const source::SourceFolder& folder,
                  const std::vector<const source::SourceMessage*>& messages,
                  const EachOpened& each) override;
  std::vector<std::string> report_notes() override;
  bool supports_removal() const override;
  RemovalResult remove(const source::SourceFolder& folder,
                       const std::vector<source::SourceMessage>& messages) override;

 private:
  std::mutex& mutex_;
  Reads reads_;
};

class LockedObserver final : public Observer {
 public:
  LockedObserver(Observer& inner, std::mutex& mutex) : inner_(inner), mutex_(mutex) {}
  void folder_started(const FolderReport& folder, std::uint64_t messages) override;
  void transfer_started(const FolderReport& folder, std::uint64_t messages,
                        std::uint64_t bytes) override;
  void message(Sigil sigil, const FolderReport& folder, const MessageSummary& message,
               const std::string& detail) override;
  void folder_finished(const FolderReport& folder) override;

 private:
  Observer& inner_;
  std::mutex& mutex_;
};

// The journal and the target cache of a run (either may be absent: a dry
// run, a check, or no state file), each call under the lock.
class LockedState {
 public:
  LockedState(Journal* journal, TargetCache* cache, std::mutex& mutex)
      : journal_(journal), cache_(cache), mutex_(mutex) {}

  bool journaling() const { return journal_ != nullptr; }
  std::vector<JournalEntry> pending(const std::string& folder);
  void resolve(const std::string& folder, const std::vector<JournalEntry>& found);
  void begin(const std::string& folder, const std::vector<JournalEntry>& entries);
  void end(const std::string& folder, const std::vector<JournalEntry>& entries);

  bool caching() const { return cache_ != nullptr; }
  std::optional<CachedFolder> load(const std::string& folder);
  void save(const std::string& folder, const CachedFolder& cached);
  void forget(const std::string& folder);

 private:
  Journal* journal_;
  TargetCache* cache_;
  std::mutex& mutex_;
};

}  // namespace mailferry::sync::detail
