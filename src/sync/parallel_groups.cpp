// Executor::run_parallel: target folders uploaded at the same time, each over
// a connection of its own.
//
// Why it helps: the server works on each connection's commands one at a
// time, and storing mail is mostly its own work (index updates, and with
// fsync on, waiting for the disk), so independent folders over several
// connections keep more of the server busy. Everything the workers share
// (the source, which need not be thread-safe, the state store behind the
// journal and the caches, the observer) is used under one lock; the lock is
// never held while waiting for a server.
#include <atomic>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>

#include "mailferry/core/log.hpp"
#include "mailferry/sync/executor.hpp"

namespace mailferry::sync {
namespace {

using Lock = std::lock_guard<std::recursive_mutex>;

class LockedBodyReader final : public core::BodyReader {
 public:
  LockedBodyReader(std::unique_ptr<core::BodyReader> inner, std::recursive_mutex& mutex)
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
  std::recursive_mutex& mutex_;
};

class LockedSource final : public source::Source {
 public:
  LockedSource(source::Source& inner, std::recursive_mutex& mutex) : inner_(inner), mutex_(mutex) {}
  std::string describe() const override {
    Lock lock(mutex_);
    return inner_.describe();
  }
  std::vector<source::SourceFolder> folders() override {
    Lock lock(mutex_);
    return inner_.folders();
  }
  void scan(const source::SourceFolder& folder, source::ScanSink& sink) override {
    Lock lock(mutex_);
    inner_.scan(folder, sink);
  }
  std::unique_ptr<core::BodyReader> open(const source::SourceFolder& folder,
                                           const source::SourceMessage& message) override {
    Lock lock(mutex_);
    return std::make_unique<LockedBodyReader>(inner_.open(folder, message), mutex_);
  }
  bool supports_removal() const override {
    Lock lock(mutex_);
    return inner_.supports_removal();
  }
  RemovalResult remove(const source::SourceFolder& folder,
                       const std::vector<source::SourceMessage>& messages) override {
    Lock lock(mutex_);
    return inner_.remove(folder, messages);
  }

 private:
  source::Source& inner_;
  std::recursive_mutex& mutex_;
};

class LockedObserver final : public Observer {
 public:
  LockedObserver(Observer& inner, std::recursive_mutex& mutex) : inner_(inner), mutex_(mutex) {}
  void folder_started(const FolderReport& folder, std::uint64_t messages) override {
    Lock lock(mutex_);
    inner_.folder_started(folder, messages);
  }
  void transfer_started(const FolderReport& folder, std::uint64_t messages,
                        std::uint64_t bytes) override {
    Lock lock(mutex_);
    inner_.transfer_started(folder, messages, bytes);
  }
  void message(Sigil sigil, const FolderReport& folder, const MessageSummary& message,
               const std::string& detail) override {
    Lock lock(mutex_);
    inner_.message(sigil, folder, message, detail);
  }
  void folder_finished(const FolderReport& folder) override {
    Lock lock(mutex_);
    inner_.folder_finished(folder);
  }

 private:
  Observer& inner_;
  std::recursive_mutex& mutex_;
};

}  // namespace

int connections_from_environment(int fallback) {
  const char* text = std::getenv("MAILFERRY_CONNECTIONS");
  if (text == nullptr || *text == '\0') return fallback;
  char* end = nullptr;
  const long n = std::strtol(text, &end, 10);
  return *end == '\0' && n >= 1 && n <= 16 ? static_cast<int>(n) : fallback;
}

void Executor::run_parallel(const std::vector<TargetGroup>& groups, JobReport& report,
                            std::size_t workers) {
  std::recursive_mutex& shared = *shared_;
  LockedSource source(source_, shared);
  LockedObserver observer(observer_, shared);
  std::vector<std::optional<GroupOutcome>> outcomes(groups.size());
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  std::vector<std::exception_ptr> crashes(workers);

  auto work = [&](std::size_t w) {
    try {
      std::unique_ptr<target::Target> own;
      if (w > 0) {
        try {
          own = options_.open_target();
        } catch (const core::Error& e) {
          // Servers limit connections per user: the others do this one's share.
          core::log_info("connection " + std::to_string(w + 1) + " of " + std::to_string(workers) +
                         " could not be opened (" + e.what() + "); going on with fewer");
          return;
        }
      }
      Executor worker(source, own ? *own : target_, options_, &observer);
      worker.shared_ = &shared;
      while (!stop) {
        const std::size_t i = next++;
        if (i >= groups.size()) break;
        outcomes[i] = worker.run_one_group(groups[i]);
        if (outcomes[i]->stopped) stop = true;  // the account: no new folders
      }
    } catch (...) {
      crashes[w] = std::current_exception();
      stop = true;
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t w = 1; w < workers; ++w) threads.emplace_back(work, w);
  work(0);
  for (auto& t : threads) t.join();
  for (const auto& crash : crashes)
    if (crash) std::rethrow_exception(crash);
  for (auto& outcome : outcomes)
    if (outcome) merge(report, *outcome);
}

}  // namespace mailferry::sync
