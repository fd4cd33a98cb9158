#include "mailferry/sync/job_lock.hpp"

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "support/temp_dir.hpp"

using namespace mailferry;

TEST_CASE("job lock: one holder at a time, a holder killed with SIGKILL leaves no stale lock") {
  testing::TempDir dir;
  const std::string state = dir.file("state/alice.db");

  // Another process takes the lock and keeps it until it is killed.
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(ready[0]);
    sync::JobLock lock(state);
    const char held = lock.held() ? 'y' : 'n';
    (void)!::write(ready[1], &held, 1);
    for (;;) ::pause();
  }
  ::close(ready[1]);
  char held = 0;
  REQUIRE(::read(ready[0], &held, 1) == 1);
  ::close(ready[0]);
  CHECK(held == 'y');

  {
    sync::JobLock second(state);
    CHECK_FALSE(second.held());
    CHECK(second.path() == state + ".lock");
  }
  // Another job's lock is its own.
  CHECK(sync::JobLock(dir.file("state/bob.db")).held());

  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  CHECK(WIFSIGNALED(status));
  sync::JobLock after(state);
  CHECK(after.held());
  // Its owner's only, like the state beside it.
  struct stat st {};
  REQUIRE(::stat(after.path().c_str(), &st) == 0);
  CHECK((st.st_mode & 077) == 0);
  // Within one process a second holder is refused too (each lock is its own
  // open file): two jobs of one run can never share a state file unnoticed.
  CHECK_FALSE(sync::JobLock(state).held());
}
