#!/usr/bin/env bash
# Installs what is missing (Debian 12), builds mailferry (Release, in
# build-release/), starts a throwaway Dovecot on free ports of 127.0.0.1 in a
# temporary directory, migrates the bundled examples into it and shows the
# result. The server and its directory are removed at the end.
#
# Environment: MAILFERRY_BUILD_DIR (default: build-release in the source tree),
# MAILFERRY_JOBS (parallel build jobs; default: the number of CPUs, at most 2),
# MAILFERRY_KEEP_DEMO_SERVER=1 leaves the server running for a look around
# (the script prints how to stop it).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${MAILFERRY_BUILD_DIR:-$root/build-release}
jobs=${MAILFERRY_JOBS:-$(nproc 2>/dev/null || echo 1)}
if [[ -z ${MAILFERRY_JOBS-} && $jobs -gt 2 ]]; then jobs=2; fi

if [[ -t 1 ]]; then bold=$'\033[1m' plain=$'\033[0m'; else bold= plain=; fi
step() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }
# Prints a command the way a user would type it, then runs it.
show() {
  local word line='$'
  for word in "$@"; do
    if [[ $word =~ [^A-Za-z0-9_./:@=+-] ]]; then line+=" '$word'"; else line+=" $word"; fi
  done
  printf '%s\n' "$line"
  "$@"
}

step "Installing missing packages"
"$root/scripts/install-deps.sh"

step "Building mailferry (Release) in $build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DMAILFERRY_TESTS=OFF >/dev/null
cmake --build "$build" -j "$jobs" --target mailferry
mailferry=$build/mailferry
"$mailferry" --version

step "Starting a throwaway Dovecot on 127.0.0.1"
demo=$(mktemp -d /tmp/mailferry-demo.XXXXXX)
chmod 755 "$demo"  # as root, Dovecot's mail processes run as "nobody"
server=$demo/server
cleanup() {
  if [[ ${MAILFERRY_KEEP_DEMO_SERVER-} == 1 ]]; then
    echo
    echo "The demo server is still running in $server."
    echo "Stop it with: $root/tests/dovecot/stop-dovecot.sh $server && rm -rf $demo"
    return
  fi
  "$root/tests/dovecot/stop-dovecot.sh" "$server" >/dev/null 2>&1 || true
  rm -rf "$demo"
}
trap cleanup EXIT
"$root/tests/dovecot/start-dovecot.sh" "$server"
# shellcheck source=/dev/null
source "$server/env"
echo "IMAPS on port $IMAPS_PORT (IMAP with STARTTLS on $IMAP_PORT), CA certificate $CA_FILE"
echo "Any user name logs in with the password in $PASSWORD_FILE."
doveadm_subjects() {
  show doveadm -c "$DOVECOT_CONF" -f table fetch -u "$1" 'mailbox flags hdr.subject.utf8' all
}

cd "$root"
examples=examples
mbox_file=$examples/mbox/Inbox.mbox
thunderbird="$examples/thunderbird/Local Folders"
demo_url=imaps://demo@127.0.0.1:$IMAPS_PORT
shop_url=imaps://shop@127.0.0.1:$IMAPS_PORT

step "1. One mbox file into the INBOX of demo@127.0.0.1"
show "$mailferry" list "mbox:$mbox_file"
show "$mailferry" sync --from "mbox:$mbox_file" --to "$demo_url" \
  --ca-file "$CA_FILE" --to-password-file "$PASSWORD_FILE"

step "What the server has now"
show "$mailferry" list "$demo_url" --ca-file "$CA_FILE" --password-file "$PASSWORD_FILE"
doveadm_subjects demo

step "Running the same sync again uploads nothing"
show "$mailferry" sync --from "mbox:$mbox_file" --to "$demo_url" \
  --ca-file "$CA_FILE" --to-password-file "$PASSWORD_FILE"

step "check: exit status 0 when every message is on the server"
show "$mailferry" check --from "mbox:$mbox_file" --to "$demo_url" \
  --ca-file "$CA_FILE" --to-password-file "$PASSWORD_FILE"
echo "exit status: $?"

step "2. A Thunderbird folder tree into shop@127.0.0.1"
show "$mailferry" list "mbox:$thunderbird"
show "$mailferry" sync --from "mbox:$thunderbird" --to "$shop_url" \
  --ca-file "$CA_FILE" --to-password-file "$PASSWORD_FILE"
show "$mailferry" list "$shop_url" --ca-file "$CA_FILE" --password-file "$PASSWORD_FILE"
doveadm_subjects shop
show "$mailferry" check --from "mbox:$thunderbird" --to "$shop_url" \
  --ca-file "$CA_FILE" --to-password-file "$PASSWORD_FILE"
echo "exit status: $?"

step "Done"
echo "The demo server is stopped and its directory removed on exit."
