// The command-line front end: verbs sync, check and list (CLI11), exit codes,
// and what a person at a terminal or a cron job sees.
#pragma once

namespace mailferry::cli {

// Runs the command line; returns the process exit code (core::ExitCode).
int run(int argc, char** argv);

}  // namespace mailferry::cli
