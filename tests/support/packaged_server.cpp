#include "support/packaged_server.hpp"

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

namespace mailferry::testing {

PackagedServer::PackagedServer(std::string kind) : kind_(std::move(kind)) {
  // Always /tmp, not $TMPDIR: unix socket paths must stay short.
  std::string pattern = "/tmp/mailferry-" + kind_ + ".XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr)
    throw std::runtime_error("mkdtemp: " + std::string(std::strerror(errno)));
  root_ = pattern;
  CommandOptions options;
  options.timeout = std::chrono::seconds(60);
  CommandResult started = run_command({"bash", script("start-" + kind_ + ".sh"), root_}, options);
  if (started.exit_code != 0 || started.timed_out) {
    std::string why = started.describe();
    stop_and_remove();
    throw std::runtime_error("cannot start the test " + kind_ + " server: " + why);
  }
  try {
    auto env = read_env(root_);
    if (auto it = env.find("SERVER_LOG"); it != env.end()) log_file_ = it->second;
  } catch (...) {
    stop_and_remove();
    throw;
  }
}

PackagedServer::~PackagedServer() { stop_and_remove(); }

std::string PackagedServer::script(const std::string& name) const {
  return std::string(MAILFERRY_TEST_DIR) + "/" + kind_ + "/" + name;
}

void PackagedServer::add_user(const std::string& user) const {
  CommandOptions options;
  options.timeout = std::chrono::seconds(30);
  CommandResult r = run_command({"bash", script("add-users.sh"), root_, user}, options);
  if (r.exit_code != 0 || r.timed_out)
    throw std::runtime_error(kind_ + " add-users.sh " + user + ": " + r.describe());
}

std::string PackagedServer::log() const {
  if (log_file_.empty()) return {};
  try {
    return read_file(log_file_);
  } catch (const std::exception& e) {
    return e.what();
  }
}

void PackagedServer::stop_and_remove() noexcept {
  if (root_.empty()) return;
  try {
    CommandOptions options;
    options.timeout = std::chrono::seconds(30);
    run_command({"bash", script("stop-" + kind_ + ".sh"), root_}, options);
  } catch (const std::exception& e) {
    std::cerr << "stopping the test " << kind_ << " server in " << root_ << ": " << e.what()
              << "\n";
  }
  const char* keep = std::getenv("MAILFERRY_KEEP_TEST_SERVER");
  if (keep && std::string_view(keep) == "1") {
    std::cerr << "kept test " << kind_ << " directory " << root_ << "\n";
    return;
  }
  std::error_code ignored;  // leftovers in /tmp are harmless; a destructor must not throw
  std::filesystem::remove_all(root_, ignored);
}

}  // namespace mailferry::testing
