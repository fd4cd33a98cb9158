// The events of a run, as the command line's outputs see them: the text a
// person reads (terminal_output.hpp), JSON lines for log collectors
// (json_log.hpp), and the events a batch's worker processes send to their
// parent (batch.hpp) all go through this one interface.
//
// Jobs are named by their index in the run's job list. Calls come from one
// thread at a time (the caller serializes them).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mailferry/core/log.hpp"
#include "mailferry/sync/executor.hpp"
#include "mailferry/sync/report.hpp"

namespace mailferry::cli {

struct JobInfo {
  std::string name;
  std::string from, to;  // secret-free endpoint URLs
  bool dry_run = false;
};

// One message the executor reported (see sync::Sigil).
struct MessageEvent {
  sync::Sigil sigil = sync::Sigil::Present;
  std::string source_folder, target_folder;
  std::uint64_t ordinal = 0;
  std::string message_id;
  std::uint64_t size = 0;
  std::string detail;
  // Date, sender and subject, to find the message by (sync::MessageSummary).
  core::InternalDate date;
  std::string from, subject;
};

class RunEvents {
 public:
  virtual ~RunEvents() = default;
  virtual void job_started(std::size_t job, const JobInfo& info) = 0;
  virtual void folder_started(std::size_t job, const sync::FolderReport& folder,
                              std::uint64_t messages) = 0;
  virtual void transfer_started(std::size_t job, const sync::FolderReport& folder,
                                std::uint64_t messages, std::uint64_t bytes) = 0;
  virtual void message(std::size_t job, const MessageEvent& message) = 0;
  virtual void folder_finished(std::size_t job, const sync::FolderReport& folder) = 0;
  virtual void job_finished(std::size_t job, const sync::JobReport& report) = 0;
  // A log line (warnings, -v information) not tied to an event.
  virtual void log(core::LogLevel level, std::string_view text) = 0;
};

// The executor's observer for one job: forwards to `events` under `job`.
class JobEventAdapter : public sync::Observer {
 public:
  JobEventAdapter(RunEvents& events, std::size_t job) : events_(events), job_(job) {}
  void folder_started(const sync::FolderReport& folder, std::uint64_t messages) override {
    events_.folder_started(job_, folder, messages);
  }
  void transfer_started(const sync::FolderReport& folder, std::uint64_t messages,
                        std::uint64_t bytes) override {
    events_.transfer_started(job_, folder, messages, bytes);
  }
  void message(sync::Sigil sigil, const sync::FolderReport& folder, const sync::MessageSummary& m,
               const std::string& detail) override {
    events_.message(
        job_, {sigil, folder.source, folder.target, m.ordinal, std::string(m.message_id), m.size,
               detail, m.date, std::string(m.from), std::string(m.subject)});
  }
  void folder_finished(const sync::FolderReport& folder) override {
    events_.folder_finished(job_, folder);
  }

 private:
  RunEvents& events_;
  std::size_t job_;
};

}  // namespace mailferry::cli
