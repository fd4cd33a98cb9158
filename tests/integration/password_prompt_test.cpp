// The password prompt: the real binary on a pseudo-terminal, with no password
// given any other way, asks for it naming the account, does not echo what is
// typed, and logs in with it; with stdin not a terminal (cron) it never asks
// and stops at once with exit 2.
#include <doctest/doctest.h>
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "support/dovecot_server.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

using namespace mailferry::testing;
using Clock = std::chrono::steady_clock;

namespace {

const char* const kMbox =
    "From alice@example.com Mon Jan  1 00:00:00 2024\n"
    "From: alice@example.com\n"
    "To: bob@example.com\n"
    "Subject: typed at the prompt\n"
    "Message-ID: <prompt-1@example.com>\n"
    "\n"
    "body\n";

// A child on a pseudo-terminal: everything it writes to the terminal is read
// from `master`, and what is written there is what it reads as typed.
class PtyChild {
 public:
  explicit PtyChild(const std::vector<std::string>& args) {
    // Prepared before fork: the child only calls execve.
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string entry = *e;
      if (entry.rfind("MAILFERRY_FROM_PASSWORD=", 0) == 0 ||
          entry.rfind("MAILFERRY_TO_PASSWORD=", 0) == 0)
        continue;
      env_strings.push_back(entry);
    }
    std::vector<char*> argv, envp;
    const std::string binary = mailferry_binary();
    argv.push_back(const_cast<char*>(binary.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);

    pid_ = ::forkpty(&master_, nullptr, nullptr, nullptr);
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::execve(binary.c_str(), argv.data(), envp.data());
      ::_exit(127);
    }
  }
  ~PtyChild() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (master_ >= 0) ::close(master_);
  }

  // Reads terminal output until `text` has appeared (true) or the time is up.
  bool read_until(const std::string& text, std::chrono::seconds limit) {
    const auto deadline = Clock::now() + limit;
    while (output_.find(text) == std::string::npos) {
      if (!read_some(deadline)) return false;
    }
    return true;
  }
  void type(const std::string& text) {
    REQUIRE(::write(master_, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  }
  // Reads until the child has closed the terminal, then its exit status.
  int finish(std::chrono::seconds limit) {
    const auto deadline = Clock::now() + limit;
    while (read_some(deadline)) {
    }
    int status = 0;
    ::waitpid(pid_, &status, 0);
    reaped_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  const std::string& output() const { return output_; }

 private:
  bool read_some(Clock::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{master_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) return false;
    char buffer[4096];
    const ssize_t n = ::read(master_, buffer, sizeof buffer);
    if (n <= 0) return false;  // EIO: the child has closed its side
    output_.append(buffer, static_cast<std::size_t>(n));
    return true;
  }

  pid_t pid_ = -1;
  int master_ = -1;
  bool reaped_ = false;
  std::string output_;
};

std::vector<std::string> sync_without_password(const DovecotServer& server, const TempDir& dir,
                                               const std::string& user) {
  const std::string mbox = dir.write_file("in.mbox", kMbox);
  return {"sync",
          "--from",
          "mbox:" + mbox,
          "--to",
          server.url("imaps", user),
          "--ca-file",
          server.ca_file(),
          "--state",
          dir.file("state.db")};
}

}  // namespace

TEST_CASE("password prompt: at a terminal it asks by account, reads without echo and logs in") {
  DovecotServer server;
  TempDir dir;
  PtyChild child(sync_without_password(server, dir, "prompted"));
  const std::string prompt = "Password for " + server.url("imaps", "prompted") + ": ";
  REQUIRE_MESSAGE(child.read_until(prompt, std::chrono::seconds(60)), child.output());
  child.type(server.password() + "\n");
  const int exit_code = child.finish(std::chrono::seconds(120));
  INFO(child.output());
  CHECK(exit_code == 0);
  CHECK(child.output().find(server.password()) == std::string::npos);  // no echo
  CHECK(server.message_count("prompted", "INBOX") == 1);
}

TEST_CASE("password prompt: with stdin not a terminal nothing is asked and it exits 2 at once") {
  DovecotServer server;
  TempDir dir;
  const auto started = Clock::now();
  const auto result = run_mailferry(sync_without_password(server, dir, "cron"));
  INFO(result.describe());
  CHECK(result.exit_code == 2);
  CHECK(Clock::now() - started < std::chrono::seconds(10));
  CHECK(result.err.find("no password given") != std::string::npos);
  CHECK(result.out.find("Password for") == std::string::npos);
  CHECK(result.err.find("Password for") == std::string::npos);
}
