// Minimal leveled logging to stderr. Callers never pass secrets: the Secret
// type cannot be formatted, and protocol traces redact LOGIN/AUTHENTICATE.
#pragma once

#include <functional>
#include <string_view>

namespace mailferry::core {

enum class LogLevel { Quiet = 0, Error = 1, Warn = 2, Info = 3, Debug = 4 };

void set_log_level(LogLevel level);
LogLevel log_level();
void log(LogLevel level, std::string_view message);
// Whatever the level: for what must reach the user even with --quiet (a
// secret others can read).
void log_always(LogLevel level, std::string_view message);

// Where lines that pass the level go instead of "mailferry: ..." on stderr:
// the command line sends them into JSON events or past a progress display.
// Called one line at a time under the log's lock; the sink must not log.
// An empty function restores stderr.
using LogSink = std::function<void(LogLevel level, std::string_view message)>;
void set_log_sink(LogSink sink);

inline void log_error(std::string_view m) { log(LogLevel::Error, m); }
inline void log_warn(std::string_view m) { log(LogLevel::Warn, m); }
inline void log_info(std::string_view m) { log(LogLevel::Info, m); }
inline void log_debug(std::string_view m) { log(LogLevel::Debug, m); }

}  // namespace mailferry::core
