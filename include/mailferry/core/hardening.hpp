// Process hardening for a program that holds passwords in memory.
//
// disable_core_dumps() sets RLIMIT_CORE to 0 (soft and hard, so a child cannot
// raise it back) and marks the process not dumpable (PR_SET_DUMPABLE 0): no
// core file, no core handed to a crash collector (core_pattern pipes ignore
// RLIMIT_CORE, not dumpability), no ptrace attach and no /proc/PID/mem or
// /proc/PID/environ for other processes of the same user. Called before the
// first password is read; idempotent; never fails the run (a refusal is
// reported by the return value).
#pragma once

namespace mailferry::core {

// True when both the limit and the flag are in place.
bool disable_core_dumps() noexcept;

// Whether the process is currently protected as disable_core_dumps() makes it.
bool core_dumps_disabled() noexcept;

}  // namespace mailferry::core
