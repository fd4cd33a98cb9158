#include "support/run_command.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace mailferry::testing {
namespace {

using Clock = std::chrono::steady_clock;

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

struct Pipe {
  Fd read, write;
};

void make_pipe(Pipe& p) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  p.read.reset(fds[0]);
  p.write.reset(fds[1]);
}

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

std::vector<std::string> build_environment(const EnvChanges& changes) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    std::string name = entry.substr(0, entry.find('='));
    if (changes.count(name) == 0) env.push_back(std::move(entry));
  }
  for (const auto& [name, value] : changes)
    if (value) env.push_back(name + "=" + *value);
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> result;
  for (auto& s : strings) result.push_back(s.data());
  result.push_back(nullptr);
  return result;
}

// Reads what is available; returns false at end of file.
bool drain(int fd, std::string& into) {
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) {
      into.append(buffer, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK;
  }
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

std::string CommandResult::describe() const {
  std::string text = timed_out ? "timed out" : "exit " + std::to_string(exit_code);
  if (!err.empty()) text += ", stderr: " + err;
  return text;
}

CommandResult run_command(const std::vector<std::string>& argv, const CommandOptions& options) {
  if (argv.empty()) throw std::invalid_argument("run_command: empty argv");

  Pipe out, err, in;
  make_pipe(out);
  make_pipe(err);
  Fd dev_null;
  if (options.stdin_data) {
    make_pipe(in);
  } else {
    dev_null.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (dev_null.get() < 0) throw std::runtime_error("cannot open /dev/null");
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, options.stdin_data ? in.read.get() : dev_null.get(),
                                   0);
  posix_spawn_file_actions_adddup2(&actions, out.write.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, err.write.get(), 2);
  if (!options.working_dir.empty())
    posix_spawn_file_actions_addchdir_np(&actions, options.working_dir.c_str());

  // The child starts with default signal handling and an empty mask even when
  // the test process ignores SIGPIPE (as libcurl users do), and in a process
  // group of its own so a timeout can kill everything it started.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults, empty;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  sigemptyset(&empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);

  std::vector<std::string> args = argv;
  std::vector<std::string> env = build_environment(options.env);
  auto c_args = c_strings(args);
  auto c_env = c_strings(env);

  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, argv[0].c_str(), &actions, &attr, c_args.data(), c_env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));

  out.write.reset();
  err.write.reset();
  in.read.reset();
  set_nonblocking(out.read.get());
  set_nonblocking(err.read.get());

  CommandResult result;
  const std::string stdin_bytes = options.stdin_data.value_or("");
  size_t stdin_written = 0;
  if (options.stdin_data) {
    set_nonblocking(in.write.get());
    if (stdin_bytes.empty()) in.write.reset();
  }

  const auto deadline = Clock::now() + options.timeout;
  bool out_open = true, err_open = true;
  int status = 0;
  bool exited = false;
  while (!exited) {
    std::vector<pollfd> fds;
    if (out_open) fds.push_back({out.read.get(), POLLIN, 0});
    if (err_open) fds.push_back({err.read.get(), POLLIN, 0});
    if (in.write.get() >= 0) fds.push_back({in.write.get(), POLLOUT, 0});
    // Short waits: the child may exit while a daemon it started keeps the
    // pipes open, so exit is checked on every round, not only at EOF.
    ::poll(fds.data(), fds.size(), 20);

    if (out_open) out_open = drain(out.read.get(), result.out);
    if (err_open) err_open = drain(err.read.get(), result.err);
    if (in.write.get() >= 0) {
      ssize_t n = ::write(in.write.get(), stdin_bytes.data() + stdin_written,
                          stdin_bytes.size() - stdin_written);
      if (n > 0) stdin_written += static_cast<size_t>(n);
      if ((n < 0 && errno != EAGAIN && errno != EINTR) || stdin_written == stdin_bytes.size())
        in.write.reset();  // done, or the child stopped reading (EPIPE)
    }

    pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) {
      exited = true;
    } else if (Clock::now() >= deadline) {
      result.timed_out = true;
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      exited = true;
    }
  }
  // What the child wrote before it exited is still in the pipes.
  if (out_open) drain(out.read.get(), result.out);
  if (err_open) drain(err.read.get(), result.err);
  result.exit_code = decode_status(status);
  return result;
}

std::string mailferry_binary() {
#ifdef MAILFERRY_BINARY
  return MAILFERRY_BINARY;
#else
  return "mailferry";
#endif
}

CommandResult run_mailferry(const std::vector<std::string>& args, const EnvChanges& env,
                            std::chrono::milliseconds timeout) {
  std::vector<std::string> argv{mailferry_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandOptions options;
  options.env = {{"MAILFERRY_FROM_PASSWORD", std::nullopt},
                 {"MAILFERRY_TO_PASSWORD", std::nullopt}};
  for (const auto& [name, value] : env) options.env[name] = value;
  options.timeout = timeout;
  return run_command(argv, options);
}

}  // namespace mailferry::testing
