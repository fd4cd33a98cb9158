#include "mailferry/cli/batch.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <istream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "mailferry/app/run_job.hpp"
#include "mailferry/cli/report_output.hpp"
#include "mailferry/core/error.hpp"
#include "mailferry/core/log.hpp"

namespace mailferry::cli {
namespace {

struct Worker {
  std::size_t job = 0;  // the job it runs, when busy
  bool busy = false;
  pid_t pid = -1;
  int fd = -1;          // its stdout and stderr
  int in = -1;          // its stdin: the jobs it is given
  std::string pending;  // bytes of a line not yet complete
};

// fork + exec with the worker's stdin and its stdout and stderr on pipes.
// Everything the child needs is prepared before fork: after it, only
// async-signal-safe calls.
Worker spawn(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int out[2], in[2];
  if (::pipe2(out, O_CLOEXEC) != 0)
    throw core::UsageError(std::string("cannot start a worker: pipe: ") + std::strerror(errno));
  if (::pipe2(in, O_CLOEXEC) != 0) {
    ::close(out[0]);
    ::close(out[1]);
    throw core::UsageError(std::string("cannot start a worker: pipe: ") + std::strerror(errno));
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    for (int fd : {out[0], out[1], in[0], in[1]}) ::close(fd);
    throw core::UsageError(std::string("cannot start a worker: fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    // A worker must not outlive a batch that was killed: nothing would read
    // its events, and a re-run would race it.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(out[1], 2);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(in[0]);
  Worker w;
  w.pid = pid;
  w.fd = out[0];
  w.in = in[1];
  return w;
}

std::string report_path(const std::string& dir, std::size_t job) {
  return dir + "/job-" + std::to_string(job) + ".json";
}

// The line that tells the parent a job is done: its index, or nullopt.
std::optional<std::size_t> done_line(std::string_view line) {
  if (line.find("worker_job_done") == std::string_view::npos) return std::nullopt;
  auto e = nlohmann::json::parse(line, nullptr, false);
  if (e.is_discarded() || !e.is_object() || e.value("event", "") != "worker_job_done" ||
      !e.contains("index") || !e.at("index").is_number_unsigned())
    return std::nullopt;
  return e.at("index").get<std::size_t>();
}

sync::Counters counters_from_json(const nlohmann::json& j) {
  sync::Counters c;
  auto get = [&](const char* key) -> std::uint64_t {
    return j.contains(key) && j.at(key).is_number_unsigned() ? j.at(key).get<std::uint64_t>() : 0;
  };
  c.source = get("source");
  c.present = get("present");
  c.appended = get("appended");
  c.flags_updated = get("flags_updated");
  c.failed = get("failed");
  c.duplicates_in_source = get("duplicates_in_source");
  c.missing = get("missing");
  c.deleted_from_source = get("deleted_from_source");
  c.bytes_appended = get("bytes_appended");
  return c;
}

// "started" and "finished" as report_output writes them; absent or unreadable: unset.
void times_from_json(const nlohmann::json& j, core::WallClock::time_point& started,
                     core::WallClock::time_point& finished) {
  if (auto t = core::parse_rfc3339_utc(j.value("started", ""))) started = *t;
  if (auto t = core::parse_rfc3339_utc(j.value("finished", ""))) finished = *t;
}

sync::FolderReport folder_from_json(const nlohmann::json& j) {
  sync::FolderReport f;
  f.source = j.value("source", "");
  f.target = j.value("target", "");
  f.role = core::parse_role(j.value("role", "none")).value_or(core::Role::None);
  f.created = j.value("created", false);
  times_from_json(j, f.started, f.finished);
  // Events carry the counts in "counters"; reports put them beside the
  // folder's names, where "source" is the name, so the count is rebuilt from
  // the report's invariant (source = present + appended or missing + failed).
  if (j.contains("counters")) {
    f.counters = counters_from_json(j.at("counters"));
  } else {
    f.counters = counters_from_json(j);
    f.counters.source =
        f.counters.present + f.counters.appended + f.counters.missing + f.counters.failed;
  }
  return f;
}

core::ErrorScope scope_from_name(const std::string& name) {
  for (auto scope :
       {core::ErrorScope::Message, core::ErrorScope::Folder, core::ErrorScope::Account})
    if (name == core::scope_name(scope)) return scope;
  return core::ErrorScope::Fatal;
}

std::string exit_description(int status) {
  if (WIFSIGNALED(status))
    return "was killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
           ::strsignal(WTERMSIG(status)) + ")";
  return "exited with status " + std::to_string(WEXITSTATUS(status));
}

// The worker's report, or, when it died before writing one, a report that
// says so: the job failed, the batch goes on.
sync::JobReport collect(const std::string& path, const job::Job& j, sync::Mode mode, int status) {
  try {
    std::ifstream in(path, std::ios::binary);
    if (in) {
      std::stringstream text;
      text << in.rdbuf();
      auto run = nlohmann::json::parse(text.str());
      if (run.contains("jobs") && run.at("jobs").size() == 1)
        return job_report_from_json(run.at("jobs").at(0));
    }
  } catch (const std::exception&) {
    // fall through: treated as a worker that left no report
  }
  sync::JobReport report;
  report.name = j.name;
  report.from = j.from.endpoint.to_string();
  report.to = j.to.endpoint.to_string();
  report.dry_run = j.dry_run;
  report.check = mode == sync::Mode::Check;
  const int code = WIFEXITED(status) && WEXITSTATUS(status) >= core::kExitPartial &&
                           WEXITSTATUS(status) <= core::kExitSource
                       ? WEXITSTATUS(status)
                       : core::kExitPartial;
  report.add_error({core::ErrorScope::Account, "job '" + j.name + "'",
                    "the worker process " + exit_description(status) +
                        " before it finished; "
                        "run the job again to complete it"},
                   code);
  report.sum_folders();
  return report;
}

}  // namespace

sync::JobReport job_report_from_json(const nlohmann::json& j) {
  sync::JobReport r;
  r.name = j.at("name").get<std::string>();
  r.from = j.value("from", "");
  r.to = j.value("to", "");
  r.dry_run = j.value("dry_run", false);
  r.check = j.value("check", false);
  for (const auto& f : j.value("folders", nlohmann::json::array()))
    r.folders.push_back(folder_from_json(f));
  for (const auto& e : j.value("errors", nlohmann::json::array()))
    r.errors.push_back(
        {scope_from_name(e.value("scope", "fatal")), e.value("where", ""), e.value("message", "")});
  for (const auto& n : j.value("notes", nlohmann::json::array()))
    r.notes.push_back(n.get<std::string>());
  r.reconnects = j.value("reconnects", 0);
  r.totals = counters_from_json(j.at("totals"));
  r.exit_code = j.at("exit_code").get<int>();
  r.locked = j.value("locked", false);
  times_from_json(j, r.started, r.finished);
  return r;
}

bool replay_event(std::string_view line, std::size_t job, const std::string& job_name,
                  RunEvents& events) {
  nlohmann::json e;
  try {
    e = nlohmann::json::parse(line);
  } catch (const nlohmann::json::exception&) {
    return false;
  }
  if (!e.is_object() || !e.contains("event") || !e.at("event").is_string()) return false;
  try {
    const std::string kind = e.at("event");
    if (kind == "folder_start") {
      auto f = folder_from_json(e);
      f.counters.present = e.value("present", std::uint64_t{0});
      f.counters.failed = e.value("unreadable", std::uint64_t{0});
      events.folder_started(job, f, e.value("messages", std::uint64_t{0}));
    } else if (kind == "transfer_start") {
      events.transfer_started(job, folder_from_json(e), e.value("messages", std::uint64_t{0}),
                              e.value("bytes", std::uint64_t{0}));
    } else if (kind == "message") {
      MessageEvent m;
      const std::string sigil = e.value("sigil", "!");
      m.sigil = static_cast<sync::Sigil>(sigil.empty() ? '!' : sigil[0]);
      m.source_folder = e.value("source", "");
      m.target_folder = e.value("target", "");
      m.ordinal = e.value("ordinal", std::uint64_t{0});
      m.message_id = e.value("message_id", "");
      m.size = e.value("size", std::uint64_t{0});
      m.detail = e.value("detail", "");
      if (auto date = core::parse_imap_date(e.value("date", ""))) m.date = *date;
      m.from = e.value("from", "");
      m.subject = e.value("subject", "");
      events.message(job, m);
    } else if (kind == "folder_end") {
      events.folder_finished(job, folder_from_json(e));
    } else if (kind == "log") {
      const std::string level = e.value("level", "warning");
      events.log(level == "error"  ? core::LogLevel::Error
                 : level == "info" ? core::LogLevel::Info
                                   : core::LogLevel::Warn,
                 job_name + ": " + e.value("message", ""));
    }
    // job_start, job_end and error: the parent reports the job from its report.
  } catch (const nlohmann::json::exception&) {
    return false;
  }
  return true;
}

std::vector<sync::JobReport> run_in_workers(const std::vector<job::Job>& jobs, sync::Mode mode,
                                            const WorkerCommand& command, unsigned parallel,
                                            RunEvents& events) {
  // A worker that died leaves its pipe closed: writing to it must fail, not
  // end the batch.
  ::signal(SIGPIPE, SIG_IGN);
  std::vector<sync::JobReport> reports(jobs.size());
  std::deque<std::size_t> waiting;
  for (std::size_t i = 0; i < jobs.size(); ++i) waiting.push_back(i);
  std::map<int, Worker> running;  // by output pipe
  auto argv = command.argv_prefix;
  argv.push_back(kWorkerJobOption);
  argv.push_back(command.scratch_dir);

  // Gives `w` the next job, or, when none is left, the end of its input.
  auto hand_out = [&](Worker& w) {
    if (waiting.empty()) {
      if (w.in >= 0) ::close(w.in);
      w.in = -1;
      w.busy = false;
      return;
    }
    w.job = waiting.front();
    waiting.pop_front();
    w.busy = true;
    const auto& j = jobs[w.job];
    events.job_started(w.job,
                       {j.name, j.from.endpoint.to_string(), j.to.endpoint.to_string(), j.dry_run});
    const std::string line = nlohmann::json{{"index", w.job}, {"name", j.name}}.dump() + "\n";
    // A worker that cannot take it has died: its end of output says so.
    [[maybe_unused]] const ssize_t ignored = ::write(w.in, line.data(), line.size());
  };
  auto finish = [&](std::size_t job, int status) {
    const std::string path = report_path(command.scratch_dir, job);
    reports[job] = collect(path, jobs[job], mode, status);
    std::remove(path.c_str());
    events.job_finished(job, reports[job]);
  };
  auto start_worker = [&] {
    Worker w = spawn(argv);
    const int fd = w.fd;
    auto& placed = running.emplace(fd, std::move(w)).first->second;
    hand_out(placed);
  };

  const std::size_t workers = std::min<std::size_t>(std::max(1u, parallel), jobs.size());
  for (std::size_t i = 0; i < workers; ++i) start_worker();

  while (!running.empty()) {
    std::vector<pollfd> fds;
    for (const auto& [fd, w] : running) fds.push_back({fd, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), 1000) < 0 && errno != EINTR)
      throw core::UsageError(std::string("poll: ") + std::strerror(errno));
    for (const auto& p : fds) {
      if (p.revents == 0) continue;
      Worker& w = running.at(p.fd);
      char buffer[65536];
      const ssize_t n = ::read(p.fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n > 0) {
        w.pending.append(buffer, static_cast<std::size_t>(n));
        std::size_t start = 0;
        for (auto end = w.pending.find('\n'); end != std::string::npos;
             start = end + 1, end = w.pending.find('\n', start)) {
          std::string_view line(w.pending.data() + start, end - start);
          if (const auto done = done_line(line); done && w.busy && *done == w.job) {
            finish(w.job, 0);
            hand_out(w);
            continue;
          }
          const std::string& name = jobs[w.job].name;
          // Lines that are not events (a crash message) are shown as they are.
          if (!line.empty() && !replay_event(line, w.job, name, events))
            events.log(core::LogLevel::Warn, name + ": " + std::string(line));
        }
        w.pending.erase(0, start);
        continue;
      }
      // End of the pipe: the worker has exited (or closed its output).
      ::close(p.fd);
      Worker gone = std::move(w);
      running.erase(p.fd);
      if (gone.in >= 0) ::close(gone.in);
      int status = 0;
      while (::waitpid(gone.pid, &status, 0) < 0 && errno == EINTR) {
      }
      if (gone.busy) {
        const std::string& name = jobs[gone.job].name;
        if (!gone.pending.empty() && !replay_event(gone.pending, gone.job, name, events))
          events.log(core::LogLevel::Warn, name + ": " + gone.pending);
        finish(gone.job, status);  // its report, or one that says the worker died
      }
      // The jobs it would have run go to a new worker.
      if (!waiting.empty()) start_worker();
    }
  }
  return reports;
}

void serve_jobs(const std::vector<job::Job>& jobs, sync::Mode mode, const std::string& dir,
                RunEvents& events, std::istream& requests, std::FILE* done) {
  std::string line;
  while (std::getline(requests, line)) {
    const auto request = nlohmann::json::parse(line, nullptr, false);
    if (request.is_discarded() || !request.is_object() || !request.contains("index")) continue;
    const auto index = request.value("index", std::size_t{0});
    const std::string name = request.value("name", "");
    // The parent selected the jobs as this worker did: the same list, in
    // the same order; the name guards against any difference.
    const job::Job* job = index < jobs.size() && jobs[index].name == name ? &jobs[index] : nullptr;
    for (std::size_t i = 0; job == nullptr && i < jobs.size(); ++i)
      if (jobs[i].name == name) job = &jobs[i];
    if (job != nullptr) {
      events.job_started(index, {job->name, job->from.endpoint.to_string(),
                                 job->to.endpoint.to_string(), job->dry_run});
      JobEventAdapter adapter(events, index);
      sync::RunReport run;
      run.jobs.push_back(app::run_job(*job, mode, &adapter));
      run.dry_run = run.jobs.back().dry_run;
      events.job_finished(index, run.jobs.back());
      try {
        write_report(run, report_path(dir, index));
      } catch (const core::Error& e) {
        core::log_error(e.what());  // the parent reports the job as failed
      }
    }
    const std::string reply =
        nlohmann::json{{"event", "worker_job_done"}, {"index", index}}.dump() + "\n";
    std::fwrite(reply.data(), 1, reply.size(), done);
    std::fflush(done);
  }
}

}  // namespace mailferry::cli
