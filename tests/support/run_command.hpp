// Running programs from tests without a shell: the real mailferry binary for
// end-to-end tests, and helpers such as doveadm and openssl.
//
// The child gets its own process group, stdin from /dev/null (or from the
// given bytes), default signal dispositions, and the parent's environment
// with the given changes. stdout and stderr are captured separately. When
// the timeout passes, the whole process group is killed and timed_out is set.
// Blocks until the child has exited; never throws for a failing child (only
// when the program cannot be started at all: std::runtime_error).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mailferry::testing {

struct CommandResult {
  int exit_code = -1;  // the exit status; 128+N when killed by signal N
  std::string out;     // everything written to stdout
  std::string err;     // everything written to stderr
  bool timed_out = false;
  // "exit 2, stderr: ..." for doctest messages.
  std::string describe() const;
};

// Changes to the inherited environment: a value sets the variable,
// std::nullopt removes it.
using EnvChanges = std::map<std::string, std::optional<std::string>>;

struct CommandOptions {
  EnvChanges env;
  std::chrono::milliseconds timeout = std::chrono::seconds(120);
  std::optional<std::string> stdin_data;  // default: /dev/null
  std::string working_dir;                // default: the current directory
};

// argv[0] is looked up in PATH when it holds no '/'.
CommandResult run_command(const std::vector<std::string>& argv, const CommandOptions& options = {});

// Runs the mailferry binary built with the tests (MAILFERRY_BINARY) with args.
// MAILFERRY_FROM_PASSWORD and MAILFERRY_TO_PASSWORD are removed from the
// environment unless env sets them, so a developer's shell cannot leak into
// a test.
CommandResult run_mailferry(const std::vector<std::string>& args, const EnvChanges& env = {},
                            std::chrono::milliseconds timeout = std::chrono::seconds(300));

// Path of the mailferry binary under test.
std::string mailferry_binary();

}  // namespace mailferry::testing
