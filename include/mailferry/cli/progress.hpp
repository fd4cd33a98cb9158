// The live progress display's model: per running job, the folder it is on,
// messages and bytes done of the total, the rate over the last seconds, and
// the time left. Pure: time comes in with each call, render() returns text
// lines, so tests feed events and read frames without a terminal or a sleep.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

namespace mailferry::cli {

class ProgressBoard {
 public:
  using Clock = std::chrono::steady_clock;
  using TimePoint = Clock::time_point;

  // `label` prefixes the job's line ("alice: "); empty for a single job.
  void job_started(std::size_t job, const std::string& label, TimePoint now);
  // A folder is compared: `messages` in the source, `done` of them already on the server.
  void folder_started(std::size_t job, const std::string& folder, std::uint64_t messages,
                      std::uint64_t done, TimePoint now);
  // Its uploads begin: `messages` to send with `bytes` in all.
  void transfer_started(std::size_t job, std::uint64_t messages, std::uint64_t bytes,
                        TimePoint now);
  // One upload was answered (added or failed); `bytes` is its size.
  void message_done(std::size_t job, std::uint64_t bytes, TimePoint now);
  void folder_finished(std::size_t job);
  void job_finished(std::size_t job);

  bool empty() const { return jobs_.empty(); }
  // Rate samples held for a job: bounded by the window, whatever the message rate.
  std::size_t samples_held(std::size_t job) const {
    auto it = jobs_.find(job);
    return it == jobs_.end() ? 0 : it->second.samples.size();
  }
  // One line per running job, in job order, each cut to `width` - 1 columns
  // (a full-width line would make the terminal wrap).
  std::vector<std::string> render(TimePoint now, std::size_t width) const;

  // How far back the rate looks.
  static constexpr std::chrono::seconds kRateWindow{10};
  static constexpr std::chrono::milliseconds kSampleSpacing{100};

 private:
  struct Sample {
    TimePoint at;
    std::uint64_t bytes;
    std::uint64_t messages;
  };
  struct JobLine {
    std::string label;
    std::string folder;  // empty: between folders (listing, indexing, scanning)
    std::uint64_t messages = 0, done = 0;
    bool transferring = false;
    std::uint64_t bytes_total = 0, bytes_done = 0, sent = 0;
    std::deque<Sample> samples;
  };
  std::string line(const JobLine& job, TimePoint now) const;

  std::map<std::size_t, JobLine> jobs_;
};

// Cuts UTF-8 text to at most `columns` code points.
std::string cut_to_columns(const std::string& text, std::size_t columns);

}  // namespace mailferry::cli
