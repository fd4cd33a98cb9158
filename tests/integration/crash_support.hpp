// Shared by the crash tests (crash_stop_test.cpp, crash_kill_test.cpp): what an
// account holds, compared as folder -> messages (SHA-256 of the exact bytes
// and flags, as an independent IMAP client sees them), corpus excerpts, and
// running many independent scenarios in parallel (each with its own users
// and state file on one Dovecot; the processes mostly wait on the network).
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/dovecot_server.hpp"
#include "support/imap_snapshot.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

namespace mailferry::testing::crash {

// Folder -> sorted "sha256 flags" of its messages.
using Shape = std::map<std::string, std::vector<std::string>>;

inline Shape shape_of(const std::map<std::string, std::vector<ServerMessage>>& snapshot) {
  Shape shape;
  for (const auto& [folder, messages] : snapshot) {
    auto& list = shape[folder];
    for (const auto& m : messages) {
      std::string line = m.sha256;
      for (const auto& f : m.flags)
        if (f != "\\Recent") line += " " + f;
      list.push_back(std::move(line));
    }
    std::sort(list.begin(), list.end());
  }
  return shape;
}

inline Shape account_shape(const DovecotServer& server, const std::string& user) {
  return shape_of(imap_snapshot(server, user));
}

// The SHA-256 values of a folder's messages, one per copy.
inline std::multiset<std::string> shas(const std::vector<ServerMessage>& messages) {
  std::multiset<std::string> out;
  for (const auto& m : messages) out.insert(m.sha256);
  return out;
}

// What differs between two shapes, for a failure message ("" when equal).
inline std::string difference(const Shape& expected, const Shape& actual) {
  std::ostringstream out;
  std::set<std::string> folders;
  for (const auto& [f, _] : expected) folders.insert(f);
  for (const auto& [f, _] : actual) folders.insert(f);
  for (const auto& folder : folders) {
    auto e = expected.count(folder) ? expected.at(folder) : std::vector<std::string>{};
    auto a = actual.count(folder) ? actual.at(folder) : std::vector<std::string>{};
    if (e == a) continue;
    std::vector<std::string> missing, extra;
    std::set_difference(e.begin(), e.end(), a.begin(), a.end(), std::back_inserter(missing));
    std::set_difference(a.begin(), a.end(), e.begin(), e.end(), std::back_inserter(extra));
    out << "folder '" << folder << "': " << e.size() << " expected, " << a.size() << " found";
    if (!missing.empty()) out << ", missing " << missing.size() << " (first: " << missing[0] << ")";
    if (!extra.empty()) out << ", extra " << extra.size() << " (first: " << extra[0] << ")";
    out << "; ";
  }
  return out.str();
}

// Messages that are in some folder more than once ("" when none).
inline std::string duplicates(const Shape& shape) {
  std::ostringstream out;
  for (const auto& [folder, list] : shape) {
    std::set<std::string> seen;
    for (const auto& line : list) {
      const std::string sha = line.substr(0, line.find(' '));
      if (!seen.insert(sha).second) out << "folder '" << folder << "' holds " << sha << " twice; ";
    }
  }
  return out.str();
}

// The first `count` messages of an mbox file (cut before the next From_ line),
// written to `dest`.
inline std::string mbox_excerpt(const std::string& source, std::size_t count, const TempDir& dir,
                                const std::string& name) {
  const std::string bytes = read_file(source);
  std::size_t pos = 0;
  for (std::size_t seen = 0; seen < count; ++seen) {
    pos = bytes.find("\nFrom ", pos + 1);
    if (pos == std::string::npos) break;
  }
  return dir.write_file(name, pos == std::string::npos ? bytes : bytes.substr(0, pos + 1));
}

// Calls fn(i) for i in [0, count) on `threads` threads; fn must not use
// doctest's macros (they are not thread-safe): it returns its findings.
template <typename Result>
std::vector<Result> parallel_map(std::size_t count, unsigned threads,
                                 const std::function<Result(std::size_t)>& fn) {
  std::vector<Result> out(count);
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      for (std::size_t i = next++; i < count; i = next++) out[i] = fn(i);
    });
  for (auto& thread : pool) thread.join();
  return out;
}

// Starts `mailferry ARGS` (output to /dev/null) and sends it SIGKILL as soon
// as `kill_now()` says so (asked every 2 ms) or `limit` has passed, unless it
// has ended by then; returns the wait status.
inline int run_and_kill(const std::vector<std::string>& args, const std::function<bool()>& kill_now,
                        std::chrono::milliseconds limit) {
  std::vector<std::string> argv{mailferry_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    std::vector<char*> c_args;
    for (auto& a : argv) c_args.push_back(a.data());
    c_args.push_back(nullptr);
    int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(null, 2);
    ::unsetenv("MAILFERRY_FROM_PASSWORD");
    ::unsetenv("MAILFERRY_TO_PASSWORD");
    ::execv(c_args[0], c_args.data());
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline && !kill_now()) {
    if (::waitpid(pid, &status, WNOHANG) == pid) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return status;
}

inline int run_and_kill(const std::vector<std::string>& args, std::chrono::milliseconds delay) {
  return run_and_kill(
      args, [] { return false; }, delay);
}

// Messages stored in a folder of the test Dovecot right now, counted as its
// files (sdbox: one file per message), cheaply enough to poll while a run
// uploads.
inline std::size_t stored_messages(const DovecotServer& server, const std::string& user,
                                   const std::string& folder = "INBOX") {
  std::error_code ignored;
  std::size_t n = 0;
  const auto dir =
      std::filesystem::path(server.root()) / "mail" / user / "mailboxes" / folder / "dbox-Mails";
  for (std::filesystem::directory_iterator it(dir, ignored), end; it != end; it.increment(ignored))
    n += it->path().filename().string().rfind("u.", 0) == 0;
  return n;
}

}  // namespace mailferry::testing::crash
