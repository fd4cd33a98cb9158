// Turns a job's endpoints into adapters: the one place that knows them all.
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include "mailferry/app/run_job.hpp"
#include "mailferry/core/error.hpp"
#include "mailferry/job/credentials.hpp"
#include "mailferry/maildir/folder_tree.hpp"
#include "mailferry/mbox/variant.hpp"
#include "mailferry/source/eml_source.hpp"
#include "mailferry/source/file_kind.hpp"
#include "mailferry/source/gmail_takeout_source.hpp"
#include "mailferry/source/imap_source.hpp"
#include "mailferry/source/maildir_source.hpp"
#include "mailferry/source/mbox_source.hpp"
#include "mailferry/source/pop3_source.hpp"
#include "mailferry/source/pst_source.hpp"
#include "mailferry/target/imap_target.hpp"

namespace mailferry::app {

std::unique_ptr<source::Source> open_source(const job::Job& job, sync::StateStore* state) {
  return open_source(job, state, state);
}

std::unique_ptr<source::Source> open_source(const job::Job& job, sync::StateStore* state,
                                            source::ScanCache* scans) {
  const auto& ep = job.from.endpoint;
  switch (ep.scheme) {
    case job::Scheme::Mbox: {
      source::require_file_kind("mbox", ep.path);
      source::MboxSourceOptions options;
      options.variant = mbox::parse_variant(job.mbox_format).value_or(mbox::Variant::Auto);
      options.scan_cache = scans;
      // A Gmail Takeout file becomes one folder per label; any other mbox
      // file passes through as it is.
      return source::with_gmail_labels(std::make_unique<source::MboxSource>(ep.path, options),
                                       job.folder_rules.gmail_labels);
    }
    case job::Scheme::Pst: {
      source::require_file_kind("pst", ep.path);
      source::PstSourceOptions options;
      options.password.ignore = job.ignore_pst_password;
      // Asked for only when Outlook guards the file, so a password command
      // runs only then.
      const char* variable = std::getenv("MAILFERRY_FROM_PASSWORD");
      if (!job.from.password.empty() || (variable != nullptr && *variable != '\0'))
        options.password.password = [&job] {
          return job::resolve_password(job.from.password, "MAILFERRY_FROM_PASSWORD",
                                       "job '" + job.name + "', from");
        };
      return std::make_unique<source::PstSource>(ep.path, std::move(options));
    }
    case job::Scheme::Pop3:
    case job::Scheme::Pop3s: {
      source::Pop3SourceOptions options;
      options.connect =
          connect_options(job.from, "MAILFERRY_FROM_PASSWORD", "job '" + job.name + "', from");
      options.mark_seen = job.mark_read;
      options.cache = state;
      options.connector = connector(job.from, "job '" + job.name + "', from");
      return std::make_unique<source::Pop3Source>(std::move(options));
    }
    case job::Scheme::Eml: {
      source::require_file_kind("eml", ep.path);
      source::EmlSourceOptions options;
      options.mark_seen = job.mark_read;
      return std::make_unique<source::EmlSource>(ep.path, options);
    }
    case job::Scheme::Maildir: {
      source::MaildirSourceOptions options;
      options.layout = maildir::parse_layout(job.maildir_layout).value_or(maildir::Layout::Auto);
      options.scan_cache = scans;
      return std::make_unique<source::MaildirSource>(ep.path, options);
    }
    case job::Scheme::Imap:
    case job::Scheme::Imaps: {
      source::ImapSourceOptions options;
      const std::string where = "job '" + job.name + "', from";
      options.connect = connect_options(job.from, "MAILFERRY_FROM_PASSWORD", where);
      options.connector = connector(job.from, where);
      options.include_virtual_folders = job.include_virtual_folders;
      options.scan_cache = scans;
      return std::make_unique<source::ImapSource>(std::move(options));
    }
  }
  throw core::UsageError(job.from.url + ": this kind of source is not supported");
}

std::unique_ptr<target::Target> open_target(const job::Job& job) { return open_imap_target(job); }

std::unique_ptr<target::ImapTarget> open_imap_target(const job::Job& job) {
  const std::string where = "job '" + job.name + "', to";
  return std::make_unique<target::ImapTarget>(
      connect_options(job.to, "MAILFERRY_TO_PASSWORD", where), target::tuning_from_environment(),
      connector(job.to, where));
}

}  // namespace mailferry::app
