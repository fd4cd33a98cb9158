// Where text output goes: lines to stdout and stderr, and, on a terminal, a
// status area at the bottom of stderr that is redrawn in place (carriage
// return and ANSI erase-line), never scrolled. Any other line first erases the
// status area, is written, and the area is drawn again below it.
//
// Thread-safe: every call takes the console's lock, so lines of parallel
// jobs never interleave mid-line.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace mailferry::cli {

class Console {
 public:
  // `live`: stderr is a terminal that shows the status area. Not owned.
  Console(std::FILE* out, std::FILE* err, bool live);

  void out_line(std::string_view line);
  void err_line(std::string_view line);
  // Replaces the status area (no-op unless live).
  void set_status(const std::vector<std::string>& lines);
  // Erases the status area for good (at the end of the run).
  void clear_status();

  bool live() const { return live_; }
  // Columns of the terminal behind stderr (80 when unknown).
  std::size_t width() const;

 private:
  void erase_locked();
  void draw_locked();
  void write_line_locked(std::FILE* stream, std::string_view line);

  std::FILE* out_;
  std::FILE* err_;
  bool live_;
  std::mutex mutex_;
  std::vector<std::string> status_;
  std::size_t drawn_ = 0;  // lines of the status area now on the screen
};

// Whether the file descriptor is a terminal that understands ANSI erase-line
// (isatty, and TERM is set and not "dumb").
bool is_ansi_terminal(int fd);

}  // namespace mailferry::cli
