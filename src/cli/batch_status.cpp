#include "mailferry/cli/batch_status.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "mailferry/cli/output_lines.hpp"
#include "mailferry/core/utc_time.hpp"

namespace mailferry::cli {
namespace {

using nlohmann::json;

const auto grouped = grouped_number;

std::string seconds_text(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, seconds < 10 ? "%.1f s" : "%.0f s", seconds);
  return text;
}

// What stopped a job, in words that are the same for every mailbox that
// failed the same way: the widest-reaching error's message (its `where`
// names the mailbox; the message names the cause).
std::string failure_reason(const sync::JobReport& job) {
  const core::ErrorRecord* worst = nullptr;
  for (const auto& e : job.errors)
    if (worst == nullptr || static_cast<int>(e.scope) > static_cast<int>(worst->scope)) worst = &e;
  if (worst != nullptr) return worst->message;
  if (job.totals.failed > 0) return "some messages could not be copied";
  if (job.check && job.totals.missing > 0) return "check: messages are missing on the server";
  return "exit status " + std::to_string(job.exit_code);
}

struct Entry {
  const sync::JobReport* job;
  const std::string* path;
  std::size_t order;  // of the report file, for equal times
};

// Later is "more recent": by end time, else start time, else file order.
bool earlier(const Entry& a, const Entry& b) {
  auto when = [](const Entry& e) {
    return e.job->finished != core::WallClock::time_point{} ? e.job->finished : e.job->started;
  };
  return std::make_tuple(when(a), a.order) < std::make_tuple(when(b), b.order);
}

}  // namespace

const char* state_name(MailboxState state) {
  switch (state) {
    case MailboxState::Complete:
      return "complete";
    case MailboxState::Failed:
      return "failed";
    case MailboxState::Locked:
      return "locked";
    case MailboxState::NotStarted:
      break;
  }
  return "not_started";
}

BatchStatus batch_status(const std::string& batch, const std::vector<job::Job>& jobs,
                         const std::vector<ReportFile>& reports) {
  BatchStatus status;
  status.batch = batch;
  std::map<std::string, std::vector<Entry>> entries;
  for (const auto& j : jobs) entries[j.name];
  // An entry found twice (a report given twice, or copied into a folder
  // given too) is one run.
  std::set<std::tuple<std::string, std::int64_t, std::int64_t, int>> seen;
  for (std::size_t r = 0; r < reports.size(); ++r) {
    status.reports.push_back(reports[r].path);
    for (const auto& job : reports[r].jobs) {
      if (job.dry_run && !job.check) continue;  // moved nothing, proves nothing
      auto it = entries.find(job.name);
      if (it == entries.end()) {
        ++status.unknown_entries;
        continue;
      }
      const auto key = std::make_tuple(job.name, job.started.time_since_epoch().count(),
                                       job.finished.time_since_epoch().count(), job.exit_code);
      if (!seen.insert(key).second) continue;
      it->second.push_back({&job, &reports[r].path, r});
    }
  }

  std::map<std::string, std::size_t> reason_index;
  for (const auto& j : jobs) {
    MailboxStatus m;
    m.name = j.name;
    const auto& list = entries[j.name];
    for (const auto& e : list) {
      if (!e.job->check) {
        m.messages_moved += e.job->totals.appended;
        m.bytes_moved += e.job->totals.bytes_appended;
      }
      if (e.job->started != core::WallClock::time_point{} && e.job->finished >= e.job->started)
        m.seconds += core::seconds_between(e.job->started, e.job->finished);
    }
    m.runs = list.size();
    if (!list.empty()) {
      const Entry& latest = *std::max_element(list.begin(), list.end(), earlier);
      m.exit_code = latest.job->exit_code;
      m.report = *latest.path;
      if (latest.job->finished != core::WallClock::time_point{})
        m.finished = core::rfc3339_utc(latest.job->finished);
      if (latest.job->locked) {
        m.state = MailboxState::Locked;
      } else if (latest.job->exit_code == core::kExitComplete) {
        m.state = MailboxState::Complete;
      } else {
        m.state = MailboxState::Failed;
        m.reason = failure_reason(*latest.job);
        auto [at, fresh] = reason_index.emplace(m.reason, status.reasons.size());
        if (fresh) status.reasons.push_back({m.reason, {}});
        status.reasons[at->second].mailboxes.push_back(m.name);
      }
    }
    switch (m.state) {
      case MailboxState::Complete:
        ++status.complete;
        break;
      case MailboxState::Failed:
        ++status.failed;
        break;
      case MailboxState::Locked:
        ++status.locked;
        break;
      case MailboxState::NotStarted:
        ++status.not_started;
        break;
    }
    status.messages_moved += m.messages_moved;
    status.bytes_moved += m.bytes_moved;
    status.mailboxes.push_back(std::move(m));
  }
  std::stable_sort(status.reasons.begin(), status.reasons.end(),
                   [](const ReasonGroup& a, const ReasonGroup& b) {
                     return a.mailboxes.size() > b.mailboxes.size();
                   });
  return status;
}

json to_json(const BatchStatus& s) {
  json mailboxes = json::array();
  double total_seconds = 0, max_seconds = 0;
  std::size_t timed = 0;
  for (const auto& m : s.mailboxes) {
    json entry{{"name", m.name},
               {"state", state_name(m.state)},
               {"runs", m.runs},
               {"messages_moved", m.messages_moved},
               {"bytes_moved", m.bytes_moved},
               {"seconds", m.seconds}};
    if (m.runs > 0) {
      entry["exit_code"] = m.exit_code;
      entry["report"] = m.report;
      if (!m.finished.empty()) entry["finished"] = m.finished;
    }
    if (m.state == MailboxState::Failed) entry["reason"] = m.reason;
    mailboxes.push_back(std::move(entry));
    if (m.state == MailboxState::Complete) {
      total_seconds += m.seconds;
      max_seconds = std::max(max_seconds, m.seconds);
      ++timed;
    }
  }
  json reasons = json::array();
  for (const auto& r : s.reasons)
    reasons.push_back({{"reason", r.reason}, {"mailboxes", r.mailboxes}});
  return json{
      {"batch", s.batch},
      {"reports", s.reports},
      {"all_complete", s.all_complete()},
      {"mailboxes", s.mailboxes.size()},
      {"complete", s.complete},
      {"failed", s.failed},
      {"locked", s.locked},
      {"not_started", s.not_started},
      {"messages_moved", s.messages_moved},
      {"bytes_moved", s.bytes_moved},
      {"seconds_per_complete_mailbox",
       {{"mean", timed ? total_seconds / static_cast<double>(timed) : 0.0}, {"max", max_seconds}}},
      {"unknown_entries", s.unknown_entries},
      {"failure_reasons", reasons},
      {"jobs", mailboxes}};
}

std::string status_text(const BatchStatus& s, std::size_t listed) {
  auto names = [listed](const std::vector<std::string>& all) {
    std::string text;
    for (std::size_t i = 0; i < all.size() && i < listed; ++i) text += (i ? ", " : "") + all[i];
    if (all.size() > listed) text += ", and " + grouped(all.size() - listed) + " more";
    return text;
  };
  auto row = [](const char* label, std::size_t n) {
    char text[64];
    std::snprintf(text, sizeof text, "  %-18s %9s\n", label, grouped(n).c_str());
    return std::string(text);
  };
  std::string out = grouped(s.mailboxes.size()) +
                    (s.mailboxes.size() == 1 ? " mailbox in " : " mailboxes in ") + s.batch + ", " +
                    grouped(s.reports.size()) +
                    (s.reports.size() == 1 ? " report\n" : " reports\n");
  out += row("complete", s.complete);
  out += row("failed", s.failed);
  out += row("running elsewhere", s.locked);
  out += row("not started", s.not_started);
  out += "moved: " + grouped(s.messages_moved) +
         (s.messages_moved == 1 ? " message, " : " messages, ") + human_bytes(s.bytes_moved) + "\n";
  const MailboxStatus* slowest = nullptr;
  double total = 0;
  for (const auto& m : s.mailboxes) {
    if (m.state != MailboxState::Complete) continue;
    total += m.seconds;
    if (slowest == nullptr || m.seconds > slowest->seconds) slowest = &m;
  }
  if (slowest != nullptr)
    out += "time per complete mailbox: " + seconds_text(total / static_cast<double>(s.complete)) +
           " on average, " + seconds_text(slowest->seconds) + " at most (" + slowest->name + ")\n";
  if (!s.reasons.empty()) {
    out += "failed, by reason:\n";
    for (const auto& r : s.reasons)
      out +=
          "  " + grouped(r.mailboxes.size()) + "  " + r.reason + ": " + names(r.mailboxes) + "\n";
  }
  std::vector<std::string> locked, not_started;
  for (const auto& m : s.mailboxes) {
    if (m.state == MailboxState::Locked) locked.push_back(m.name);
    if (m.state == MailboxState::NotStarted) not_started.push_back(m.name);
  }
  if (!locked.empty())
    out +=
        "running elsewhere (skipped: another process held the job's lock): " + names(locked) + "\n";
  if (!not_started.empty()) out += "not started (in no report): " + names(not_started) + "\n";
  if (s.unknown_entries > 0)
    out += "note: " + grouped(s.unknown_entries) +
           " report entries name jobs this batch does not hold (another batch's reports?)\n";
  out += s.all_complete() ? "every mailbox is complete\n" : "";
  return out;
}

}  // namespace mailferry::cli
