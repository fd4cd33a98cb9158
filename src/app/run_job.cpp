#include "mailferry/app/run_job.hpp"

#include <sys/stat.h>

#include "mailferry/core/log.hpp"
#include "mailferry/job/credentials.hpp"

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
  options.password = job::resolve_password(config.password, password_env_fallback, where);
  if (config.insecure_plaintext && !ep.implicit_tls())
    core::log_warn(where + ": --insecure-plaintext: the password and all mail cross the network "
                           "unencrypted if the server offers no STARTTLS");
  return options;
}

bool is_single_folder_source(const job::Job& job) {
  const auto& ep = job.from.endpoint;
  if (ep.is_pop3()) return true;
  if (ep.scheme != job::Scheme::Mbox) return false;
  struct stat st{};
  return ::stat(ep.path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

sync::JobReport run_job(const job::Job& job, sync::Mode mode, sync::Observer* observer) {
  sync::JobReport failed;
  failed.name = job.name;
  failed.from = job.from.endpoint.to_string();
  failed.to = job.to.endpoint.to_string();
  failed.dry_run = job.dry_run;
  failed.check = mode == sync::Mode::Check;
  try {
    auto source = open_source(job);
    auto target = open_target(job);
    sync::ExecutorOptions options;
    options.mode = mode;
    options.dry_run = job.dry_run || mode == sync::Mode::Check;
    options.single_folder_source = is_single_folder_source(job);
    options.to_folder = job.to_folder;
    options.only_role = job.only_role;
    options.delete_after_copy = job.delete_after_copy;
    options.keep_days = job.keep_days;
    sync::JobReport report;
    if (options.dry_run && mode == sync::Mode::Sync) {
      auto dry = make_dry_run(*target);
      report = sync::Executor(*source, *dry, options, observer).run();
    } else {
      report = sync::Executor(*source, *target, options, observer).run();
    }
    report.name = job.name;
    return report;
  } catch (const core::Error& e) {
    failed.add_error({e.scope(), "job '" + job.name + "'", e.what()}, e.exit_code());
  }
  failed.sum_folders();
  return failed;
}

}  // namespace mailferry::app
