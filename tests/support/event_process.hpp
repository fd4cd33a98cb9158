// A mailferry process whose JSON events (--log-format json, on stderr) a test
// reads as they come, to act at a chosen moment: kill a shard while it
// uploads, start a second one once the first is under way. stdin and stdout
// are /dev/null; the child has its own process group.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace mailferry::testing {

class EventProcess {
 public:
  // Starts the binary under test with `args`. Throws std::runtime_error.
  explicit EventProcess(const std::vector<std::string>& args);
  // Kills (SIGKILL) and reaps a child that is still running.
  ~EventProcess();
  EventProcess(const EventProcess&) = delete;
  EventProcess& operator=(const EventProcess&) = delete;

  // Reads event lines until `wanted` returns true for one; false at the end
  // of the output or after `timeout`.
  bool read_until(const std::function<bool(const nlohmann::json&)>& wanted,
                  std::chrono::seconds timeout = std::chrono::seconds(120));
  // Reads to the end of the output (events are passed to `seen`, if given),
  // reaps the child and returns its exit status (128+N when killed by N).
  int wait(const std::function<void(const nlohmann::json&)>& seen = {});
  void kill(int signal);
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string pending_;
  bool reaped_ = false;
};

// Processes whose command line holds every one of `texts` (workers a killed
// batch left behind would).
int processes_mentioning(const std::vector<std::string>& texts);

}  // namespace mailferry::testing
