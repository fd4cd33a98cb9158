// One process at a time per job: a lock file beside the job's state
// ("STATE.db.lock"), held with flock(2) for as long as the job runs.
//
// Why flock on a file rather than a PID file: the kernel drops the lock when
// the process ends in any way, kill -9 and a crashed node's reboot included,
// so a killed shard never leaves a stale lock for its retry to wait on or to
// guess about. The file itself stays (empty, 0600); only the lock matters.
// Two schedulers' copies of the same shard, or a retry of a shard that is
// still running, thus never upload the same mailbox at once: the second one
// is told, and skips the job (app/run_job.hpp reports it as locked).
//
// The descriptor is close-on-exec: a password_command started meanwhile does
// not inherit the lock and cannot keep it past the job.
#pragma once

#include <string>

namespace mailferry::sync {

class JobLock {
 public:
  // Tries to take the lock of the job whose state is `state_path`, without
  // waiting. Check held(): false when another process holds it. Throws
  // StateStoreError when the lock file cannot be opened or made.
  explicit JobLock(const std::string& state_path);
  ~JobLock();
  JobLock(const JobLock&) = delete;
  JobLock& operator=(const JobLock&) = delete;

  bool held() const { return held_; }
  const std::string& path() const { return path_; }

  static std::string path_for(const std::string& state_path) { return state_path + ".lock"; }

 private:
  std::string path_;
  int fd_ = -1;
  bool held_ = false;
};

}  // namespace mailferry::sync
