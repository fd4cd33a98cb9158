#include "mailferry/cli/json_log.hpp"

#include <nlohmann/json.hpp>

#include "mailferry/cli/report_output.hpp"
#include "mailferry/core/utc_time.hpp"

namespace mailferry::cli {

using json = nlohmann::ordered_json;

const char* message_status(sync::Sigil sigil, sync::Mode mode) {
  const bool check = mode == sync::Mode::Check;
  switch (sigil) {
    case sync::Sigil::Present:
      return "present";
    case sync::Sigil::Missing:
      return check ? "missing" : "appended";
    case sync::Sigil::Differs:
      return check ? "lacks_flags" : "flags_added";
    case sync::Sigil::Error:
      return "failed";
    case sync::Sigil::Duplicate:
      return "duplicate";
    case sync::Sigil::Removed:
      return "deleted_from_source";
  }
  return "unknown";
}

std::string rfc3339_now() { return core::rfc3339_utc(core::WallClock::now()); }

JsonLog::JsonLog(Writer write, sync::Mode mode, bool verbose)
    : write_(std::move(write)), mode_(mode), verbose_(verbose) {}

const std::string& JsonLog::name(std::size_t job) const {
  static const std::string none;
  auto it = names_.find(job);
  return it == names_.end() ? none : it->second;
}

void JsonLog::emit(json& event) {
  // "time" first, for people reading the raw lines.
  json ordered = json::object();
  ordered["time"] = rfc3339_now();
  for (auto& [key, value] : event.items()) ordered[key] = std::move(value);
  // Invalid UTF-8 (a folder name from a broken file) must not end the run.
  write_(ordered.dump(-1, ' ', false, json::error_handler_t::replace));
}

void JsonLog::job_started(std::size_t job, const JobInfo& info) {
  names_[job] = info.name;
  json e{{"event", "job_start"},
         {"job", info.name},
         {"from", info.from},
         {"to", info.to},
         {"mode", mode_ == sync::Mode::Check ? "check" : "sync"},
         {"dry_run", info.dry_run}};
  emit(e);
}

void JsonLog::folder_started(std::size_t job, const sync::FolderReport& f, std::uint64_t messages) {
  json e{{"event", "folder_start"},
         {"job", name(job)},
         {"source", f.source},
         {"target", f.target},
         {"messages", messages},
         {"present", f.counters.present},
         {"unreadable", f.counters.failed}};
  emit(e);
}

void JsonLog::transfer_started(std::size_t job, const sync::FolderReport& f, std::uint64_t messages,
                               std::uint64_t bytes) {
  json e{{"event", "transfer_start"}, {"job", name(job)},     {"source", f.source},
         {"target", f.target},        {"messages", messages}, {"bytes", bytes}};
  emit(e);
}

void JsonLog::message(std::size_t job, const MessageEvent& m) {
  if (!verbose_ && (m.sigil == sync::Sigil::Present || m.sigil == sync::Sigil::Duplicate)) return;
  json e{{"event", "message"},
         {"job", name(job)},
         {"source", m.source_folder},
         {"target", m.target_folder},
         {"sigil", std::string(1, static_cast<char>(m.sigil))},
         {"status", message_status(m.sigil, mode_)},
         {"ordinal", m.ordinal},
         {"message_id", m.message_id},
         {"size", m.size}};
  // What a person finds the message by; the date in IMAP's form, with the
  // sender's zone.
  if (m.date.utc != 0) e["date"] = m.date.to_imap();
  if (!m.from.empty()) e["from"] = m.from;
  if (!m.subject.empty()) e["subject"] = m.subject;
  if (!m.detail.empty()) e["detail"] = m.detail;
  emit(e);
}

void JsonLog::folder_finished(std::size_t job, const sync::FolderReport& f) {
  json e{{"event", "folder_end"},
         {"job", name(job)},
         {"source", f.source},
         {"target", f.target},
         {"role", std::string(core::role_name(f.role))},
         {"created", f.created},
         {"counters", cli::counters_to_json(f.counters)}};
  emit(e);
}

void JsonLog::job_finished(std::size_t job, const sync::JobReport& report) {
  for (const auto& error : report.errors) {
    json e{{"event", "error"},
           {"job", name(job)},
           {"scope", core::scope_name(error.scope)},
           {"where", error.where},
           {"message", error.message}};
    emit(e);
  }
  json e{{"event", "job_end"},
         {"job", name(job)},
         {"exit_code", report.exit_code},
         {"verdict", cli::verdict(report)},
         {"totals", cli::counters_to_json(report.totals)},
         {"errors", report.errors.size()}};
  emit(e);
  names_.erase(job);
}

void JsonLog::log(core::LogLevel level, std::string_view text) {
  const char* name = level == core::LogLevel::Error  ? "error"
                     : level == core::LogLevel::Warn ? "warning"
                                                     : "info";
  json e{{"event", "log"}, {"level", name}, {"message", std::string(text)}};
  emit(e);
}

}  // namespace mailferry::cli
