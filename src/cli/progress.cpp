#include "mailferry/cli/progress.hpp"

#include <cstdio>

#include "mailferry/cli/output_lines.hpp"

namespace mailferry::cli {

void ProgressBoard::job_started(std::size_t job, const std::string& label, TimePoint) {
  jobs_[job] = JobLine{};
  jobs_[job].label = label;
}

void ProgressBoard::folder_started(std::size_t job, const std::string& folder,
                                   std::uint64_t messages, std::uint64_t done, TimePoint) {
  auto& j = jobs_[job];
  j.folder = folder;
  j.messages = messages;
  j.done = done;
  j.transferring = false;
  j.bytes_total = j.bytes_done = j.sent = 0;
  j.samples.clear();
}

void ProgressBoard::transfer_started(std::size_t job, std::uint64_t, std::uint64_t bytes,
                                     TimePoint now) {
  auto& j = jobs_[job];
  j.transferring = true;
  j.bytes_total = bytes;
  j.bytes_done = j.sent = 0;
  j.samples = {{now, 0, 0}};
}

void ProgressBoard::message_done(std::size_t job, std::uint64_t bytes, TimePoint now) {
  auto it = jobs_.find(job);
  if (it == jobs_.end()) return;
  auto& j = it->second;
  ++j.done;
  ++j.sent;
  j.bytes_done += bytes;
  // One sample per tenth of a second at most (the newest one is moved up to
  // date): thousands of small messages a second would otherwise keep
  // thousands of samples for the window.
  if (j.samples.size() > 1 && now - j.samples[j.samples.size() - 2].at < kSampleSpacing)
    j.samples.back() = {now, j.bytes_done, j.sent};
  else
    j.samples.push_back({now, j.bytes_done, j.sent});
  // Keep one sample older than the window, so the rate always spans it.
  while (j.samples.size() > 2 && now - j.samples[1].at > kRateWindow) j.samples.pop_front();
}

void ProgressBoard::folder_finished(std::size_t job) {
  auto it = jobs_.find(job);
  if (it == jobs_.end()) return;
  it->second.folder.clear();
  it->second.transferring = false;
}

void ProgressBoard::job_finished(std::size_t job) { jobs_.erase(job); }

std::string ProgressBoard::line(const JobLine& j, TimePoint now) const {
  if (j.folder.empty()) return j.label + "reading folders and the server's index...";
  std::string text = j.label + j.folder + "  ";
  const bool by_bytes = j.transferring && j.bytes_total > 0;
  const double fraction =
      by_bytes         ? static_cast<double>(j.bytes_done) / static_cast<double>(j.bytes_total)
      : j.messages > 0 ? static_cast<double>(j.done) / static_cast<double>(j.messages)
                       : 1.0;
  char percent[16];
  std::snprintf(percent, sizeof percent, "%3d%%", static_cast<int>(fraction * 100));
  text += std::string(percent) + "  " + grouped_number(j.done) + "/" + grouped_number(j.messages) +
          " messages";
  if (!j.transferring) return text;
  text += "  " + human_bytes(j.bytes_done) + "/" + human_bytes(j.bytes_total);

  const Sample& first = j.samples.front();
  const double seconds = std::chrono::duration<double>(now - first.at).count();
  if (seconds < 1.0 || j.samples.size() < 2) return text + "  ETA -";
  const double byte_rate = static_cast<double>(j.bytes_done - first.bytes) / seconds;
  const double message_rate = static_cast<double>(j.sent - first.messages) / seconds;
  text += "  " + human_bytes(static_cast<std::uint64_t>(byte_rate)) + "/s";
  double left = -1;
  if (by_bytes && byte_rate > 0)
    left = static_cast<double>(j.bytes_total - j.bytes_done) / byte_rate;
  else if (message_rate > 0)
    left = static_cast<double>(j.messages - j.done) / message_rate;
  text += left < 0 ? "  ETA -" : "  ETA " + human_duration(static_cast<std::uint64_t>(left + 0.5));
  return text;
}

std::vector<std::string> ProgressBoard::render(TimePoint now, std::size_t width) const {
  std::vector<std::string> lines;
  for (const auto& [index, job] : jobs_)
    lines.push_back(cut_to_columns(line(job, now), width > 1 ? width - 1 : width));
  return lines;
}

std::string cut_to_columns(const std::string& text, std::size_t columns) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;  // continuation byte
    if (count == columns) return text.substr(0, i);
    ++count;
  }
  return text;
}

}  // namespace mailferry::cli
