#include "support/event_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>

#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

namespace mailferry::testing {

EventProcess::EventProcess(const std::vector<std::string>& args) {
  std::vector<std::string> argv{mailferry_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> raw;
  for (auto& a : argv) raw.push_back(a.data());
  raw.push_back(nullptr);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::setpgid(0, 0);
    int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(fds[1], 2);
    ::execv(raw[0], raw.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  fd_ = fds[0];
}

EventProcess::~EventProcess() {
  if (!reaped_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  if (fd_ >= 0) ::close(fd_);
}

bool EventProcess::read_until(const std::function<bool(const nlohmann::json&)>& wanted,
                              std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    for (auto end = pending_.find('\n'); end != std::string::npos; end = pending_.find('\n')) {
      const std::string line = pending_.substr(0, end);
      pending_.erase(0, end + 1);
      auto event = nlohmann::json::parse(line, nullptr, false);
      if (!event.is_discarded() && wanted(event)) return true;
    }
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 1000) <= 0) continue;
    char buffer[65536];
    const ssize_t n = ::read(fd_, buffer, sizeof buffer);
    if (n <= 0) return false;
    pending_.append(buffer, static_cast<std::size_t>(n));
  }
  return false;
}

int EventProcess::wait(const std::function<void(const nlohmann::json&)>& seen) {
  read_until(
      [&](const nlohmann::json& e) {
        if (seen) seen(e);
        return false;
      },
      std::chrono::seconds(600));
  int status = 0;
  ::waitpid(pid_, &status, 0);
  reaped_ = true;
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

void EventProcess::kill(int signal) { ::kill(pid_, signal); }

int processes_mentioning(const std::vector<std::string>& texts) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline;
    try {
      cmdline = read_file(entry.path() / "cmdline");
    } catch (const std::exception&) {
      continue;
    }
    for (auto& c : cmdline)
      if (c == '\0') c = ' ';
    bool all = true;
    for (const auto& t : texts) all = all && cmdline.find(t) != std::string::npos;
    count += all;
  }
  return count;
}

}  // namespace mailferry::testing
