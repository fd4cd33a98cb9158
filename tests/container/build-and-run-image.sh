#!/usr/bin/env bash
# The container image's test, end to end with podman:
#  1. the base image debian:12-slim, made by scripts/base-image.sh when it is
#     not there (no registry needed);
#  2. the image, built from Containerfile with --pull=never at low priority;
#     prints how long the build took and the image's size;
#  3. the image runs: --version names this source tree's version, --help
#     works, and it runs as uid and gid 10001;
#  4. a real job from the image: an mbox of the shared corpus into a
#     throwaway Dovecot (tests/dovecot/start-dovecot.sh) over IMAPS, with the
#     CA, the password and the job file mounted read-only and the state and
#     the report on a volume; every message must be added and be on the
#     server, and the state file must be on the volume;
#  5. the same job again adds 0 messages;
#  6. mailferry status in the image reads the reports and finds the batch
#     complete.
# Exits non-zero when any of it fails; everything it made (the server, the
# volume, its files) is removed, the images are kept.
#
# A full image build takes long on two cores, so this exits 77 (ctest:
# skipped) unless MAILFERRY_TEST_CONTAINER=1. Needs root (the base image's
# debootstrap, Dovecot's mail user and the volume's files).
#
# Usage: tests/container/build-and-run-image.sh
# Environment:
#   MAILFERRY_TEST_CONTAINER=1  run the test (otherwise it is skipped)
#   MAILFERRY_IMAGE             the tag built and run (default: registry.example.com/mailferry:VERSION)
#   MAILFERRY_JOBS              parallel compile jobs in the build (default: 1)
#   MAILFERRY_PODMAN_RUNTIME    OCI runtime for podman (default: runc on a cgroup v1 host
#                               when it is installed, as crun refuses cgroup hybrid mode; else
#                               podman's own)
#   MAILFERRY_CORPUS_DIR        the shared corpus (default: SOURCE/../shared/corpus)
#   MAILFERRY_CONTAINER_MBOX    the mbox migrated, relative to the corpus (default: mbox/mbox.rlug)
set -euo pipefail

if [[ ${MAILFERRY_TEST_CONTAINER-} != 1 ]]; then
  echo "build-and-run-image: a full image build takes long; set MAILFERRY_TEST_CONTAINER=1 to run it; skipped"
  exit 77
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
say() { echo "build-and-run-image: $*"; }
die() { echo "build-and-run-image: FAILED: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "needs root (debootstrap, Dovecot's mail user, the volume's files)"
command -v podman >/dev/null 2>&1 || die "podman not found"
command -v python3 >/dev/null 2>&1 || die "python3 not found"

version=$(sed -n 's/^project(mailferry VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")
[[ -n $version ]] || die "no version in $root/CMakeLists.txt"
image=${MAILFERRY_IMAGE:-registry.example.com/mailferry:$version}
jobs=${MAILFERRY_JOBS:-1}
corpus=${MAILFERRY_CORPUS_DIR:-$root/../shared/corpus}
mbox=$corpus/${MAILFERRY_CONTAINER_MBOX:-mbox/mbox.rlug}
[[ -r $mbox ]] || die "the corpus mbox $mbox is not there (MAILFERRY_CORPUS_DIR)"

# podman's options for every build and run: the runtime, and limits no
# higher than this process's own (podman's defaults for root, a million open
# files, are refused where the hard limit is lower).
if [[ -z ${MAILFERRY_PODMAN_RUNTIME+set} ]]; then
  runtime=
  if [[ $(podman info --format '{{.Host.CgroupsVersion}}' 2>/dev/null) == v1 ]] &&
    command -v runc >/dev/null 2>&1; then
    runtime=runc
  fi
else
  runtime=$MAILFERRY_PODMAN_RUNTIME
fi
nofile=$(ulimit -Hn)
[[ $nofile == unlimited || $nofile -gt 65536 ]] && nofile=65536
podman_options=(--ulimit "nofile=$nofile:$nofile" --ulimit nproc=4096:4096)
[[ -n $runtime ]] && podman_options+=(--runtime "$runtime")

work=$(mktemp -d /tmp/mailferry-container-test.XXXXXX)
chmod 755 "$work"
volume=mailferry-test-state-${work##*.}
cleanup() {
  "$root/tests/dovecot/stop-dovecot.sh" "$work/server" >/dev/null 2>&1 || true
  podman volume rm --force "$volume" >/dev/null 2>&1 || true
  rm -rf -- "$work"
}
trap cleanup EXIT

# --- 1. the base image ---
"$root/scripts/base-image.sh"

# --- 2. the image ---
# apt's proxy on this host, if any, for the build only (the proxy build
# arguments are not kept in the image).
proxy=
eval "$(apt-config shell proxy Acquire::http::Proxy 2>/dev/null || true)"
build_args=(--build-arg "JOBS=$jobs")
[[ -n $proxy ]] && build_args+=(--build-arg "http_proxy=$proxy")
say "podman build ${podman_options[*]} ${build_args[*]} -t $image"
started=$SECONDS
nice -n 10 podman build --pull=never "${podman_options[@]}" "${build_args[@]}" \
  -t "$image" -f "$root/Containerfile" "$root" >"$work/build.log" 2>&1 || {
  tail -n 40 "$work/build.log" >&2
  die "podman build"
}
size=$(podman image inspect --format '{{.Size}}' "$image")
say "built $image in $((SECONDS - started)) s; size $size bytes ($((size / 1000000)) MB)"

run() { podman run --rm "${podman_options[@]}" "$@"; }

# --- 3. the image runs ---
out=$(run "$image" --version) || die "--version: $out"
say "--version: $out"
[[ $out == *"$version"* ]] || die "--version does not name $version: $out"
out=$(run "$image" --help) || die "--help: $out"
grep -q '^Usage: mailferry' <<<"$out" || die "--help prints no usage: $out"
ids=$(run --entrypoint id "$image" -u)/$(run --entrypoint id "$image" -g)
say "runs as uid/gid $ids"
[[ $ids == 10001/10001 ]] || die "the image runs as $ids, not 10001/10001"

# --- 4. a real job from the image ---
"$root/tests/dovecot/start-dovecot.sh" "$work/server"
# shellcheck source=/dev/null
. "$work/server/env"
user=container
# The image's user reads the password; the file stays its alone.
mkdir "$work/secrets"
install -m 400 -o 10001 -g 10001 "$PASSWORD_FILE" "$work/secrets/password"
cat >"$work/job.json" <<EOF
{
  "jobs": [
    {"name": "corpus-mbox", "from": "mbox:/srv/export/$(basename "$mbox")",
     "to": {"url": "imaps://$user@127.0.0.1:$IMAPS_PORT",
            "password_file": "/run/secrets/mailferry/password",
            "ca_file": "/etc/mailferry/ca.pem"}}
  ]
}
EOF
podman volume create "$volume" >/dev/null
state=$(podman volume inspect --format '{{.Mountpoint}}' "$volume")
job_options=(--network host
  -v "$CA_FILE:/etc/mailferry/ca.pem:ro"
  -v "$work/job.json:/etc/mailferry/job.json:ro"
  -v "$work/secrets/password:/run/secrets/mailferry/password:ro"
  -v "$mbox:/srv/export/$(basename "$mbox"):ro"
  -v "$volume:/var/lib/mailferry")
run "${job_options[@]}" --entrypoint mkdir "$image" -p /var/lib/mailferry/reports ||
  die "the image's user cannot write to the volume"

# Runs the job in the image; $1 names the run. Leaves the report's totals in
# $totals ("source present appended failed").
sync_run() {
  local name=$1 status=0 report
  run "${job_options[@]}" "$image" sync /etc/mailferry/job.json \
    --report "/var/lib/mailferry/reports/$name.json" >"$work/$name.out" 2>&1 || status=$?
  sed "s/^/  $name: /" "$work/$name.out"
  [[ $status -eq 0 ]] || die "the $name run exited with $status"
  report=$state/reports/$name.json
  [[ -s $report ]] || die "the $name run wrote no report on the volume"
  totals=$(python3 -c 'import json, sys
t = json.load(open(sys.argv[1]))["totals"]
print(t["source"], t["present"], t["appended"], t["failed"])' "$report")
}

sync_run first
read -r source present appended failed <<<"$totals"
say "first run: source $source, present $present, added $appended, failed $failed"
[[ $source -gt 0 && $appended -eq $source && $present -eq 0 && $failed -eq 0 ]] ||
  die "the first run should add all of the mbox's messages"
on_server=$(doveadm -c "$DOVECOT_CONF" -f flow mailbox status -u "$user" messages INBOX)
say "Dovecot: $on_server"
[[ $on_server == "INBOX messages=$source" ]] || die "the server holds $on_server, not $source"
ls "$state"/state/mailferry/*.db >/dev/null 2>&1 ||
  die "no state file under the volume's state/mailferry/"

# --- 5. again: nothing to add ---
sync_run again
read -r source2 present appended failed <<<"$totals"
say "second run: source $source2, present $present, added $appended, failed $failed"
[[ $appended -eq 0 ]] || die "the second run added $appended messages, not 0"
[[ $source2 -eq $source && $present -eq $source && $failed -eq 0 ]] ||
  die "the second run should find all $source messages on the server"

# --- 6. mailferry status on the reports ---
status=0
run "${job_options[@]}" "$image" status /etc/mailferry/job.json /var/lib/mailferry/reports/ \
  >"$work/status.out" 2>&1 || status=$?
sed 's/^/  status: /' "$work/status.out"
[[ $status -eq 0 ]] || die "mailferry status exited with $status"

say "all checks passed"
