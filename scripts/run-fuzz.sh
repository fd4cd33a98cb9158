#!/usr/bin/env bash
# Builds mailferry's libFuzzer targets (fuzz/) with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer, and runs each of them for SECONDS_PER_TARGET
# seconds (default 30) on the committed seeds (fuzz/seeds/<target>/) and the
# shared corpus (../shared/corpus next to the repository). Installs nothing:
# clang and libclang-rt-14-dev (libFuzzer) must be there.
#
# Usage: scripts/run-fuzz.sh [SECONDS_PER_TARGET]
# Environment:
#   MAILFERRY_FUZZ_BUILD    build directory (default: build-fuzz in the source tree)
#   MAILFERRY_FUZZ_OUT      where inputs found, crashes and logs go (default: BUILD/fuzz-out)
#   MAILFERRY_FUZZ_TARGETS  space-separated subset of targets (default: all)
#   MAILFERRY_CORPUS_DIR    the shared corpus (default: SOURCE/../shared/corpus; optional)
#   MAILFERRY_JOBS          parallel build jobs (default: CPUs, at most 2)
#
# Exit status: 0 when no target found anything; 1 when one crashed, hung,
# ran out of memory or broke an invariant (the input is in OUT/crashes/, the
# report in OUT/logs/<target>.log); 2 when the build could not be made.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-30}
if ! [[ $seconds =~ ^[0-9]+$ ]] || ((seconds < 1)); then
  echo "usage: $0 [SECONDS_PER_TARGET]" >&2
  exit 2
fi
build=${MAILFERRY_FUZZ_BUILD:-$root/build-fuzz}
out=${MAILFERRY_FUZZ_OUT:-$build/fuzz-out}
corpus=${MAILFERRY_CORPUS_DIR:-$root/../shared/corpus}
jobs=${MAILFERRY_JOBS:-$(nproc 2>/dev/null || echo 1)}
if [[ -z ${MAILFERRY_JOBS-} && $jobs -gt 2 ]]; then jobs=2; fi
all_targets="imap_parser imap_target pop3_parser pop3_client mbox_reader mime_headers job_file accounts_list eml_source
  pst_file rtf_body maildir_names"
targets=${MAILFERRY_FUZZ_TARGETS:-$all_targets}

for tool in clang clang++ cmake; do
  if ! command -v "$tool" >/dev/null; then
    echo "run-fuzz: $tool is missing (Debian: apt-get install clang libclang-rt-14-dev cmake)" >&2
    exit 2
  fi
done

echo "run-fuzz: building the fuzz targets in $build"
if ! CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMAILFERRY_FUZZ=ON -DBUILD_TESTING=OFF >"$build.configure.log" 2>&1; then
  cat "$build.configure.log" >&2
  echo "run-fuzz: cmake could not configure the fuzz build" >&2
  exit 2
fi
rm -f "$build.configure.log"
if ! cmake --build "$build" --target fuzz_all -j "$jobs"; then
  echo "run-fuzz: the fuzz targets did not build (is libclang-rt-14-dev installed?)" >&2
  exit 2
fi

# The largest input each target is given: protocol streams and header blocks
# stay small enough to be fed byte by byte thousands of times a second; files
# get room for several messages and long lines.
max_len() {
  case $1 in
    imap_parser | imap_target | pop3_parser | pop3_client | mime_headers) echo 16384 ;;
    job_file | accounts_list) echo 8192 ;;
    mbox_reader) echo 32768 ;;
    eml_source | rtf_body) echo 65536 ;;
    pst_file) echo 300000 ;; # the corpus PSTs are 265 KiB
    maildir_names) echo 4096 ;;
  esac
}

# Seed directories beyond fuzz/seeds/<target>: real files from the corpus.
corpus_seeds() {
  case $1 in
    mbox_reader) echo "$corpus/mbox" ;;
    mime_headers | eml_source) echo "$corpus/eml" ;;
    pst_file) echo "$corpus/pst" ;;
  esac
}

# Sanitizer reports are crashes; libFuzzer saves the input that caused them.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

mkdir -p "$out/crashes" "$out/logs"
failed=0
summary=()
for target in $targets; do
  binary=$build/fuzz/fuzz_$target
  if [[ ! -x $binary ]]; then
    echo "run-fuzz: unknown target '$target' (targets: $all_targets)" >&2
    exit 2
  fi
  work=$out/corpus/$target  # grows from run to run: inputs that found new code
  mkdir -p "$work"
  seeds=()
  if [[ -d $root/fuzz/seeds/$target ]]; then seeds+=("$root/fuzz/seeds/$target"); fi
  for dir in $(corpus_seeds "$target"); do
    if [[ -d $dir ]]; then seeds+=("$dir"); else echo "run-fuzz: no corpus at $dir (skipped)"; fi
  done
  log=$out/logs/$target.log
  echo "run-fuzz: fuzz_$target for ${seconds}s (log: $log)"
  status=0
  "$binary" -max_total_time="$seconds" -max_len="$(max_len "$target")" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/crashes/$target-" \
    "$work" "${seeds[@]}" >"$log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  units=$(find "$work" -type f | wc -l)
  if ((status != 0)); then
    failed=1
    result="FAILED (exit $status)"
    grep -E "^(==[0-9]+==ERROR|SUMMARY|invariant failed|.*runtime error)" "$log" | head -n 5 >&2 || true
    grep -E "^(artifact_prefix|Test unit written)" "$log" >&2 || true
  else
    result=ok
  fi
  summary+=("$(printf '%-14s %12s execs %6s corpus units  %s' "$target" "${execs:-?}" "$units" "$result")")
done

echo "run-fuzz: summary (${seconds}s per target)"
printf '  %s\n' "${summary[@]}"
if ((failed)); then
  echo "run-fuzz: at least one target failed; inputs are in $out/crashes/" >&2
  exit 1
fi
