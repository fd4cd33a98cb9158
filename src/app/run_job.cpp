#include "mailferry/app/run_job.hpp"

#include <openssl/evp.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include "mailferry/core/hardening.hpp"
#include "mailferry/core/log.hpp"
#include "mailferry/job/credentials.hpp"
#include "mailferry/net/greeting.hpp"
#include "mailferry/source/dry_run_source.hpp"
#include "mailferry/source/scan_cache.hpp"
#include "mailferry/sync/job_lock.hpp"
#include "mailferry/target/dry_run_target.hpp"
#include "mailferry/target/throttled_target.hpp"

namespace mailferry::app {

net::ConnectOptions connect_options(const job::EndpointConfig& config,
                                    const std::string& password_env_fallback,
                                    const std::string& where) {
  const auto& ep = config.endpoint;
  net::ConnectOptions options;
  options.protocol = ep.is_imap() ? net::Protocol::Imap : net::Protocol::Pop3;
  options.host = ep.host;
  options.port = ep.effective_port();
  options.implicit_tls = ep.implicit_tls();
  options.allow_plaintext = config.insecure_plaintext;
  options.ca_file = config.ca_file;
  options.user = ep.user;
  options.greeting_timeout = net::greeting_timeout_from_environment();
  core::disable_core_dumps();  // before the first secret is in memory
  if (config.oauth2())
    // The token itself is fetched by connector(), once per connection.
    options.sasl_mechanisms = config.auth == "oauthbearer" ? "AUTH=OAUTHBEARER" : "AUTH=XOAUTH2";
  else
    // Asked for at the terminal, as a last resort, by the account's name.
    options.password =
        job::resolve_password(config.password, password_env_fallback, where, options.display());
  if (config.insecure_plaintext && !ep.implicit_tls())
    core::log_warn(where +
                   ": --insecure-plaintext: the password and all mail cross the network "
                   "unencrypted if the server offers no STARTTLS");
  return options;
}

std::function<std::unique_ptr<net::Connection>(const net::ConnectOptions&)> connector(
    const job::EndpointConfig& endpoint, const std::string& where) {
  if (!endpoint.oauth2()) return {};
  return [command = endpoint.token_command, where](const net::ConnectOptions& options) {
    net::ConnectOptions with_token = options;
    with_token.bearer_token = job::resolve_token(command, where);
    return net::Connection::open(with_token);
  };
}

bool is_single_folder_source(const job::Job& job) {
  const auto& ep = job.from.endpoint;
  if (ep.is_pop3() || ep.scheme == job::Scheme::Eml) return true;  // eml: is always one folder
  if (ep.scheme != job::Scheme::Mbox) return false;
  struct stat st {};
  return ::stat(ep.path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string state_path(const job::Job& job) {
  if (!job.state_path.empty()) return job.state_path;
  std::filesystem::path base;
  if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg != nullptr && *xdg != '\0')
    base = xdg;
  else if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0')
    base = std::filesystem::path(home) / ".local" / "state";
  else
    return "";
  // The name keeps files recognisable; the hash keeps two command-line jobs
  // (both named "command line") with different endpoints apart.
  const std::string identity = job.from.endpoint.to_string() + "\n" + job.to.endpoint.to_string();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(identity.data(), identity.size(), digest, &length, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string tag;
  for (unsigned int i = 0; i < 6; ++i) tag += {hex[digest[i] >> 4], hex[digest[i] & 15]};
  std::string name;
  for (char c : job.name) name += std::isalnum(static_cast<unsigned char>(c)) || c == '-' ? c : '_';
  return (base / "mailferry" / (name + "-" + tag + ".db")).string();
}

namespace {

// The folders above the state's own; StateStore and JobLock make that last
// one, its owner's only (the state holds every correspondent's Message-ID domain).
void make_state_folders(const std::string& path) {
  std::error_code ignored;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path().parent_path(),
                                      ignored);
}

// The state store is a cache: without one (no home directory), runs are slower, never wrong.
std::unique_ptr<sync::StateStore> open_state(const job::Job& job, sync::JobReport& report) {
  const std::string path = state_path(job);
  if (path.empty()) {
    report.notes.push_back(
        "no state file (no HOME or XDG_STATE_HOME): nothing is cached between runs");
    return nullptr;
  }
  make_state_folders(path);
  return std::make_unique<sync::StateStore>(path);
}

// The state of the last real run, for the dry run and check: with its scans
// they plan as that run's successor will (an IMAP source's flag removals
// included). None when there is no state file yet, or when it cannot be
// opened: a note says so, and the plan only adds flags.
std::unique_ptr<sync::StateStore> open_last_state(const job::Job& job, sync::JobReport& report) {
  const std::string path = state_path(job);
  if (path.empty() || !std::filesystem::exists(path)) return nullptr;
  try {
    return std::make_unique<sync::StateStore>(path);
  } catch (const sync::StateStoreError& e) {
    report.notes.push_back(std::string(e.what()) +
                           "; planned without the last run's state: flags are only added");
    return nullptr;
  }
}

// An IMAP source is read over one connection, and it sets the pace: more
// target connections only wait for it in turn (each switching the source to
// its folder) and cost memory. Measured on 5,000 messages over loopback:
// 6.0 s and 33 MB over one connection, 7.1 s and 59 MB over four. Other
// sources are read faster than a server stores, so four keep it busier.
int default_connections(const job::Job& job) {
  return job.from.endpoint.is_imap() ? 1 : sync::kDefaultConnections;
}

// A job another process is running is skipped, and says so: its report is
// neither a success nor a failure of the mailbox, and the exit status (5)
// tells a scheduler to try again later.
sync::JobReport skipped_as_locked(sync::JobReport report, const std::string& lock_path) {
  report.locked = true;
  report.exit_code = core::kExitLocked;
  report.notes.push_back("another mailferry process is running this job (it holds " + lock_path +
                         "); this run left it alone");
  report.finished = core::WallClock::now();
  return report;
}

// A file source that yields no message at all is more likely a wrong path
// (an empty directory, the wrong export) than an empty mailbox: a warning and
// exit status 4 unless allowed. A POP3 mailbox is a place mail arrives in,
// empty between deliveries, and is never refused for it.
void refuse_empty_source(const job::Job& job, const source::Source& source,
                         sync::JobReport& report) {
  const auto& t = report.totals;
  if (job.allow_empty || job.from.endpoint.is_network() || !report.errors.empty() || t.source > 0 ||
      t.failed > 0 || t.duplicates_in_source > 0)
    return;
  const bool chosen =
      job.only_role || !job.folder_rules.include.empty() || !job.folder_rules.exclude.empty();
  core::log_warn(source.describe() +
                 (chosen ? ": no message in the folders chosen" : ": the source holds no message") +
                 "; if that is expected, give --allow-empty (job key allow_empty)");
  report.exit_code = std::max(report.exit_code, static_cast<int>(core::kExitSource));
}

}  // namespace

sync::JobReport run_job(const job::Job& job, sync::Mode mode, sync::Observer* observer) {
  const auto started = core::WallClock::now();
  sync::JobReport failed;
  failed.started = started;
  failed.name = job.name;
  failed.from = job.from.endpoint.to_string();
  failed.to = job.to.endpoint.to_string();
  failed.dry_run = job.dry_run;
  failed.check = mode == sync::Mode::Check;
  try {
    const bool writes = mode == sync::Mode::Sync && !job.dry_run;
    // Held until the job's report is made: no second process uploads into
    // the same mailbox meanwhile (a scheduler's retry of a running shard).
    std::unique_ptr<sync::JobLock> lock;
    if (const std::string path = state_path(job); writes && !path.empty()) {
      make_state_folders(path);
      lock = std::make_unique<sync::JobLock>(path);
      if (!lock->held()) return skipped_as_locked(failed, lock->path());
    }
    std::unique_ptr<sync::StateStore> state = writes || job.from.endpoint.is_pop3()
                                                  ? open_state(job, failed)
                                                  : open_last_state(job, failed);
    // The dry run and check read the scans of the last run and keep none, so
    // the next real run compares with what the last real run saw.
    std::optional<source::ReadOnlyScanCache> read_only_scans;
    if (!writes && state) read_only_scans.emplace(*state);
    source::ScanCache* scans = state.get();
    if (read_only_scans) scans = &*read_only_scans;
    std::unique_ptr<sync::Journal> journal;
    if (writes && state)
      journal = std::make_unique<sync::Journal>(
          *state, job.from.endpoint.to_string() + " -> " + job.to.endpoint.to_string());
    auto source = open_source(job, state.get(), scans);
    std::unique_ptr<target::Target> target = open_target(job);
    std::shared_ptr<core::Throttle> throttle;
    if (writes && (job.max_bytes_per_second > 0 || job.max_messages_per_second > 0))
      throttle = std::make_shared<core::Throttle>(
          core::ThrottleLimits{job.max_bytes_per_second, job.max_messages_per_second});
    if (throttle) target = std::make_unique<target::ThrottledTarget>(std::move(target), throttle);
    std::unique_ptr<sync::TargetCache> target_cache;
    if (writes && state)
      target_cache = std::make_unique<sync::TargetCache>(*state, target->describe());
    sync::ExecutorOptions options;
    options.mode = mode;
    options.mapping = {is_single_folder_source(job), job.to_folder, job.only_role,
                       job.folder_rules};
    options.removal = {job.delete_after_copy, job.keep_days};
    options.journal = journal.get();
    options.target_cache = target_cache.get();
    // More connections for independent folders (all of them share the
    // throttle); not for a dry run, whose one DryRunTarget is all that may
    // stand between the plan and the server.
    options.connections = sync::connections_from_environment(
        job.connections > 0 ? job.connections : default_connections(job));
    if (writes)
      options.open_target = [&job, throttle]() -> std::unique_ptr<target::Target> {
        auto more = open_target(job);
        if (throttle) more = std::make_unique<target::ThrottledTarget>(std::move(more), throttle);
        return more;
      };
    sync::JobReport report;
    if (mode == sync::Mode::Sync && job.dry_run) {
      // The dry run is another target and another source: reads go through,
      // writes (uploads, flags, deletions) are answered and never made.
      target::DryRunTarget dry_target(*target);
      source::DryRunSource dry_source(*source);
      report = sync::Executor(dry_source, dry_target, options, observer).run();
    } else {
      report = sync::Executor(*source, *target, options, observer).run();
    }
    report.dry_run = job.dry_run || mode == sync::Mode::Check;
    report.name = job.name;
    report.started = started;
    report.finished = core::WallClock::now();
    for (auto& note : failed.notes) report.notes.push_back(std::move(note));
    for (auto& note : source->report_notes()) report.notes.push_back(std::move(note));
    refuse_empty_source(job, *source, report);
    return report;
  } catch (const core::Error& e) {
    failed.add_error({e.scope(), "job '" + job.name + "'", e.what()}, e.exit_code());
  }
  failed.sum_folders();
  failed.finished = core::WallClock::now();
  return failed;
}

}  // namespace mailferry::app
