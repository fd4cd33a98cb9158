#include "mailferry/cli/cli.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "mailferry/app/run_job.hpp"
#include "mailferry/cli/list_command.hpp"
#include "mailferry/cli/options.hpp"
#include "mailferry/cli/terminal_observer.hpp"
#include "mailferry/core/error.hpp"
#include "mailferry/core/log.hpp"
#include "mailferry/sync/report.hpp"

namespace mailferry::cli {
namespace {

void add_endpoint_options(CLI::App& verb, CommonOptions& o) {
  verb.add_option("job_file", o.job_file, "JSON job file with one or many jobs");
  verb.add_option("--from", o.from, "source: mbox:PATH, pst:PATH, eml:PATH, pop3[s]://USER@HOST[:PORT]");
  verb.add_option("--to", o.to, "target: imaps://USER@HOST[:PORT] or imap://USER@HOST[:PORT] (STARTTLS)");
  verb.add_option("--from-password-file", o.from_password_file,
                  "file holding the source password (else $MAILFERRY_FROM_PASSWORD)");
  verb.add_option("--to-password-file", o.to_password_file,
                  "file holding the target password (else $MAILFERRY_TO_PASSWORD)");
  verb.add_option("--ca-file", o.ca_file, "PEM CA certificate to trust besides the system store");
  verb.add_flag("--insecure-plaintext", o.insecure_plaintext,
                "allow imap:// and pop3:// without TLS when the server offers none");
  verb.add_option("--report", o.report_path, "write a JSON report to FILE");
  verb.add_option("--to-folder", o.to_folder, "target folder for a single-folder source (default INBOX)");
  verb.add_option("--mbox-format", o.mbox_format, "mbox variant: auto, mboxo, mboxrd, mboxcl");
  verb.add_option("--only-role", o.only_role, "only folders of this role (e.g. sent)");
  verb.add_option("--state", o.state_path, "state store file (default: per job, under ~/.local/state)");
  verb.add_flag("-v,--verbose", o.verbose, "print a line per message");
  verb.add_flag("-q,--quiet", o.quiet, "print only the summary and errors");
}

int finish(const sync::RunReport& run, const std::vector<job::Job>& jobs) {
  // One report file per distinct path; a batch usually shares one.
  std::vector<std::string> written;
  for (const auto& j : jobs) {
    if (j.report_path.empty() || std::find(written.begin(), written.end(), j.report_path) != written.end())
      continue;
    sync::RunReport subset;
    subset.dry_run = run.dry_run;
    for (size_t i = 0; i < jobs.size(); ++i)
      if (jobs[i].report_path == j.report_path) subset.jobs.push_back(run.jobs[i]);
    sync::write_report(subset, j.report_path);
    written.push_back(j.report_path);
  }
  return run.exit_code();
}

int run_jobs(const CommonOptions& o, sync::Mode mode) {
  auto jobs = jobs_from_options(o);
  sync::RunReport run;
  run.dry_run = mode == sync::Mode::Check;
  TerminalObserver observer(mode, o.verbose, o.quiet, o.missing_only);
  for (const auto& j : jobs) {
    run.dry_run = run.dry_run || j.dry_run;
    observer.job_started(j.name, jobs.size() > 1);
    auto report = app::run_job(j, mode, &observer);
    observer.job_finished(report, jobs.size() > 1);
    run.jobs.push_back(std::move(report));
  }
  return finish(run, jobs);
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{"mailferry: moves mail (mbox, POP3, PST) into IMAP accounts and keeps it there"};
  app.set_version_flag("--version", std::string("mailferry ") + MAILFERRY_VERSION);
  app.require_subcommand(1);

  CommonOptions sync_options, check_options;
  auto* sync = app.add_subcommand("sync", "upload what the target lacks and add missing flags");
  add_endpoint_options(*sync, sync_options);
  sync->add_flag("-n,--dry-run", sync_options.dry_run, "show what would be done; change nothing");
  sync->add_flag("--unread", sync_options.unread, "POP3: migrated mail arrives unread (default: read)");
  sync->add_flag("--delete-after-copy", sync_options.delete_after_copy,
                 "POP3: delete messages confirmed on the IMAP server");
  sync->add_option("--keep-days", sync_options.keep_days,
                   "with --delete-after-copy: keep the last N days on the POP3 server");

  auto* check = app.add_subcommand("check", "exit 0 only if every source message is on the target");
  add_endpoint_options(*check, check_options);
  check->add_flag("--missing-only", check_options.missing_only, "print only missing messages");

  ListOptions list_options;
  auto* list = app.add_subcommand("list", "list the folders of a source or target, or the folder plan");
  list->add_option("endpoint", list_options.endpoint, "mbox:PATH, pst:PATH, eml:PATH, pop3[s]://... or imap[s]://...")
      ->required();
  list->add_option("--to", list_options.to, "show where each source folder would go on this target");
  list->add_option("--ca-file", list_options.ca_file, "PEM CA certificate to trust besides the system store");
  list->add_option("--password-file", list_options.password_file,
                   "file holding the password of ENDPOINT (else $MAILFERRY_FROM_PASSWORD or, "
                   "for an IMAP endpoint, $MAILFERRY_TO_PASSWORD)");
  list->add_option("--to-password-file", list_options.to_password_file,
                   "file holding the password of --to (else $MAILFERRY_TO_PASSWORD)");
  list->add_flag("--insecure-plaintext", list_options.insecure_plaintext, "allow plaintext connections");
  list->add_option("--mbox-format", list_options.mbox_format, "mbox variant: auto, mboxo, mboxrd, mboxcl");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? core::kExitComplete : core::kExitUsage;
  }

  try {
    if (sync->parsed()) {
      core::set_log_level(sync_options.quiet ? core::LogLevel::Error
                          : sync_options.verbose ? core::LogLevel::Info : core::LogLevel::Warn);
      return run_jobs(sync_options, sync::Mode::Sync);
    }
    if (check->parsed()) {
      core::set_log_level(check_options.quiet ? core::LogLevel::Error : core::LogLevel::Warn);
      return run_jobs(check_options, sync::Mode::Check);
    }
    return run_list(list_options);
  } catch (const core::Error& e) {
    core::log_error(e.what());
    return e.exit_code();
  } catch (const std::exception& e) {
    core::log_error(std::string("internal error: ") + e.what());
    return core::kExitUsage;
  }
}

}  // namespace mailferry::cli
