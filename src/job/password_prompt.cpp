#include "mailferry/job/password_prompt.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <string>

#include "mailferry/core/error.hpp"

namespace mailferry::job {
namespace {

volatile std::sig_atomic_t g_caught = 0;

extern "C" void note_signal(int signal) { g_caught = signal; }

// The signals that would otherwise end the process with echo still off. They
// are caught while the prompt waits (read() returns), and raised again once
// the terminal is restored, so they still do what they would have done.
constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP};

class SignalsCaught {
 public:
  SignalsCaught() {
    g_caught = 0;
    struct sigaction catcher {};
    catcher.sa_handler = note_signal;
    sigemptyset(&catcher.sa_mask);
    catcher.sa_flags = 0;  // no SA_RESTART: read() must return
    for (std::size_t i = 0; i < std::size(kSignals); ++i)
      ::sigaction(kSignals[i], &catcher, &saved_[i]);
  }
  ~SignalsCaught() {
    for (std::size_t i = 0; i < std::size(kSignals); ++i)
      ::sigaction(kSignals[i], &saved_[i], nullptr);
  }
  SignalsCaught(const SignalsCaught&) = delete;
  SignalsCaught& operator=(const SignalsCaught&) = delete;

 private:
  struct sigaction saved_[std::size(kSignals)]{};
};

class Terminal {
 public:
  Terminal() {
    fd_ = ::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    in_ = fd_ >= 0 ? fd_ : STDIN_FILENO;
    out_ = fd_ >= 0 ? fd_ : STDERR_FILENO;
  }
  ~Terminal() {
    echo_on();
    if (fd_ >= 0) ::close(fd_);
  }
  Terminal(const Terminal&) = delete;
  Terminal& operator=(const Terminal&) = delete;

  void echo_off() {
    if (::tcgetattr(in_, &saved_) != 0) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHOE | ECHOK | ECHONL);
    quiet.c_lflag |= ICANON;  // a line at a time, with the terminal's own erase keys
    restore_ = ::tcsetattr(in_, TCSAFLUSH, &quiet) == 0;
  }
  void echo_on() {
    if (!restore_) return;
    ::tcsetattr(in_, TCSAFLUSH, &saved_);
    restore_ = false;
    write("\n");  // the Enter the user typed was not echoed
  }
  void write(const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
      const ssize_t n = ::write(out_, text.data() + done, text.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      done += static_cast<std::size_t>(n);
    }
  }
  // One line without its end; false on end of input, an error or a signal.
  bool read_line(std::string& line) {
    for (;;) {
      char c = 0;
      const ssize_t n = ::read(in_, &c, 1);
      if (n < 0 && errno == EINTR && g_caught == 0) continue;
      if (n <= 0) return false;
      if (c == '\n' || c == '\r') return true;
      line.push_back(c);
    }
  }

 private:
  int fd_ = -1, in_ = STDIN_FILENO, out_ = STDERR_FILENO;
  termios saved_{};
  bool restore_ = false;
};

}  // namespace

bool can_prompt_for_password() { return ::isatty(STDIN_FILENO) == 1; }

core::Secret prompt_for_password(const std::string& account) {
  std::string line;
  line.reserve(1024);  // no reallocation leaves copies of a typed password behind
  bool complete = false;
  {
    SignalsCaught signals;
    Terminal terminal;
    terminal.echo_off();
    terminal.write("Password for " + account + ": ");
    complete = terminal.read_line(line);
  }  // the terminal is restored before any signal is raised again
  core::Secret secret(std::move(line));
  if (g_caught != 0) std::raise(g_caught);
  if (!complete || secret.empty()) throw core::UsageError(account + ": no password was typed");
  return secret;
}

}  // namespace mailferry::job
