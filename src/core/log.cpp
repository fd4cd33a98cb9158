#include "mailferry/core/log.hpp"

#include <atomic>
#include <cstdio>
#include <mutex>

namespace mailferry::core {
namespace {

std::atomic<LogLevel> g_level{LogLevel::Warn};
std::mutex g_mutex;  // one line at a time when several jobs run in parallel
LogSink g_sink;      // guarded by g_mutex

const char* prefix(LogLevel level) {
  switch (level) {
    case LogLevel::Error:
      return "error: ";
    case LogLevel::Warn:
      return "warning: ";
    default:
      return "";
  }
}

}  // namespace

void set_log_level(LogLevel level) { g_level = level; }
LogLevel log_level() { return g_level; }

void set_log_sink(LogSink sink) {
  std::lock_guard lock(g_mutex);
  g_sink = std::move(sink);
}

void log(LogLevel level, std::string_view message) {
  if (level > g_level || level == LogLevel::Quiet) return;
  log_always(level, message);
}

void log_always(LogLevel level, std::string_view message) {
  std::lock_guard lock(g_mutex);
  if (g_sink) {
    g_sink(level, message);
    return;
  }
  std::fprintf(stderr, "mailferry: %s%.*s\n", prefix(level), static_cast<int>(message.size()),
               message.data());
}

}  // namespace mailferry::core
