// Reading a password when a connection needs it: from a file, an environment
// variable or a command, never from argv. The value is a core::Secret, so it
// cannot be logged by accident; command output is trimmed and never echoed.
#pragma once

#include <string>

#include "mailferry/core/secret.hpp"
#include "mailferry/job/job.hpp"

namespace mailferry::job {

// Resolves `source`; when it is empty, falls back to the environment variable
// `fallback_env` (MAILFERRY_FROM_PASSWORD / MAILFERRY_TO_PASSWORD), and then,
// when `account` is given ("imaps://alice@host:993") and stdin is a terminal,
// asks for it there (job/password_prompt.hpp). `where` ("job 'alice', to") is
// named in errors. Throws core::UsageError when no password can be found or
// the file/command fails.
core::Secret resolve_password(const PasswordSource& source, const std::string& fallback_env,
                              const std::string& where, const std::string& account = "");

// Runs an OAuth2 token_command and returns the access token it printed
// (trailing white space removed). The token is never shown; errors name
// `where` and the exit status only. Throws core::UsageError.
core::Secret resolve_token(const std::string& command, const std::string& where);

}  // namespace mailferry::job
