#include "mailferry/cli/cli.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <tuple>

#include "help_formatter.hpp"
#include "mailferry/app/run_job.hpp"
#include "mailferry/cli/batch.hpp"
#include "mailferry/cli/console.hpp"
#include "mailferry/cli/json_log.hpp"
#include "mailferry/cli/list_command.hpp"
#include "mailferry/cli/mistyped.hpp"
#include "mailferry/cli/options.hpp"
#include "mailferry/cli/report_output.hpp"
#include "mailferry/cli/status_command.hpp"
#include "mailferry/cli/terminal_output.hpp"
#include "mailferry/core/error.hpp"
#include "mailferry/core/log.hpp"
#include "mailferry/sync/report.hpp"

namespace mailferry::cli {
namespace {

constexpr const char* kEndpoints = "Endpoints";
constexpr const char* kSelection = "Selection";
constexpr const char* kOutput = "Output";
constexpr const char* kBatch = "Batches";

// A choice whose values the help text already names (no ":{a,b}" after the type).
CLI::Validator one_of(std::vector<std::string> values) {
  CLI::Validator v = CLI::IsMember(std::move(values));
  v.description("");
  return v;
}

// The command line as given, for starting batch workers with the same options.
std::vector<std::string> g_arguments;

constexpr const char* kSyncFooter = R"(
Examples:
  mailferry sync --from mbox:~/export/Inbox.mbox --to imaps://alice@mail.example.com
  mailferry sync --from pst:~/bob.pst --only-role sent --to imaps://bob@mail.example.com
                 (a user's lost Sent items: only those the server lacks)
  mailferry sync --from pop3s://alice@pop.example.com --to imaps://alice@mail.example.com \
                 --from-password-file ~/.pop-pw --to-password-file ~/.imap-pw
  mailferry sync --dry-run jobs.json

Passwords come from --from-password-file/--to-password-file, from
MAILFERRY_FROM_PASSWORD/MAILFERRY_TO_PASSWORD, or from the job file; never from
the command line. Exit codes: 0 all done, 1 some messages failed, 2 usage or job
file error, 3 connection or login failure, 4 source unreadable.
See mailferry(1) and mailferry-job(5).)";

constexpr const char* kCheckFooter = R"(
Prints a line per folder and per message that is not on the server:
  =  present          +  missing on the server
  *  present, but lacking flags the source has          !  error
Example:
  mailferry check --from mbox:~/export/Inbox.mbox --to imaps://alice@mail.example.com
Exit codes: 0 every message is there, 1 something is missing or failed, 2-4 as
for sync. See mailferry(1).)";

constexpr const char* kStatusFooter = R"(
Reads the batch (to know every mailbox it holds) and the reports its shards
wrote with --report (files, or folders of them); a mailbox in several reports
takes its latest entry. Prints how many mailboxes are complete, failed (by
reason), running elsewhere or not started, and what was moved.
Examples:
  mailferry status --accounts accounts.csv /srv/mailferry/reports/
  mailferry status --json batch.json shard-0.json shard-1.json
Exit codes: 0 every mailbox of the batch is complete, 1 some are not, 2 usage
error (unreadable batch or report). See mailferry(1).)";

constexpr const char* kListFooter = R"(
Examples:
  mailferry list pst:~/outlook.pst
  mailferry list "mbox:~/.thunderbird/x.default/Mail/Local Folders" --to imaps://alice@mail.example.com
  mailferry list imaps://alice@mail.example.com --password-file ~/.imap-pw)";

void add_folder_rule_options(CLI::App& verb, FolderRuleFlags& f) {
  verb.add_option(
          "--map", f.maps,
          "put source folder SOURCE (and what is below it) into TARGET: a folder, INBOX, or "
          "a role like \\Sent (repeatable)")
      ->type_name("SOURCE=TARGET")
      ->allow_extra_args(false)
      ->group(kSelection);
  verb.add_option("--include", f.includes,
                  "only the source folders matching this pattern (* within a level, ** across "
                  "levels; repeatable)")
      ->type_name("GLOB")
      ->allow_extra_args(false)
      ->group(kSelection);
  verb.add_option("--exclude", f.excludes,
                  "leave out the source folders matching this pattern (repeatable)")
      ->type_name("GLOB")
      ->allow_extra_args(false)
      ->group(kSelection);
  verb.add_option("--prefix", f.prefix, "put the whole import below this target folder")
      ->type_name("FOLDER")
      ->group(kSelection);
  verb.add_flag("--merge", f.merge, "allow several source folders to go into one target folder")
      ->group(kSelection);
  verb.add_option("--gmail-labels", f.gmail_labels,
                  "Gmail Takeout: each label a folder (each, the default), only the first label "
                  "(first), or none (ignore)")
      ->type_name("MODE")
      ->check(one_of({"each", "first", "ignore"}))
      ->group(kSelection);
}

void add_endpoint_options(CLI::App& verb, CommonOptions& o) {
  verb.add_option("job_file", o.job_file,
                  "JSON job file with one or many jobs (see mailferry-job(5)); "
                  "instead of --from and --to")
      ->type_name("JOBFILE");
  verb.add_option("--accounts", o.accounts,
                  "CSV account list, one mailbox per line, columns named by job-file keys "
                  "(name, from.url, to.url, to.password_file, ...); a job file given too "
                  "lends its defaults")
      ->type_name("FILE")
      ->group(kBatch);
  verb.add_option("--from", o.from,
                  "source: mbox:PATH (file or folder tree), pst:PATH, eml:PATH, "
                  "maildir:PATH (a Maildir or a tree of them), "
                  "pop3s://USER@HOST[:PORT] or pop3://USER@HOST[:PORT] (STLS)")
      ->type_name("URL")
      ->group(kEndpoints);
  verb.add_option("--to", o.to,
                  "target: imaps://USER@HOST[:PORT] or imap://USER@HOST[:PORT] (STARTTLS)")
      ->type_name("URL")
      ->group(kEndpoints);
  verb.add_option("--from-password-file", o.from_password_file,
                  "file whose first line is the source password (else $MAILFERRY_FROM_PASSWORD)")
      ->type_name("FILE")
      ->group(kEndpoints);
  verb.add_option("--to-password-file", o.to_password_file,
                  "file whose first line is the target password (else $MAILFERRY_TO_PASSWORD)")
      ->type_name("FILE")
      ->group(kEndpoints);
  for (auto [side, auth, command] :
       {std::tuple{std::string("from"), &o.from_auth, &o.from_token_command},
        std::tuple{std::string("to"), &o.to_auth, &o.to_token_command}}) {
    verb.add_option("--" + side + "-auth", *auth,
                    "how the " + std::string(side == "to" ? "target" : "source") +
                        " login is made: password (default), or OAuth2 with xoauth2 or oauthbearer")
        ->type_name("MECH")
        ->check(one_of({"password", "xoauth2", "oauthbearer"}))
        ->group(kEndpoints);
    verb.add_option("--" + side + "-token-command", *command,
                    "OAuth2: shell command that prints an access token, run for every connection "
                    "(implies --" +
                        side + "-auth xoauth2)")
        ->type_name("CMD")
        ->group(kEndpoints);
  }
  verb.add_option("--ca-file", o.ca_file,
                  "PEM CA certificate to trust besides the system store (self-signed servers)")
      ->type_name("FILE")
      ->group(kEndpoints);
  verb.add_flag("--insecure-plaintext", o.insecure_plaintext,
                "allow imap:// and pop3:// without any TLS when the server offers no STARTTLS")
      ->group(kEndpoints);
  verb.add_flag("--ignore-pst-password", o.ignore_pst_password,
                "pst: open a file Outlook guards with a password without it (the password "
                "encrypts nothing; see the man page)")
      ->group(kEndpoints);
  verb.add_flag("--include-virtual-folders", o.include_virtual_folders,
                "an IMAP source: also copy Gmail's All Mail, Starred and Important (left out: "
                "each would copy mail of other folders again)")
      ->group(kEndpoints);
  verb.add_flag("--allow-empty", o.allow_empty,
                "a file source (mbox:, pst:, eml:) without any message is a success (without "
                "it: a warning and exit status 4)")
      ->group(kSelection);

  verb.add_option("--to-folder", o.to_folder,
                  "target folder for a one-folder source (mbox file, eml:, POP3); default INBOX")
      ->type_name("FOLDER")
      ->group(kSelection);
  verb.add_option("--only-role", o.only_role,
                  "only the source folders of this role: inbox, sent, drafts, trash, junk, "
                  "archive, outbox")
      ->type_name("ROLE")
      ->group(kSelection);
  verb.add_option("--mbox-format", o.mbox_format,
                  "mbox variant: auto (default), mboxo, mboxrd, mboxcl, mboxcl2")
      ->type_name("FORMAT")
      ->group(kSelection);
  verb.add_option("--maildir-layout", o.maildir_layout,
                  "sub-folders of a maildir: source: auto (default), maildir++ (.Sent, "
                  ".Archive.2019) or fs (Sent/, Archive/2019/)")
      ->type_name("LAYOUT")
      ->check(one_of({"auto", "maildir++", "fs"}))
      ->group(kSelection);
  add_folder_rule_options(verb, o.folder_rules);
  verb.add_option("--state", o.state_path,
                  "state file of the job (default: $XDG_STATE_HOME/mailferry/NAME-HASH.db)")
      ->type_name("FILE")
      ->group(kSelection);

  verb.add_option("--report", o.report_path,
                  "write a JSON report of the run to FILE ({date} and {time} in it, or a "
                  "directory: one file per run)")
      ->type_name("FILE")
      ->group(kOutput);
  verb.add_flag("-v,--verbose", o.verbose, "also print a line per message")->group(kOutput);
  verb.add_flag("-q,--quiet", o.quiet,
                "for cron: print nothing when a job succeeds; only warnings, errors and the "
                "verdict of a job that did not")
      ->group(kOutput);
  verb.add_option("--log-format", o.log_format,
                  "text (default), or json: one JSON object per event on stderr, for log "
                  "collectors; nothing on stdout")
      ->type_name("FORMAT")
      ->check(one_of({"text", "json"}))
      ->group(kOutput);

  verb.add_option("--parallel", o.parallel,
                  "run up to N jobs of the job file at the same time, each in its own process "
                  "(default 1)")
      ->type_name("N")
      ->check(CLI::Range(1u, 1024u))
      ->group(kBatch);
  verb.add_option("--shard", o.shard,
                  "run only the jobs of shard K of M (0 <= K < M), chosen by a hash of the job "
                  "name: M machines with K = 0 .. M-1 run each job exactly once")
      ->type_name("K/M")
      ->group(kBatch);
  verb.add_option("--job", o.job_names,
                  "run only the job of the job file with this name (repeatable)")
      ->type_name("NAME")
      ->allow_extra_args(false)
      ->group(kBatch);
  // A batch's worker processes (batch.hpp).
  verb.add_option(kWorkerJobOption, o.worker_dir)->group("");
}

// The verbs and long options the command line knows, for "did you mean".
CommandNames command_names(const CLI::App& app) {
  auto long_names = [](const CLI::App& a) {
    std::vector<std::string> names;
    for (const CLI::Option* o : a.get_options()) {
      if (o->get_group().empty()) continue;  // hidden: never suggested
      for (const auto& name : o->get_lnames()) names.push_back("--" + name);
    }
    return names;
  };
  CommandNames names;
  names.options[""] = long_names(app);
  for (const CLI::App* verb : app.get_subcommands([](const CLI::App*) { return true; })) {
    names.verbs.push_back(verb->get_name());
    names.options[verb->get_name()] = long_names(*verb);
  }
  return names;
}

std::string self_executable() {
  std::error_code error;
  auto path = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error)
    throw core::UsageError("--parallel: cannot find this program's own file: " + error.message());
  return path.string();
}

// Runs the jobs in worker processes (batch.hpp); their reports in job order.
std::vector<sync::JobReport> run_batch(const CommonOptions& o, sync::Mode mode,
                                       const std::vector<job::Job>& jobs, RunEvents& events) {
  std::string scratch =
      (std::filesystem::temp_directory_path() / "mailferry-batch.XXXXXX").string();
  if (::mkdtemp(scratch.data()) == nullptr)
    throw core::UsageError("--parallel: cannot make a temporary directory under " +
                           std::filesystem::temp_directory_path().string());
  WorkerCommand command;
  command.argv_prefix.push_back(self_executable());
  command.argv_prefix.insert(command.argv_prefix.end(), g_arguments.begin(), g_arguments.end());
  command.scratch_dir = scratch;
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    }
  } cleanup{scratch};
  return run_in_workers(jobs, mode, command, o.parallel, events);
}

int finish(const sync::RunReport& run, const std::vector<job::Job>& jobs) {
  // One report file per distinct path; a batch usually shares one.
  std::vector<std::string> written;
  for (const auto& j : jobs) {
    if (j.report_path.empty() ||
        std::find(written.begin(), written.end(), j.report_path) != written.end())
      continue;
    sync::RunReport subset;
    subset.dry_run = run.dry_run;
    for (size_t i = 0; i < jobs.size(); ++i)
      if (jobs[i].report_path == j.report_path) subset.jobs.push_back(run.jobs[i]);
    cli::write_report(subset, j.report_path);
    written.push_back(j.report_path);
  }
  return run.exit_code();
}

// The run's output: text for people, or JSON events; log lines go the same way.
class RunOutput {
 public:
  RunOutput(const CommonOptions& o, sync::Mode mode)
      : console_(stdout, stderr, o.log_format == "text" && is_ansi_terminal(2)) {
    if (o.log_format == "json") {
      events_ = std::make_unique<JsonLog>(
          [](std::string_view line) {
            std::fwrite(line.data(), 1, line.size(), stderr);
            std::fputc('\n', stderr);
            std::fflush(stderr);
          },
          mode, o.verbose);
    } else {
      OutputSettings settings{mode, o.verbose, o.quiet, o.missing_only, false};
      text_ = std::make_unique<TerminalOutput>(console_, settings);
    }
    core::set_log_sink(
        [this](core::LogLevel level, std::string_view text) { events().log(level, text); });
  }
  ~RunOutput() {
    core::set_log_sink({});
    if (text_) text_->finish();
  }
  RunEvents& events() { return text_ ? static_cast<RunEvents&>(*text_) : *events_; }
  void several_jobs(bool several) {
    if (text_) text_->set_several_jobs(several);
  }

 private:
  Console console_;
  std::unique_ptr<TerminalOutput> text_;
  std::unique_ptr<RunEvents> events_;
};

int run_jobs(const CommonOptions& o, sync::Mode mode) {
  RunOutput output(o, mode);
  std::vector<job::Job> jobs;
  try {
    jobs = jobs_from_options(o);
  } catch (const core::Error& e) {
    core::log_error(e.what());  // through the run's output: a JSON event with --log-format json
    return e.exit_code();
  }
  if (!o.worker_dir.empty()) {
    serve_jobs(jobs, mode, o.worker_dir, output.events(), std::cin, stdout);
    return core::kExitComplete;  // each job's outcome is in its report
  }
  if (jobs.empty()) {
    core::log_warn("--shard " + o.shard + ": no job of " +
                   (o.job_file.empty() ? o.accounts : o.job_file) + " is in this shard");
    // A report still says that the shard ran, for whoever collects them.
    if (!o.report_path.empty()) cli::write_report(sync::RunReport{}, o.report_path);
    return core::kExitComplete;
  }
  output.several_jobs(jobs.size() > 1);
  sync::RunReport run;
  run.dry_run = mode == sync::Mode::Check;
  for (const auto& j : jobs) run.dry_run = run.dry_run || j.dry_run;
  if (o.parallel > 1 && jobs.size() > 1) {
    try {
      run.jobs = run_batch(o, mode, jobs, output.events());
    } catch (const core::Error& e) {
      core::log_error(e.what());
      return e.exit_code();
    }
    return finish(run, jobs);
  }
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const auto& j = jobs[i];
    output.events().job_started(
        i, {j.name, j.from.endpoint.to_string(), j.to.endpoint.to_string(), j.dry_run});
    JobEventAdapter adapter(output.events(), i);
    auto report = app::run_job(j, mode, &adapter);
    output.events().job_finished(i, report);
    run.jobs.push_back(std::move(report));
  }
  return finish(run, jobs);
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{
      "mailferry moves mail from mbox files, PST files, .eml files and POP3 mailboxes "
      "into IMAP accounts, and keeps it there: a second run uploads only what is new."};
  app.name("mailferry");
  app.set_version_flag("--version", std::string("mailferry ") + MAILFERRY_VERSION);
  app.require_subcommand(1);
  app.formatter(std::make_shared<HelpFormatter>());
  app.footer("Run 'mailferry VERB --help' for the options of a verb; see mailferry(1).");

  CommonOptions sync_options, check_options;
  auto* sync = app.add_subcommand("sync", "upload what the target lacks and add missing flags");
  add_endpoint_options(*sync, sync_options);
  sync->add_flag("-n,--dry-run", sync_options.dry_run,
                 "show what would be uploaded and created; change nothing")
      ->group(kOutput);
  sync->add_flag("--unread", sync_options.unread,
                 "POP3 and eml: migrated mail arrives unread (default: read)")
      ->group("POP3");
  sync->add_flag("--delete-after-copy", sync_options.delete_after_copy,
                 "POP3: delete the messages confirmed on the IMAP server")
      ->group("POP3");
  sync->add_option("--keep-days", sync_options.keep_days,
                   "with --delete-after-copy: keep the last N days on the POP3 server")
      ->type_name("N")
      ->check(CLI::Validator(
          [](std::string& text) {
            return !text.empty() && text.find_first_not_of("0123456789") == std::string::npos
                       ? std::string()
                       : "must be a whole number of days, 0 or more";
          },
          ""))
      ->group("POP3");
  sync->add_option("--max-bytes-per-second", sync_options.max_bytes_per_second,
                   "upload at most this many bytes per second per job: 500000, 512K, 2M (Gmail "
                   "takes about 500 MB a day)")
      ->type_name("SIZE")
      ->group("Throttling");
  sync->add_option("--max-messages-per-second", sync_options.max_messages_per_second,
                   "upload at most this many messages per second per job (0.5: one every 2 s)")
      ->type_name("N")
      ->check(CLI::Validator(CLI::NonNegativeNumber).description(""))
      ->group("Throttling");
  sync->add_option("--connections", sync_options.connections,
                   "connections per job for independent target folders, 1 to 16 (default 4, "
                   "1 from an IMAP source; 1 for servers that allow one session per user)")
      ->type_name("N")
      ->check(CLI::Range(1, 16).description(""))
      ->group("Throttling");
  sync->footer(kSyncFooter);

  auto* check = app.add_subcommand(
      "check", "compare source and target; exit 0 only if every source message is there");
  add_endpoint_options(*check, check_options);
  check
      ->add_flag("--missing-only", check_options.missing_only,
                 "print only the missing messages ('+' lines)")
      ->group(kOutput);
  check->footer(kCheckFooter);

  ListOptions list_options;
  auto* list = app.add_subcommand(
      "list",
      "list the folders of a source or target (roles, counts), or with --to the folder plan");
  list->add_option(
          "endpoint", list_options.endpoint,
          "mbox:PATH, pst:PATH, eml:PATH, maildir:PATH, pop3[s]://USER@HOST or imap[s]://USER@HOST")
      ->type_name("URL")
      ->required();
  list->add_option("--to", list_options.to,
                   "show where each source folder would go on this IMAP target")
      ->type_name("URL");
  list->add_option("--ca-file", list_options.ca_file,
                   "PEM CA certificate to trust besides the system store")
      ->type_name("FILE");
  list->add_option("--password-file", list_options.password_file,
                   "password of ENDPOINT (else $MAILFERRY_FROM_PASSWORD, or for an IMAP "
                   "endpoint $MAILFERRY_TO_PASSWORD)")
      ->type_name("FILE");
  list->add_option("--to-password-file", list_options.to_password_file,
                   "password of --to (else $MAILFERRY_TO_PASSWORD)")
      ->type_name("FILE");
  list->add_option("--auth", list_options.auth,
                   "login of ENDPOINT: password (default), xoauth2 or oauthbearer")
      ->type_name("MECH")
      ->check(one_of({"password", "xoauth2", "oauthbearer"}));
  list->add_option("--token-command", list_options.token_command,
                   "OAuth2: shell command printing an access token for ENDPOINT")
      ->type_name("CMD");
  list->add_option("--to-auth", list_options.to_auth,
                   "login of --to: password (default), xoauth2 or oauthbearer")
      ->type_name("MECH")
      ->check(one_of({"password", "xoauth2", "oauthbearer"}));
  list->add_option("--to-token-command", list_options.to_token_command,
                   "OAuth2: shell command printing an access token for --to")
      ->type_name("CMD");
  list->add_flag("--insecure-plaintext", list_options.insecure_plaintext,
                 "allow imap:// and pop3:// without any TLS");
  list->add_flag("--ignore-pst-password", list_options.ignore_pst_password,
                 "pst: open a file Outlook guards with a password without it");
  list->add_option("--mbox-format", list_options.mbox_format,
                   "mbox variant: auto (default), mboxo, mboxrd, mboxcl, mboxcl2")
      ->type_name("FORMAT");
  list->add_option("--maildir-layout", list_options.maildir_layout,
                   "sub-folders of a maildir: source: auto (default), maildir++ or fs")
      ->type_name("LAYOUT")
      ->check(one_of({"auto", "maildir++", "fs"}));
  add_folder_rule_options(*list, list_options.folder_rules);
  list->footer(kListFooter);

  StatusOptions status_options;
  auto* status = app.add_subcommand(
      "status", "one view of a batch from its shards' reports: done, failed and why, left");
  status
      ->add_option("--accounts", status_options.accounts,
                   "the batch's CSV account list (else the first argument is its job file)")
      ->type_name("FILE");
  status
      ->add_option("inputs", status_options.inputs,
                   "the job file (unless --accounts), then report files or folders of them")
      ->type_name("[JOBFILE] REPORT...");
  status->add_flag("--json", status_options.json, "print the status as one JSON document");
  status->footer(kStatusFooter);

  g_arguments.assign(argv + 1, argv + argc);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version end the parse too, with exit code 0.
    if (e.get_exit_code() != 0) {
      if (const auto text = diagnose_mistyped(g_arguments, command_names(app)); !text.empty()) {
        core::log_error(text);
        return core::kExitUsage;
      }
    }
    return app.exit(e) == 0 ? core::kExitComplete : core::kExitUsage;
  }

  try {
    for (auto* o : {&sync_options, &check_options})
      if (!o->worker_dir.empty()) o->log_format = "json";  // the parent reads the events
    if (sync->parsed()) {
      // --quiet still shows warnings: they are what a cron mail is for.
      core::set_log_level(sync_options.verbose && !sync_options.quiet ? core::LogLevel::Info
                                                                      : core::LogLevel::Warn);
      return run_jobs(sync_options, sync::Mode::Sync);
    }
    if (check->parsed()) {
      core::set_log_level(core::LogLevel::Warn);
      return run_jobs(check_options, sync::Mode::Check);
    }
    if (status->parsed()) return run_status(status_options);
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
