// The composition root: turns a validated Job into a Source and a Target and
// runs the executor between them. The only place that knows every adapter.
#pragma once

#include <functional>
#include <memory>

#include "mailferry/job/job.hpp"
#include "mailferry/net/connection.hpp"
#include "mailferry/source/source.hpp"
#include "mailferry/sync/executor.hpp"
#include "mailferry/sync/report.hpp"
#include "mailferry/sync/state_store.hpp"
#include "mailferry/target/imap_target.hpp"
#include "mailferry/target/target.hpp"

namespace mailferry::app {

// Opens the job's source (mbox:, pst:, eml:, pop3://, pop3s://). `state`
// (optional, not owned) caches what is costly to learn again (POP3 headers).
// Throws core::SourceError, core::ConnectionError or core::UsageError.
std::unique_ptr<source::Source> open_source(const job::Job& job, sync::StateStore* state = nullptr);
// The same, with the scans of file and IMAP sources kept in `scans` instead
// of `state` (a read-only view for the dry run and check).
std::unique_ptr<source::Source> open_source(const job::Job& job, sync::StateStore* state,
                                            source::ScanCache* scans);
// The job's state file: its "state" key, else
// $XDG_STATE_HOME (or ~/.local/state)/mailferry/<job name>-<hash of from and to>.db.
// Empty when there is no home directory to put it in.
std::string state_path(const job::Job& job);
// Connects and logs in to the job's IMAP target. Throws core::ConnectionError.
std::unique_ptr<target::Target> open_target(const job::Job& job);
// The same, as the IMAP target it is (for what only IMAP can tell).
std::unique_ptr<target::ImapTarget> open_imap_target(const job::Job& job);
// Connection settings for a network endpoint, with the password resolved.
net::ConnectOptions connect_options(const job::EndpointConfig& endpoint,
                                    const std::string& password_env_fallback,
                                    const std::string& where);
// How connections to an endpoint are opened: for OAuth2 a function that runs
// the token_command for every connection (the first and each reconnect) and
// puts the token into the options; empty for password logins.
std::function<std::unique_ptr<net::Connection>(const net::ConnectOptions&)> connector(
    const job::EndpointConfig& endpoint, const std::string& where);
// Whether the source is one folder by nature (an mbox file, a POP3 mailbox).
bool is_single_folder_source(const job::Job& job);

// Runs one job end to end; every failure is in the report, never thrown.
sync::JobReport run_job(const job::Job& job, sync::Mode mode, sync::Observer* observer);

}  // namespace mailferry::app
