// Process hardening: no core dumps once secrets are held.
#include "mailferry/core/hardening.hpp"

#include <doctest/doctest.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace mailferry;

TEST_CASE("hardening: core dumps off, limit and dumpable flag, for good") {
  // In a child: the test process itself keeps its settings.
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int failures = 0;
    if (::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 1) failures |= 1;  // a normal process is dumpable
    if (core::core_dumps_disabled()) failures |= 2;
    if (!core::disable_core_dumps()) failures |= 4;
    if (!core::core_dumps_disabled()) failures |= 8;
    if (::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0) failures |= 16;
    rlimit limit{};
    ::getrlimit(RLIMIT_CORE, &limit);
    if (limit.rlim_cur != 0 || limit.rlim_max != 0) failures |= 32;
    // The hard limit is down too: the process cannot raise it again.
    const rlimit raise{RLIM_INFINITY, RLIM_INFINITY};
    if (::setrlimit(RLIMIT_CORE, &raise) == 0 && ::geteuid() != 0) failures |= 64;
    if (!core::disable_core_dumps()) failures |= 128;  // idempotent
    _exit(failures);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}
