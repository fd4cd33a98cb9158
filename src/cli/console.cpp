#include "mailferry/cli/console.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace mailferry::cli {

Console::Console(std::FILE* out, std::FILE* err, bool live) : out_(out), err_(err), live_(live) {}

void Console::erase_locked() {
  if (drawn_ == 0) return;
  // The cursor sits at the end of the last status line: clear it, then each
  // line above it, ending at the start of the first.
  std::string erase = "\r\x1b[K";
  for (std::size_t i = 1; i < drawn_; ++i) erase += "\x1b[A\r\x1b[K";
  std::fwrite(erase.data(), 1, erase.size(), err_);
  drawn_ = 0;
}

void Console::draw_locked() {
  if (!live_ || status_.empty()) {
    std::fflush(err_);
    return;
  }
  std::string text;
  for (std::size_t i = 0; i < status_.size(); ++i) {
    if (i > 0) text += '\n';
    text += status_[i];
  }
  std::fwrite(text.data(), 1, text.size(), err_);
  std::fflush(err_);
  drawn_ = status_.size();
}

void Console::write_line_locked(std::FILE* stream, std::string_view line) {
  erase_locked();
  if (stream != err_) std::fflush(err_);  // the erase reaches the screen before the line
  std::fwrite(line.data(), 1, line.size(), stream);
  std::fputc('\n', stream);
  std::fflush(stream);
  draw_locked();
}

void Console::out_line(std::string_view line) {
  std::lock_guard lock(mutex_);
  write_line_locked(out_, line);
}

void Console::err_line(std::string_view line) {
  std::lock_guard lock(mutex_);
  write_line_locked(err_, line);
}

void Console::set_status(const std::vector<std::string>& lines) {
  if (!live_) return;
  std::lock_guard lock(mutex_);
  erase_locked();
  status_ = lines;
  draw_locked();
}

void Console::clear_status() {
  std::lock_guard lock(mutex_);
  erase_locked();
  status_.clear();
  std::fflush(err_);
}

std::size_t Console::width() const {
  struct winsize size {};
  if (::ioctl(::fileno(err_), TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;
}

bool is_ansi_terminal(int fd) {
  if (::isatty(fd) == 0) return false;
  const char* term = std::getenv("TERM");
  return term != nullptr && *term != '\0' && std::strcmp(term, "dumb") != 0;
}

}  // namespace mailferry::cli
