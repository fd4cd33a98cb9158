#include "mailferry/job/credentials.hpp"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "mailferry/core/error.hpp"
#include "mailferry/job/password_prompt.hpp"

namespace mailferry::job {
namespace {

void trim_line_end(std::string& s) {
  while (!s.empty() &&
         (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t'))
    s.pop_back();
}

core::Secret from_file(const std::string& path, const std::string& where) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw core::UsageError(where + ": cannot read password file " + path);
  std::string line;
  std::getline(in, line);  // the first line only: the file may carry a comment below
  trim_line_end(line);
  if (line.empty()) throw core::UsageError(where + ": password file " + path + " is empty");
  return core::Secret(std::move(line));
}

core::Secret from_env(const std::string& name, const std::string& where) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr || *value == '\0')
    throw core::UsageError(where + ": environment variable " + name + " is not set");
  return core::Secret(value);
}

core::Secret from_command(const std::string& command, const std::string& where,
                          const std::string& key = "password_command") {
  // The command is the user's own (like git's credential helpers): it runs
  // through the shell; its output is the secret and is never shown.
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) throw core::UsageError(where + ": cannot run " + key);
  std::string output;
  char buffer[4096];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
  int status = ::pclose(pipe);
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    core::Secret discard(std::move(output));  // wiped, never printed
    throw core::UsageError(where + ": " + key + " failed (exit status " +
                           std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")");
  }
  trim_line_end(output);
  if (output.empty()) throw core::UsageError(where + ": " + key + " printed nothing");
  return core::Secret(std::move(output));
}

}  // namespace

core::Secret resolve_token(const std::string& command, const std::string& where) {
  return from_command(command, where, "token_command");
}

core::Secret resolve_password(const PasswordSource& source, const std::string& fallback_env,
                              const std::string& where, const std::string& account) {
  if (!source.value.empty()) return source.value;
  if (!source.file.empty()) return from_file(source.file, where);
  if (!source.env.empty()) return from_env(source.env, where);
  if (!source.command.empty()) return from_command(source.command, where);
  const char* value = std::getenv(fallback_env.c_str());
  if (value != nullptr && *value != '\0') return core::Secret(value);
  if (!account.empty() && can_prompt_for_password()) return prompt_for_password(account);
  throw core::UsageError(where +
                         ": no password given; use a password file (--to-password-file / "
                         "--from-password-file), the environment variable " +
                         fallback_env +
                         ", or password_file, password_env or password_command in a job file");
}

}  // namespace mailferry::job
