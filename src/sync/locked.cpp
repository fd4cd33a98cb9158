#include "locked.hpp"

namespace mailferry::sync::detail {
namespace {

using Lock = std::lock_guard<std::mutex>;

class LockedBodyReader final : public core::BodyReader {
 public:
  LockedBodyReader(std::unique_ptr<core::BodyReader> inner, std::mutex& mutex)
      : inner_(std::move(inner)), mutex_(mutex) {}
  ~LockedBodyReader() override {
    Lock lock(mutex_);
    inner_.reset();
  }
  std::size_t read(char* buffer, std::size_t capacity) override {
    Lock lock(mutex_);
    return inner_->read(buffer, capacity);
  }

 private:
  std::unique_ptr<core::BodyReader> inner_;
  std::mutex& mutex_;
};

}  // namespace

std::string LockedSource::describe() const {
  Lock lock(mutex_);
  return ForwardingSource::describe();
}

std::vector<source::SourceFolder> LockedSource::folders() {
  Lock lock(mutex_);
  return ForwardingSource::folders();
}

void LockedSource::scan(const source::SourceFolder& folder, source::ScanSink& sink) {
  Lock lock(mutex_);
  ForwardingSource::scan(folder, sink);
}

std::unique_ptr<core::BodyReader> LockedSource::open(const source::SourceFolder& folder,
                                                     const source::SourceMessage& message) {
  std::unique_ptr<core::BodyReader> reader;
  {
    Lock lock(mutex_);
    reader = ForwardingSource::open(folder, message);
  }
  if (reads_ == Reads::Free) return reader;
  return std::make_unique<LockedBodyReader>(std::move(reader), mutex_);
}

bool LockedSource::opens_in_batches() const {
  Lock lock(mutex_);
  return ForwardingSource::opens_in_batches();
}

void LockedSource::open_batch(const source::SourceFolder& folder,
                              const std::vector<const source::SourceMessage*>& messages,
                              const EachOpened& each) {
  Lock lock(mutex_);
  ForwardingSource::open_batch(folder, messages, [&](std::size_t position, Opened opened) {
    // Read later, when this lock is no longer held here.
    if (reads_ == Reads::Locked && opened.reader)
      opened.reader = std::make_unique<LockedBodyReader>(std::move(opened.reader), mutex_);
    each(position, std::move(opened));
  });
}

std::vector<std::string> LockedSource::report_notes() {
  Lock lock(mutex_);
  return ForwardingSource::report_notes();
}

bool LockedSource::supports_removal() const {
  Lock lock(mutex_);
  return ForwardingSource::supports_removal();
}

source::Source::RemovalResult LockedSource::remove(
    const source::SourceFolder& folder, const std::vector<source::SourceMessage>& messages) {
  Lock lock(mutex_);
  return ForwardingSource::remove(folder, messages);
}

void LockedObserver::folder_started(const FolderReport& folder, std::uint64_t messages) {
  Lock lock(mutex_);
  inner_.folder_started(folder, messages);
}

void LockedObserver::transfer_started(const FolderReport& folder, std::uint64_t messages,
                                      std::uint64_t bytes) {
  Lock lock(mutex_);
  inner_.transfer_started(folder, messages, bytes);
}

void LockedObserver::message(Sigil sigil, const FolderReport& folder, const MessageSummary& message,
                             const std::string& detail) {
  Lock lock(mutex_);
  inner_.message(sigil, folder, message, detail);
}

void LockedObserver::folder_finished(const FolderReport& folder) {
  Lock lock(mutex_);
  inner_.folder_finished(folder);
}

std::vector<JournalEntry> LockedState::pending(const std::string& folder) {
  Lock lock(mutex_);
  return journal_->pending(folder);
}

void LockedState::resolve(const std::string& folder, const std::vector<JournalEntry>& found) {
  Lock lock(mutex_);
  journal_->resolve(folder, found);
}

void LockedState::begin(const std::string& folder, const std::vector<JournalEntry>& entries) {
  Lock lock(mutex_);
  journal_->begin(folder, entries);
}

void LockedState::end(const std::string& folder, const std::vector<JournalEntry>& entries) {
  Lock lock(mutex_);
  journal_->end(folder, entries);
}

std::optional<CachedFolder> LockedState::load(const std::string& folder) {
  Lock lock(mutex_);
  return cache_->load(folder);
}

void LockedState::save(const std::string& folder, const CachedFolder& cached) {
  Lock lock(mutex_);
  cache_->save(folder, cached);
}

void LockedState::forget(const std::string& folder) {
  Lock lock(mutex_);
  cache_->forget(folder);
}

}  // namespace mailferry::sync::detail
