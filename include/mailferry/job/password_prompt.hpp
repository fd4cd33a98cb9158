// Asking a person for a password at the terminal, as imapsync and mbsync do,
// when a run started by hand names none. Never under cron or in a pipeline:
// only when stdin is a terminal, so an unattended run still stops at once
// with a usage error (exit 2).
#pragma once

#include <string>

#include "mailferry/core/secret.hpp"

namespace mailferry::job {

// Whether a password may be asked for: stdin is a terminal.
bool can_prompt_for_password();

// Writes "Password for ACCOUNT: " to the terminal (/dev/tty, else stderr) and
// reads one line with echo off; the terminal's settings come back afterwards,
// also when a signal (Ctrl-C) ends the prompt. `account` is a URL without
// secrets ("imaps://alice@mail.example.com:993"). Throws core::UsageError
// when nothing (or an empty line) was read.
core::Secret prompt_for_password(const std::string& account);

}  // namespace mailferry::job
