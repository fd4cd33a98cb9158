// --log-format json: one JSON object per line and per event, for log
// collectors (journald, Loki, Elasticsearch). Every object has "time"
// (RFC 3339, UTC, milliseconds) and "event":
//
//   job_start       job, from, to, mode ("sync"|"check"), dry_run
//   folder_start    job, source, target, messages (in the source), present
//                   (already on the server), unreadable
//   transfer_start  job, source, target, messages, bytes
//   message         job, source, target, sigil, status, ordinal, message_id,
//                   size, detail (when there is one). status: appended,
//                   failed, flags_added (sync); missing, lacks_flags (check);
//                   present, duplicate (only with -v)
//   folder_end      job, source, target, role, created, counters
//   error           job, scope, where, message (one per error of the job,
//                   just before its job_end)
//   job_end         job, exit_code, verdict, totals, errors (their number)
//   log             level ("error"|"warning"|"info"), message, and job when
//                   a batch worker wrote it
//
// Nothing secret is in any of them: endpoints are secret-free URLs and
// errors never carry passwords or tokens.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "mailferry/cli/run_events.hpp"

namespace mailferry::cli {

class JsonLog : public RunEvents {
 public:
  using Writer = std::function<void(std::string_view line)>;
  // `write` gets one line (without its newline) per event.
  JsonLog(Writer write, sync::Mode mode, bool verbose);

  void job_started(std::size_t job, const JobInfo& info) override;
  void folder_started(std::size_t job, const sync::FolderReport& folder,
                      std::uint64_t messages) override;
  void transfer_started(std::size_t job, const sync::FolderReport& folder, std::uint64_t messages,
                        std::uint64_t bytes) override;
  void message(std::size_t job, const MessageEvent& message) override;
  void folder_finished(std::size_t job, const sync::FolderReport& folder) override;
  void job_finished(std::size_t job, const sync::JobReport& report) override;
  void log(core::LogLevel level, std::string_view text) override;

 private:
  void emit(nlohmann::ordered_json& event);
  const std::string& name(std::size_t job) const;

  Writer write_;
  sync::Mode mode_;
  bool verbose_;
  std::map<std::size_t, std::string> names_;
};

// "appended", "missing", ... for a sigil in a mode (see above).
const char* message_status(sync::Sigil sigil, sync::Mode mode);
// The current time as "2025-03-01T02:15:07.123Z".
std::string rfc3339_now();

}  // namespace mailferry::cli
