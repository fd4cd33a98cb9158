#!/usr/bin/env bash
# Installs what is missing (Debian 12), builds mailferry (Release, in
# build-release/), starts a throwaway Dovecot on free ports of 127.0.0.1 in a
# temporary directory, and runs mailferry's three jobs against it: a POP3
# mailbox moved into an IMAP account, a user's lost Sent items put back from
# an Outlook PST, and the nightly run under cron; then the bundled mbox and
# Thunderbird examples. Each job runs twice: the second run adds nothing. The
# server and its directory are removed at the end.
#
# Environment: MAILFERRY_BUILD_DIR (default: build-release in the source tree),
# MAILFERRY_DEMO_PST (default: ../shared/corpus/pst/Test_part1.pst beside the
# source tree; the PST step is skipped, saying so, when there is none),
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
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
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
pop3_url=pop3s://olduser@127.0.0.1:$POP3S_PORT
alice_url=imaps://alice@127.0.0.1:$IMAPS_PORT
bob_url=imaps://bob@127.0.0.1:$IMAPS_PORT
pst=${MAILFERRY_DEMO_PST:-$root/../shared/corpus/pst/Test_part1.pst}

# Mail arrives in the POP3 mailbox olduser: the messages of the example mbox
# file, delivered one by one with doveadm as the server's delivery agent would.
deliver_to_pop3() {
  local parts=$demo/delivery part
  mkdir -p "$parts"
  csplit -s -z -f "$parts/message." "$1" '/^From /' '{*}'
  for part in "$parts"/message.*; do
    tail -n +2 "$part" | doveadm -c "$DOVECOT_CONF" save -u olduser
  done
  rm -rf "$parts"
}

step "1. A POP3 mailbox moved into an IMAP account"
deliver_to_pop3 "$mbox_file"
echo "olduser's POP3 mailbox holds $(doveadm -c "$DOVECOT_CONF" mailbox status -u olduser messages INBOX)"
show "$mailferry" sync --from "$pop3_url" --to "$alice_url" --ca-file "$CA_FILE" \
  --from-password-file "$PASSWORD_FILE" --to-password-file "$PASSWORD_FILE"
doveadm_subjects alice
step "The same move again: nothing is uploaded twice"
show "$mailferry" sync --from "$pop3_url" --to "$alice_url" --ca-file "$CA_FILE" \
  --from-password-file "$PASSWORD_FILE" --to-password-file "$PASSWORD_FILE"

step "2. The helpdesk: a user's lost Sent items, back from their Outlook PST"
if [[ -f $pst ]]; then
  show "$mailferry" list "pst:$pst"
  show "$mailferry" sync --from "pst:$pst" --only-role sent --to "$bob_url" \
    --ca-file "$CA_FILE" --to-password-file "$PASSWORD_FILE"
  show "$mailferry" list "$bob_url" --ca-file "$CA_FILE" --password-file "$PASSWORD_FILE"
  step "Run again: exactly the Sent items the server lacks, so none"
  show "$mailferry" sync --from "pst:$pst" --only-role sent --to "$bob_url" \
    --ca-file "$CA_FILE" --to-password-file "$PASSWORD_FILE"
else
  echo "No PST at $pst: set MAILFERRY_DEMO_PST to one to see this step."
fi

step "3. The nightly run under cron: a job file, quiet when all is well"
nightly=$demo/nightly.json
cat >"$nightly" <<JOB
{"jobs": [{"name": "olduser-nightly",
           "from": {"url": "$pop3_url", "password_file": "$PASSWORD_FILE", "ca_file": "$CA_FILE"},
           "to": {"url": "$alice_url", "password_file": "$PASSWORD_FILE", "ca_file": "$CA_FILE"}}]}
JOB
chmod 600 "$nightly"
cat "$nightly"
echo "crontab: 15 2 * * * mailferry sync --quiet $nightly"
printf 'From: night@example.com\nTo: olduser@example.com\nSubject: arrived overnight\nMessage-ID: <overnight@example.com>\nDate: Sun, 06 Dec 2026 01:00:00 +0000\n\nNew mail.\n' |
  doveadm -c "$DOVECOT_CONF" save -u olduser
show "$mailferry" sync --quiet "$nightly"
echo "exit status: $? (and no output: cron sends no mail)"
doveadm_subjects alice

step "4. One mbox file into the INBOX of demo@127.0.0.1"
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

step "5. A Thunderbird folder tree into shop@127.0.0.1"
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
