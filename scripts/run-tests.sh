#!/usr/bin/env bash
# Runs mailferry's whole test suite: installs what is missing (Debian 12),
# builds with AddressSanitizer and UndefinedBehaviorSanitizer in build-ci/,
# and runs every unit and integration test through ctest. The integration
# tests start their own private Dovecot servers on free loopback ports;
# nothing else needs to be running.
#
# Environment: MAILFERRY_BUILD_DIR (default: build-ci in the source tree),
# MAILFERRY_JOBS (parallel build and test jobs; default: the number of CPUs,
# at most 2).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${MAILFERRY_BUILD_DIR:-$root/build-ci}
jobs=${MAILFERRY_JOBS:-$(nproc 2>/dev/null || echo 1)}
if [[ -z ${MAILFERRY_JOBS-} && $jobs -gt 2 ]]; then jobs=2; fi

"$root/scripts/install-deps.sh"

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DMAILFERRY_SANITIZE=ON -DBUILD_TESTING=ON
cmake --build "$build" -j "$jobs"

# Any sanitizer report fails the test that caused it.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
cd "$build"
ctest --output-on-failure -j "$jobs"
