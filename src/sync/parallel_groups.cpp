// run_parallel: target folders uploaded at the same time, each over a
// connection of its own.
//
// Why it helps: the server works on each connection's commands one at a
// time, and storing mail is mostly its own work (index updates, and with
// fsync on, waiting for the disk), so independent folders over several
// connections keep more of the server busy. What the workers share (the
// source, the observer, the journal and the cache) reaches them through the
// Locked* wrappers of locked.hpp.
//
// The extra connections are opened only once a folder has mail to upload:
// a run that finds nothing new (a nightly re-run) costs one login, not one
// per connection.
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

#include "folder_run.hpp"
#include "mailferry/core/log.hpp"

namespace mailferry::sync::detail {
namespace {

// Passes everything on, and tells the waiting workers when a folder starts
// uploading: the sign that more connections are worth their login.
class UploadSignal final : public Observer {
 public:
  explicit UploadSignal(Observer& inner) : inner_(inner) {}
  void folder_started(const FolderReport& folder, std::uint64_t messages) override {
    inner_.folder_started(folder, messages);
  }
  void transfer_started(const FolderReport& folder, std::uint64_t messages,
                        std::uint64_t bytes) override {
    inner_.transfer_started(folder, messages, bytes);
    if (messages > 0) release(true);
  }
  void message(Sigil sigil, const FolderReport& folder, const MessageSummary& message,
               const std::string& detail) override {
    inner_.message(sigil, folder, message, detail);
  }
  void folder_finished(const FolderReport& folder) override { inner_.folder_finished(folder); }

  // The first worker ran out of folders: the others are not needed.
  void release(bool uploading) {
    {
      std::lock_guard lock(mutex_);
      if (released_) return;
      released_ = true;
      uploading_ = uploading;
    }
    changed_.notify_all();
  }
  // Waits until a folder uploads (true) or the work is done (false).
  bool wait_for_upload() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return released_; });
    return uploading_;
  }

 private:
  Observer& inner_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool released_ = false;
  bool uploading_ = false;
};

}  // namespace

void run_parallel(const RunParts& parts, const std::vector<TargetGroup>& groups, JobReport& report,
                  std::size_t workers) {
  std::vector<std::optional<GroupOutcome>> outcomes(groups.size());
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  std::vector<std::exception_ptr> crashes(workers);

  UploadSignal signal(parts.observer);
  auto work = [&](std::size_t w) {
    try {
      std::unique_ptr<target::Target> own;
      if (w > 0) {
        if (!signal.wait_for_upload() || stop || next >= groups.size()) return;
        try {
          own = parts.options.open_target();
        } catch (const core::Error& e) {
          // Servers limit connections per user: the others do this one's share.
          core::log_info("connection " + std::to_string(w + 1) + " of " + std::to_string(workers) +
                         " could not be opened (" + e.what() + "); going on with fewer");
          return;
        }
      }
      const RunParts mine{parts.source, own ? *own : parts.target, parts.options, signal,
                          parts.state};
      while (!stop) {
        const std::size_t i = next++;
        if (i >= groups.size()) break;
        outcomes[i] = run_target_folder(mine, groups[i]);
        if (outcomes[i]->stopped) stop = true;  // the account: no new folders
      }
    } catch (...) {
      crashes[w] = std::current_exception();
      stop = true;
    }
    if (w == 0) signal.release(false);
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

}  // namespace mailferry::sync::detail
