#!/usr/bin/env bash
# The mailferry benchmark: generates its mailboxes, starts its own Dovecot
# servers, runs the cases and prints a table (bench/README.md explains it).
#
# Usage: bench/run.sh [--binary PATH | --rev REV] [--compare PATH] [--cases LIST]
#                     [--scale "5000 50000 100000"] [--fsync both|on|off]
#                     [--big-mb N] [--repeat N] [--messages N]
#                     [--imap-scale "100000"] [--imapsync PATH] [--work DIR] [--keep]
#
#   --binary PATH   the mailferry to measure (default: a Release build in
#                   build-bench/, made first)
#   --rev REV       the commit that default build is made of (default HEAD):
#                   its tree is exported with git archive into
#                   build-bench/src, so uncommitted edits never get measured
#   --compare PATH  a second mailferry (an older build, say) measured on the
#                   same mailboxes in the same run, shown as "before"
#   --cases LIST    comma-separated, default all but imap (which takes
#                   longer than all the others together):
#                   mbox,pop3,pst,noop,maildir,mbsync,imap,scale,big,latency
#                   (maildir: the 5k mailbox as a Maildir, uploaded by
#                   mailferry and imported by doveadm; mbsync: the same
#                   Maildir pushed by mbsync, left out without mbsync; with
#                   noop also their re-runs; imap: the 5k mailbox and the
#                   --imap-scale mailboxes in an IMAP account, copied into
#                   empty accounts by mailferry, imapsync, mbsync and
#                   doveadm backup from imapc, each peer left out when
#                   missing)
#   --fsync MODE    on: Dovecot's default mail_fsync (durable); off:
#                   mail_fsync=never; both (default): the 5k cases on each.
#                   Scaling, the big message and the latency case always run
#                   with fsync off (see README).
#   --repeat N      rounds of the 5k realistic cases (default 1); the table
#                   shows each case's median and the range
#   --messages N    messages of the realistic mailbox (default 5000; fewer
#                   for a quick try of the script)
#   --imap-scale L  small mailboxes of the imap case (default "100000"; ""
#                   for none), Dovecot with fsync off
#   --imapsync PATH imapsync for the imap case (default: imapsync in PATH,
#                   else ../shared/peers/imapsync next to the repository)
#   --work DIR      where the temporary directory goes (default /tmp; the
#                   100k case needs about 2 GB there)
#   --keep          keep the temporary directory and servers' data
#
# Needs: root (the latency case makes a network namespace), dovecot-imapd,
# dovecot-pop3d, python3, /usr/bin/time (package "time"), iproute2; optional:
# isync (mbsync, for the mbsync rows), imapsync and its Perl modules.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
export PATH="$PATH:/usr/sbin:/sbin"

binary=
rev=HEAD
compare=
cases=mbox,pop3,pst,noop,maildir,mbsync,scale,big,latency
scale="5000 50000 100000"
imap_scale=100000
imapsync=
r_count=5000
fsync_mode=both
big_mb=500
repeat=1
work_parent=/tmp
keep=no
while [[ $# -gt 0 ]]; do
  case $1 in
    --binary) binary=$2; shift ;;
    --rev) rev=$2; shift ;;
    --compare) compare=$2; shift ;;
    --cases) cases=$2; shift ;;
    --scale) scale=$2; shift ;;
    --fsync) fsync_mode=$2; shift ;;
    --big-mb) big_mb=$2; shift ;;
    --repeat) repeat=$2; shift ;;
    --messages) r_count=$2; shift ;;
    --imap-scale) imap_scale=$2; shift ;;
    --imapsync) imapsync=$2; shift ;;
    --work) work_parent=$2; shift ;;
    --keep) keep=yes ;;
    -h | --help) sed -n '2,/^set -e/p' "$0" | sed 's/^# \{0,1\}//; /^set -e/d'; exit 0 ;;
    *) echo "$0: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
want() { [[ ,$cases, == *,$1,* ]]; }
[[ $repeat =~ ^[1-9][0-9]*$ ]] || { echo "$0: --repeat takes a whole number from 1" >&2; exit 2; }
[[ $r_count =~ ^[1-9][0-9]*$ ]] || { echo "$0: --messages takes a whole number from 1" >&2; exit 2; }

for tool in dovecot doveadm python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "$0: $tool is missing" >&2; exit 1; }
done
if want latency && [[ $(id -u) -ne 0 ]]; then
  echo "$0: the latency case needs root (network namespace); leaving it out" >&2
  cases=${cases//latency/}
fi
if want mbsync && ! command -v mbsync >/dev/null; then
  echo "$0: mbsync is not installed (Debian package isync); leaving out the mbsync rows" >&2
  cases=${cases//mbsync/}
fi
if want imap; then
  if [[ -z $imapsync ]]; then
    imapsync=$(command -v imapsync || echo "$repo/../shared/peers/imapsync")
  fi
  if ! "$imapsync" --version >/dev/null 2>&1; then
    echo "$0: imapsync ($imapsync) does not start (missing, or its Perl modules are); leaving out the imapsync rows" >&2
    imapsync=
  fi
  command -v mbsync >/dev/null || echo "$0: mbsync is not installed (Debian package isync); leaving out the IMAP mbsync rows" >&2
fi

built_from=
if [[ -z $binary ]]; then
  commit=$(git -C "$repo" rev-parse --verify "$rev^{commit}")
  built_from="commit $(git -C "$repo" log -1 --format='%h, %cs' "$commit")"
  echo "== building mailferry $built_from (Release) in build-bench/"
  src=$repo/build-bench/src
  stage=$repo/build-bench/stage
  rm -rf "$stage"
  mkdir -p "$stage" "$src"
  git -C "$repo" archive "$commit" | tar -x -C "$stage"
  # Only files that differ are copied (and get a new time stamp), so another
  # commit rebuilds only what it changed.
  (cd "$stage" && find . -type f) | while IFS= read -r f; do
    cmp -s "$stage/$f" "$src/$f" || { mkdir -p "$(dirname "$src/$f")" && cp "$stage/$f" "$src/$f"; }
  done
  (cd "$src" && find . -type f) | while IFS= read -r f; do [[ -e $stage/$f ]] || rm -f "$src/$f"; done
  rm -rf "$stage"
  # Commits before BUILD_TESTING knew only MAILFERRY_TESTS; -Wno-dev keeps
  # CMake quiet about whichever of the two a commit does not use.
  cmake -S "$src" -B "$repo/build-bench/build" -Wno-dev -DCMAKE_BUILD_TYPE=Release \
    -DBUILD_TESTING=OFF -DMAILFERRY_TESTS=OFF >/dev/null
  if ! cmake --build "$repo/build-bench/build" -j2 --target mailferry >"$repo/build-bench/build.log" 2>&1; then
    tail -n 30 "$repo/build-bench/build.log" >&2
    echo "$0: the build failed (whole log: build-bench/build.log)" >&2
    exit 1
  fi
  binary=$repo/build-bench/build/mailferry
fi
binary=$(realpath "$binary")
[[ -z $compare ]] || compare=$(realpath "$compare")

work=$(mktemp -d "$work_parent/mailferry-bench.XXXXXX")
chmod 755 "$work"  # Dovecot's mail user must reach the mailboxes
mkdir -p "$work/src" "$work/state" "$work/out"
results=$work/results.tsv
: >"$results"
servers=()
proxy_pids=()
netns=

cleanup() {
  set +e
  for s in "${servers[@]}"; do "$repo/tests/dovecot/stop-dovecot.sh" "$s" >/dev/null 2>&1; done
  for p in "${proxy_pids[@]}"; do kill "$p" 2>/dev/null; done
  [[ -z $netns ]] || ip netns del "$netns" 2>/dev/null
  if [[ $keep == yes ]]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { echo "$EPOCHREALTIME"; }

# start_server NAME [start-dovecot.sh options]: starts it, sources its env into S_<NAME>_*.
start_server() {
  local name=$1; shift
  local dir=$work/dovecot-$name
  ${ns_exec:-} "$repo/tests/dovecot/start-dovecot.sh" "$dir" "$@" >/dev/null
  servers+=("$dir")
  eval "$(sed "s/^/S_${name}_/" "$dir/env")"
}

server_var() { local v="S_$1_$2"; echo "${!v}"; }

doveadm_on() {  # SERVER doveadm-arguments...
  local server=$1; shift
  doveadm -c "$(server_var "$server" DOVECOT_CONF)" "$@"
}

count_messages() {  # SERVER USER: messages in all folders together
  doveadm_on "$1" -f flow mailbox status -u "$2" messages '*' 2>/dev/null |
    awk -F'messages=' '{ s += $2 } END { print s + 0 }'
}

# drop_users SERVER USER...: removes their mail (keeps the disk free; the
# benchmark's accounts are never used again once their cases are measured).
drop_users() {
  local server=$1; shift
  [[ $keep == no ]] || return 0
  local mail u
  mail=$(dirname "$(server_var "$server" DOVECOT_CONF)")
  for u in "$@"; do rm -rf "${mail:?}/mail/$u" "${mail:?}/home/$u"; done
}

# record SECTION SERVER CASE TOOL MESSAGES BYTES WALL RSS_KB CPU STATUS
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$results"; }

# timed OUTFILE command...: runs it under /usr/bin/time, sets WALL, RSS (peak,
# kB), CPU (user + system seconds of the process itself) and RC.
timed() {
  local out=$1; shift
  local start end
  start=$(now)
  set +e
  /usr/bin/time -f '%M %U %S' -o "$out.time" "$@" >"$out.stdout" 2>"$out.stderr"
  RC=$?
  set -e
  end=$(now)
  WALL=$(python3 -c "print(f'{$end - $start:.3f}')")
  local user system
  read -r RSS user system < <(tail -n 1 "$out.time")
  CPU=$(python3 -c "print(f'{$user + $system:.2f}')")
}

# doveadm import of an mbox file into USER's INBOX, timed.
import_mbox() {  # SECTION SERVER USER MBOX MESSAGES BYTES LABEL
  local section=$1 server=$2 user=$3 mbox=$4 messages=$5 bytes=$6 label=$7
  local dir
  dir=$(dirname "$mbox")
  timed "$work/out/import-$user" doveadm -c "$(server_var "$server" DOVECOT_CONF)" import -u "$user" \
    "mbox:$dir:INBOX=$mbox:INDEX=MEMORY" "" mailbox INBOX all
  local got status=ok
  got=$(count_messages "$server" "$user")
  [[ $RC -eq 0 && $got -eq $messages ]] || status="FAILED(rc=$RC,got=$got)"
  record "$section" "$server" "$label" doveadm "$messages" "$bytes" "$WALL" "$RSS" "$CPU" "$status"
}

# mailferry sync, timed; checks the exit code, what the report says was added,
# and what the server holds afterwards.
#   run_sync SECTION SERVER LABEL BINARY FROM TO_USER STATE EXPECT_ADDED EXPECT_TOTAL BYTES [ENV...]
# Options the next run_sync calls add to the command line (empty: none).
sync_extra=()
# A command the next run_sync calls run after the sync, with the target user
# as its last argument; whatever it prints fails the row (empty: none).
sync_verify=()
run_sync() {
  local section=$1 server=$2 label=$3 bin=$4 from=$5 user=$6 state=$7 added=$8 total=$9 bytes=${10}
  shift 10
  local report=$work/out/$label-$user.json
  report=${report// /_}
  local port
  port=$(server_var "$server" IMAPS_PORT)
  timed "$work/out/sync-${label// /_}-$user" env "$@" \
    MAILFERRY_FROM_PASSWORD="$(cat "$(server_var "$server" PASSWORD_FILE)")" \
    ${ns_exec:-} "$bin" sync --from "$from" --to "imaps://$user@127.0.0.1:$port" \
    --ca-file "$(server_var "$server" CA_FILE)" \
    --to-password-file "$(server_var "$server" PASSWORD_FILE)" \
    --state "$state" --report "$report" --quiet "${sync_extra[@]}"
  local status=ok appended got problem=
  appended=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['totals']['appended'])" \
    "$report" 2>/dev/null || echo '?')
  got=$(count_messages "$server" "$user")
  [[ ${#sync_verify[@]} -eq 0 ]] || problem=$("${sync_verify[@]}" "$user")
  if [[ $RC -ne 0 || $appended != "$added" || $got -ne $total || -n $problem ]]; then
    status="FAILED(rc=$RC,added=$appended,on-server=$got${problem:+,$problem})"
    echo "   $label: $status; stderr:" >&2
    tail -n 5 "$work/out/sync-${label// /_}-$user.stderr" >&2 || true
  fi
  local counted=$added
  [[ $added -ne 0 ]] || counted=$total  # a re-run: messages looked at
  record "$section" "$server" "$label" mailferry "$counted" "$bytes" "$WALL" "$RSS" "$CPU" "$status"
}

# mbsync (isync) pushing a Maildir into USER's INBOX over IMAPS, timed, with
# the defaults a user gets (PipelineDepth unlimited); its sync state goes into
# the Maildir (SyncState *), so a fresh copy of the Maildir is a first run and
# the same copy again is a re-run. Checks the exit status and what the server
# holds afterwards.
#   run_mbsync SECTION SERVER LABEL USER MAILDIR EXPECT_TOTAL MESSAGES BYTES
run_mbsync() {
  local section=$1 server=$2 label=$3 user=$4 maildir=$5 total=$6 messages=$7 bytes=$8
  local rc_file=$maildir.mbsyncrc
  # Host localhost, not 127.0.0.1: mbsync 1.4 matches the certificate's DNS
  # names only, not its IP address (the test certificate has both).
  cat >"$rc_file" <<EOF
IMAPAccount bench
Host localhost
Port $(server_var "$server" IMAPS_PORT)
User $user
PassCmd "cat $(server_var "$server" PASSWORD_FILE)"
SSLType IMAPS
CertificateFile $(server_var "$server" CA_FILE)

IMAPStore far
Account bench

MaildirStore near
Inbox $maildir

Channel push
Far :far:
Near :near:
Patterns INBOX
Sync Push
Create Far
SyncState *
EOF
  timed "$work/out/mbsync-${label// /_}-$user" mbsync -c "$rc_file" push
  local status=ok got
  got=$(count_messages "$server" "$user")
  if [[ $RC -ne 0 || $got -ne $total ]]; then
    status="FAILED(rc=$RC,on-server=$got)"
    echo "   $label: $status; stderr:" >&2
    tail -n 5 "$work/out/mbsync-${label// /_}-$user.stderr" >&2 || true
  fi
  record "$section" "$server" "$label" mbsync "$messages" "$bytes" "$WALL" "$RSS" "$CPU" "$status"
}

# doveadm import of a Maildir into USER's INBOX, timed: the server's own
# reading of the Maildir the Maildir rows upload. The copy it reads is made of
# hard links owned by the mail user, since Dovecot writes its index files
# (dovecot-uidlist, ...) into a Maildir it opens.
import_maildir() {  # SECTION SERVER USER MAILDIR MESSAGES BYTES
  local section=$1 server=$2 user=$3 maildir=$4 messages=$5 bytes=$6
  local copy=$maildir-import-$user
  cp -al "$maildir" "$copy"
  chown -R "$(stat -c %u:%g "$(dirname "$(server_var "$server" DOVECOT_CONF)")/mail")" "$copy"
  timed "$work/out/import-maildir-$user" doveadm -c "$(server_var "$server" DOVECOT_CONF)" import \
    -u "$user" "maildir:$copy" "" mailbox INBOX all
  local got status=ok
  got=$(count_messages "$server" "$user")
  [[ $RC -eq 0 && $got -eq $messages ]] || status="FAILED(rc=$RC,got=$got)"
  record "$section" "$server" "doveadm import (Maildir)" doveadm "$messages" "$bytes" "$WALL" "$RSS" \
    "$CPU" "$status"
  rm -rf "$copy"
}

# --- IMAP -> IMAP: one account of the server copied into empty ones ---

# fill_imap_source SECTION SERVER USER MBOX MESSAGES BYTES: the mbox put into
# USER's INBOX by doveadm import (timed: the section's reference), then spread
# over folders by what the messages say, so that an exact duplicate lands in
# the folder of its original: Archive (\Archive; sent before 2019), Sent
# (\Sent; from alice), Projects/Reports (a subject with "report"); the rest
# stays in INBOX. The flags are those of Status/X-Status.
fill_imap_source() {
  local section=$1 server=$2 user=$3 mbox=$4 messages=$5 bytes=$6 folder
  import_mbox "$section" "$server" "$user" "$mbox" "$messages" "$bytes" "doveadm import (IMAP source)"
  for folder in Archive Sent Projects/Reports; do
    doveadm_on "$server" mailbox create -u "$user" "$folder" 2>/dev/null || true
  done
  doveadm_on "$server" move -u "$user" Archive mailbox INBOX SENTBEFORE 2019-01-01
  doveadm_on "$server" move -u "$user" Sent mailbox INBOX FROM alice@
  doveadm_on "$server" move -u "$user" Projects/Reports mailbox INBOX SUBJECT report
  echo "   $user: $(doveadm_on "$server" -f flow mailbox status -u "$user" messages '*' |
    sed 's/ messages=/ /' | LC_ALL=C sort | paste -sd, - | sed 's/,/, /g')"
}

# mail_digest SERVER USER: one line per distinct message: its folder, its
# flags (\Recent left out), Message-ID, Date and Subject, sorted. Two accounts
# with the same lines hold the same messages in the same folders with the
# same flags (exact duplicates count once).
mail_digest() {
  doveadm_on "$1" -f tab fetch -u "$2" "mailbox flags hdr.message-id hdr.date hdr.subject" all |
    tail -n +2 | sed 's/ *\\Recent//; s/\t /\t/' | LC_ALL=C sort -u
}

# differs_from DIGEST SERVER USER: nothing when USER's mail_digest is DIGEST,
# else how many lines differ.
differs_from() {
  local n
  n=$(mail_digest "$2" "$3" | LC_ALL=C comm -3 "$1" - | wc -l)
  [[ $n -eq 0 ]] || echo "$n lines of folder/flags/ids differ"
}

# check_copy OUT SERVER USER TOTAL [DIGEST]: STATUS from RC (of timed), the
# messages USER holds afterwards and, with a DIGEST, its folders and flags; a
# failure shows the end of the tool's output.
check_copy() {
  local out=$1 server=$2 user=$3 total=$4 digest=${5:-} got problem=
  got=$(count_messages "$server" "$user")
  [[ -z $digest ]] || problem=$(differs_from "$digest" "$server" "$user")
  STATUS=ok
  if [[ $RC -ne 0 || $got -ne $total || -n $problem ]]; then
    STATUS="FAILED(rc=$RC,on-server=$got${problem:+,$problem})"
    echo "   $(basename "$out"): $STATUS; output:" >&2
    tail -n 5 "$out.stdout" "$out.stderr" >&2 || true
  fi
}

# run_imapsync SECTION SERVER LABEL SOURCE_USER USER TOTAL MESSAGES BYTES [DIGEST]:
# imapsync from SOURCE_USER into USER, both over IMAPS with the server's
# certificate checked against the test CA, otherwise its defaults (which
# leave out a message whose identifying headers equal another's of the same
# folder).
run_imapsync() {
  local section=$1 server=$2 label=$3 src=$4 user=$5 total=$6 messages=$7 bytes=$8 digest=${9:-}
  local port ca pw out=$work/out/imapsync-${label// /_}-$user
  port=$(server_var "$server" IMAPS_PORT)
  ca=$(server_var "$server" CA_FILE)
  pw=$(server_var "$server" PASSWORD_FILE)
  mkdir -p "$work/out/imapsync-tmp"
  timed "$out" "$imapsync" \
    --host1 localhost --port1 "$port" --user1 "$src" --passfile1 "$pw" \
    --ssl1 --sslargs1 SSL_verify_mode=1 --sslargs1 "SSL_ca_file=$ca" \
    --host2 localhost --port2 "$port" --user2 "$user" --passfile2 "$pw" \
    --ssl2 --sslargs2 SSL_verify_mode=1 --sslargs2 "SSL_ca_file=$ca" \
    --nolog --noreleasecheck --tmpdir "$work/out/imapsync-tmp"
  check_copy "$out" "$server" "$user" "$total" "$digest"
  record "$section" "$server" "$label" imapsync "$messages" "$bytes" "$WALL" "$RSS" "$CPU" "$STATUS"
}

# mbsync_account NAME SERVER USER: an IMAPS account and its store for an mbsyncrc.
# Host localhost: mbsync 1.4 matches the certificate's DNS names only.
mbsync_account() {
  cat <<EOF
IMAPAccount $1
Host localhost
Port $(server_var "$2" IMAPS_PORT)
User $3
PassCmd "cat $(server_var "$2" PASSWORD_FILE)"
SSLType IMAPS
CertificateFile $(server_var "$2" CA_FILE)

IMAPStore $1
Account $1

EOF
}

# run_mbsync_imap SECTION SERVER LABEL SOURCE_USER USER TOTAL MESSAGES BYTES [DIGEST]:
# mbsync with both stores IMAP: every folder of SOURCE_USER pulled into USER
# (Sync Pull, Create Near, Patterns *, default PipelineDepth), its sync state
# in a directory of its own, so the same call again is a re-run.
run_mbsync_imap() {
  local section=$1 server=$2 label=$3 src=$4 user=$5 total=$6 messages=$7 bytes=$8 digest=${9:-}
  local rc_file=$work/out/mbsync-imap-$user.rc out=$work/out/mbsync-${label// /_}-$user
  mkdir -p "$work/state/mbsync-imap-$user"
  {
    mbsync_account far "$server" "$src"
    mbsync_account near "$server" "$user"
    cat <<EOF
Channel pull
Far :far:
Near :near:
Patterns *
Sync Pull
Create Near
SyncState $work/state/mbsync-imap-$user/
EOF
  } >"$rc_file"
  timed "$out" mbsync -c "$rc_file" pull
  check_copy "$out" "$server" "$user" "$total" "$digest"
  record "$section" "$server" "$label" mbsync "$messages" "$bytes" "$WALL" "$RSS" "$CPU" "$STATUS"
}

# run_imapc_backup SECTION SERVER LABEL SOURCE_USER USER TOTAL MESSAGES BYTES [DIGEST]:
# Dovecot's own migration over IMAP: doveadm backup -R from an imapc: location
# logged in as SOURCE_USER (IMAPS, certificate checked) into USER, with the
# imapc settings of Dovecot's migration guide (imapc_features rfc822.size
# fetch-headers, mail_prefetch_count 20) in a configuration that includes the
# server's. One process does it all (the IMAP client, dsync, the store).
run_imapc_backup() {
  local section=$1 server=$2 label=$3 src=$4 user=$5 total=$6 messages=$7 bytes=$8 digest=${9:-}
  local conf=$work/out/imapc-$user.conf ca=$work/out/ca-$server.pem out=$work/out/imapc-${label// /_}-$user
  # doveadm reads the CA as the mail user, and the server keeps its copy private.
  cp "$(server_var "$server" CA_FILE)" "$ca"
  chmod 644 "$ca"
  (
    umask 077
    cat >"$conf" <<EOF
!include $(server_var "$server" DOVECOT_CONF)
imapc_host = localhost
imapc_port = $(server_var "$server" IMAPS_PORT)
imapc_ssl = imaps
imapc_ssl_verify = yes
ssl_client_ca_file = $ca
imapc_user = $src
imapc_password = $(cat "$(server_var "$server" PASSWORD_FILE)")
imapc_features = rfc822.size fetch-headers
mail_prefetch_count = 20
EOF
  )
  timed "$out" doveadm -c "$conf" backup -R -u "$user" imapc:
  check_copy "$out" "$server" "$user" "$total" "$digest"
  record "$section" "$server" "$label" dsync "$messages" "$bytes" "$WALL" "$RSS" "$CPU" "$STATUS"
}

# imap_case SECTION SERVER TAG MBOX MESSAGES DISTINCT BYTES: the mailbox in a
# source account, then each tool copies all its folders into an empty account
# of the same server, one tool after the other; mailferry goes first (so it
# is the one to meet the source's files and caches cold). mailferry and
# imapsync leave out a folder's exact duplicates (DISTINCT messages), mbsync
# and doveadm copy every one (MESSAGES). Each first run is checked against the
# source: folders, flags and ids (mail_digest).
imap_case() {
  local section=$1 server=$2 tag=$3 mbox=$4 messages=$5 distinct=$6 bytes=$7
  local src=imapsrc$tag port digest from n bin pre user state
  port=$(server_var "$server" IMAPS_PORT)
  fill_imap_source "$section" "$server" "$src" "$mbox" "$messages" "$bytes"
  digest=$work/out/digest-$src
  mail_digest "$server" "$src" >"$digest"
  from=imaps://$src@127.0.0.1:$port
  sync_extra=(--from-password-file "$(server_var "$server" PASSWORD_FILE)")
  n=0
  for bin in "${tools[@]}"; do
    n=$((n + 1))
    pre=$(tool_label "$bin")
    user=imapdst$tag-$n
    state=$work/state/imap$tag-$n.db
    sync_verify=(differs_from "$digest" "$server")
    run_sync "$section" "$server" "${pre}IMAP -> IMAP" "$bin" "$from" "$user" "$state" "$distinct" \
      "$distinct" "$bytes"
    sync_verify=()
    run_sync "$section" "$server" "${pre}IMAP re-run, nothing new" "$bin" "$from" "$user" "$state" 0 \
      "$distinct" 0
    run_sync "$section" "$server" "${pre}IMAP re-run, state deleted" "$bin" "$from" "$user" \
      "$state.fresh" 0 "$distinct" 0
    drop_users "$server" "$user"
  done
  sync_extra=()
  if [[ -n $imapsync ]]; then
    user=imapsync$tag
    run_imapsync "$section" "$server" "imapsync IMAP -> IMAP" "$src" "$user" "$distinct" "$distinct" \
      "$bytes" "$digest"
    run_imapsync "$section" "$server" "imapsync re-run, nothing new" "$src" "$user" "$distinct" "$distinct" 0
    drop_users "$server" "$user"
  fi
  if command -v mbsync >/dev/null; then
    user=mbsyncimap$tag
    run_mbsync_imap "$section" "$server" "mbsync IMAP -> IMAP" "$src" "$user" "$messages" "$messages" \
      "$bytes" "$digest"
    run_mbsync_imap "$section" "$server" "mbsync re-run, nothing new" "$src" "$user" "$messages" \
      "$messages" 0
    drop_users "$server" "$user"
  fi
  user=dsyncimap$tag
  run_imapc_backup "$section" "$server" "doveadm backup from imapc" "$src" "$user" "$messages" \
    "$messages" "$bytes" "$digest"
  drop_users "$server" "$user" "$src"
}

# gen KIND FILE [options]: generates once, prints "messages distinct bytes".
# Each mbox file gets a directory of its own: doveadm import reads the whole
# directory as a mail store.
gen() {
  local kind=$1 file=$2; shift 2
  mkdir -p "$(dirname "$file")"
  chmod 755 "$(dirname "$file")"
  local meta
  meta=$(dirname "$file").json
  if [[ ! -e $meta ]]; then
    python3 "$here/gen_mailbox.py" "$kind" "$file" "$@" >"$meta.tmp"
    chmod 644 "$file"
    mv "$meta.tmp" "$meta"
  fi
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['messages'], d['distinct'], d['bytes'])" "$meta"
}

tools=("$binary")
[[ -z $compare ]] || tools+=("$compare")
tool_label() { [[ $1 == "$binary" ]] && echo "" || echo "before: "; }

{
  echo "# mailferry benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "# binary: $binary ($("$binary" --version 2>/dev/null | head -n 1)${built_from:+, $built_from})"
  [[ -z $compare ]] || echo "# compare: $compare"
  echo "# machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo) RAM, $(uname -sr), Dovecot $(dovecot --version | cut -d' ' -f1), load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$work/header.txt"
cat "$work/header.txt"

echo "== generating mailboxes in $work/src"
read -r r_messages r_distinct r_bytes < <(gen realistic "$work/src/realistic/realistic.mbox" --messages "$r_count")
# "5k" in the section titles, the count itself when it is not whole thousands
r_name=$r_count
[[ $((r_count % 1000)) -ne 0 ]] || r_name=$((r_count / 1000))k
echo "   realistic: $r_messages messages ($r_distinct distinct), $r_bytes bytes"
if want mbsync || want maildir; then
  # The same messages as a Maildir, for mbsync (which reads no mbox): one file
  # per mbox entry, duplicates included, Status/X-Status as Maildir flags.
  read -r m_messages m_bytes < <(python3 "$here/mbox_to_maildir.py" "$work/src/realistic/realistic.mbox" \
    "$work/src/realistic-maildir" | python3 -c "import json,sys; d=json.load(sys.stdin); print(d['messages'], d['bytes'])")
  echo "   realistic as a Maildir: $m_messages messages, $m_bytes bytes"
fi

fsync_servers=()
case $fsync_mode in
  both) fsync_servers=(durable fast) ;;
  on) fsync_servers=(durable) ;;
  off) fsync_servers=(fast) ;;
  *) echo "$0: --fsync takes both, on or off" >&2; exit 2 ;;
esac
start_server fast
[[ $fsync_mode == off ]] || start_server durable --durable
pst=$repo/../shared/corpus/pst/enron.pst

# --- the 5,000-message realistic mailbox: mbox, POP3, re-runs; and the PST ---
# Each round uses fresh accounts (and is removed afterwards); the report shows
# the median of the rounds. The tools take turns within a round, so a burst
# of load on a shared machine hits them alike.
for server in "${fsync_servers[@]}"; do
  section="$r_name realistic mailbox, $((r_bytes / 1000000)) MB"
  echo "== $section, Dovecot with fsync $([[ $server == durable ]] && echo on || echo off)"
  for round in $(seq 1 "$repeat"); do
    [[ $repeat -eq 1 ]] || echo "   round $round of $repeat"
    n=0
    for bin in "${tools[@]}"; do
      n=$((n + 1))
      pre=$(tool_label "$bin")
      u=$n-$round
      if want mbox; then
        import_mbox "$section" "$server" "ref$u" "$work/src/realistic/realistic.mbox" "$r_messages" "$r_bytes" \
          "doveadm import (mbox)"
        state=$work/state/$server-mbox$u.db
        run_sync "$section" "$server" "${pre}mbox -> IMAP" "$bin" "mbox:$work/src/realistic/realistic.mbox" \
          "mbox$u" "$state" "$r_distinct" "$r_distinct" "$r_bytes"
        if want noop; then
          # State deleted first: Dovecot answers the first header FETCH of
          # freshly stored mail from the files and only later from its cache,
          # so whichever run asks first pays that; here both tools do.
          run_sync "$section" "$server" "${pre}mbox re-run, state deleted" "$bin" \
            "mbox:$work/src/realistic/realistic.mbox" "mbox$u" "$state.fresh" 0 "$r_distinct" 0
          run_sync "$section" "$server" "${pre}mbox re-run, nothing new" "$bin" \
            "mbox:$work/src/realistic/realistic.mbox" "mbox$u" "$state" 0 "$r_distinct" 0
          # Throttled (a limit far above what a re-run sends): must cost what
          # the plain re-run costs, the kept index serving it all the same.
          sync_extra=(--max-messages-per-second 100000)
          run_sync "$section" "$server" "${pre}mbox re-run, nothing new, throttled" "$bin" \
            "mbox:$work/src/realistic/realistic.mbox" "mbox$u" "$state" 0 "$r_distinct" 0
          sync_extra=()
        fi
        drop_users "$server" "ref$u" "mbox$u"
      fi
      if want maildir; then
        # The Maildir mbsync pushes below, read by mailferry's Maildir source
        # (duplicates uploaded once) and by the server's own import.
        [[ $n -ne 1 ]] || import_maildir "$section" "$server" "mdref$round" "$work/src/realistic-maildir" \
          "$m_messages" "$m_bytes"
        state=$work/state/$server-maildir$u.db
        run_sync "$section" "$server" "${pre}Maildir -> IMAP" "$bin" "maildir:$work/src/realistic-maildir" \
          "maildir$u" "$state" "$r_distinct" "$r_distinct" "$m_bytes"
        if want noop; then
          run_sync "$section" "$server" "${pre}Maildir re-run, nothing new" "$bin" \
            "maildir:$work/src/realistic-maildir" "maildir$u" "$state" 0 "$r_distinct" 0
        fi
        drop_users "$server" "mdref$round" "maildir$u"
      fi
      if want mbsync && [[ $n -eq 1 ]]; then
        # A copy of hard links: mbsync renames the files it uploads (",U=")
        # and adds its state, the original stays as generated.
        maildir=$work/src/mbsync-$server-$round
        cp -al "$work/src/realistic-maildir" "$maildir"
        run_mbsync "$section" "$server" "mbsync Maildir -> IMAP" "mbsync$round" "$maildir" "$m_messages" \
          "$m_messages" "$m_bytes"
        if want noop; then
          run_mbsync "$section" "$server" "mbsync re-run, nothing new" "mbsync$round" "$maildir" "$m_messages" \
            "$m_messages" 0
        fi
        rm -rf "$maildir" "$maildir.mbsyncrc"
        drop_users "$server" "mbsync$round"
      fi
      if want pop3; then
        import_mbox "$section" "$server" "popsrc$u" "$work/src/realistic/realistic.mbox" "$r_messages" \
          "$r_bytes" "doveadm import (POP3 source)"
        state=$work/state/$server-pop$u.db
        port=$(server_var "$server" POP3S_PORT)
        run_sync "$section" "$server" "${pre}POP3 -> IMAP" "$bin" "pop3s://popsrc$u@127.0.0.1:$port" \
          "popdst$u" "$state" "$r_distinct" "$r_distinct" "$r_bytes"
        if want noop; then
          run_sync "$section" "$server" "${pre}POP3 re-run, nothing new" "$bin" \
            "pop3s://popsrc$u@127.0.0.1:$port" "popdst$u" "$state" 0 "$r_distinct" 0
        fi
        drop_users "$server" "popsrc$u" "popdst$u"
      fi
      if want pst && [[ -r $pst ]]; then
        psection="PST $(basename "$pst"), $(($(stat -c %s "$pst") / 1000000)) MB"
        state=$work/state/$server-pst$u.db
        run_sync "$psection" "$server" "${pre}PST -> IMAP" "$bin" "pst:$pst" "pstdst$u" "$state" \
          71 71 "$(stat -c %s "$pst")"
        if [[ $n -eq 1 ]]; then
          # The reference: the server's own import of the very messages
          # mailferry stored, from a Maildir copy (sdbox to sdbox would only
          # make hard links).
          export_dir=$work/src/pst-export-$server-$round
          mkdir -p "$export_dir"
          chown "$(stat -c %u:%g "$(dirname "$(server_var "$server" DOVECOT_CONF)")/mail")" "$export_dir"
          doveadm_on "$server" backup -u "pstdst$u" "maildir:$export_dir/Maildir"
          timed "$work/out/import-pst" doveadm -c "$(server_var "$server" DOVECOT_CONF)" import -u "pstref$round" \
            "maildir:$export_dir/Maildir" "" all
          got=$(count_messages "$server" "pstref$round")
          record "$psection" "$server" "doveadm import (the same 71 messages)" doveadm 71 \
            "$(stat -c %s "$pst")" "$WALL" "$RSS" "$CPU" \
            "$([[ $RC -eq 0 && $got -eq 71 ]] && echo ok || echo "FAILED(rc=$RC,got=$got)")"
          rm -rf "$export_dir"
          drop_users "$server" "pstref$round"
        fi
        if want noop; then
          run_sync "$psection" "$server" "${pre}PST re-run, nothing new" "$bin" "pst:$pst" "pstdst$u" \
            "$state" 0 71 0
        fi
        drop_users "$server" "pstdst$u"
      fi
    done
  done
done

# --- IMAP -> IMAP: the realistic mailbox in an IMAP account, then the small
# ones (fsync off) ---
if want imap; then
  for server in "${fsync_servers[@]}"; do
    section="IMAP -> IMAP, $r_name realistic mailbox, $((r_bytes / 1000000)) MB"
    echo "== $section, Dovecot with fsync $([[ $server == durable ]] && echo on || echo off)"
    for round in $(seq 1 "$repeat"); do
      [[ $repeat -eq 1 ]] || echo "   round $round of $repeat"
      imap_case "$section" "$server" "r$round" "$work/src/realistic/realistic.mbox" "$r_messages" \
        "$r_distinct" "$r_bytes"
    done
  done
  for count in $imap_scale; do
    section="IMAP -> IMAP, $count small messages"
    echo "== $section"
    read -r s_messages s_distinct s_bytes < <(gen small "$work/src/small-$count/small-$count.mbox" --messages "$count")
    imap_case "$section" fast "s$count" "$work/src/small-$count/small-$count.mbox" "$s_messages" \
      "$s_distinct" "$s_bytes"
    # The scaling case below generates it again if it needs it.
    [[ $keep == yes ]] || rm -rf "$work/src/small-$count" "$work/src/small-$count.json"
  done
fi

# --- scaling with the number of messages (small messages, fsync off) ---
if want scale; then
  for count in $scale; do
    section="scaling: $count small messages"
    echo "== $section"
    read -r s_messages s_distinct s_bytes < <(gen small "$work/src/small-$count/small-$count.mbox" --messages "$count")
    import_mbox "$section" fast "sref$count" "$work/src/small-$count/small-$count.mbox" "$s_messages" "$s_bytes" \
      "doveadm import (mbox)"
    n=0
    for bin in "${tools[@]}"; do
      n=$((n + 1))
      pre=$(tool_label "$bin")
      state=$work/state/small$count-$n.db
      run_sync "$section" fast "${pre}mbox -> IMAP" "$bin" "mbox:$work/src/small-$count/small-$count.mbox" \
        "small$count-$n" "$state" "$s_distinct" "$s_distinct" "$s_bytes"
      # State deleted first, as in the 5k cases (Dovecot's cache).
      run_sync "$section" fast "${pre}re-run, state deleted" "$bin" \
        "mbox:$work/src/small-$count/small-$count.mbox" "small$count-$n" "$state.fresh" 0 "$s_distinct" 0
      run_sync "$section" fast "${pre}re-run, nothing new" "$bin" "mbox:$work/src/small-$count/small-$count.mbox" \
        "small$count-$n" "$state" 0 "$s_distinct" 0
      sync_extra=(--max-messages-per-second 100000)
      run_sync "$section" fast "${pre}re-run, nothing new, throttled" "$bin" \
        "mbox:$work/src/small-$count/small-$count.mbox" "small$count-$n" "$state" 0 "$s_distinct" 0
      sync_extra=()
    done
    # The scaling mailboxes are the largest files here: keep the disk free.
    [[ $keep == yes ]] || rm -f "$work/src/small-$count/small-$count.mbox"
    drop_users fast "sref$count" "small$count-1" "small$count-2"
  done
fi

# --- one very large message: streamed, memory must stay small ---
if want big; then
  section="one $big_mb MB message"
  echo "== $section"
  read -r b_messages b_distinct b_bytes < <(gen big "$work/src/big/big.mbox" --size-mb "$big_mb")
  import_mbox "$section" fast bigref "$work/src/big/big.mbox" 1 "$b_bytes" "doveadm import (mbox)"
  n=0
  for bin in "${tools[@]}"; do
    n=$((n + 1))
    run_sync "$section" fast "$(tool_label "$bin")mbox -> IMAP" "$bin" "mbox:$work/src/big/big.mbox" \
      "big$n" "$work/state/big$n.db" 1 1 "$b_bytes"
  done
  [[ $keep == yes ]] || rm -f "$work/src/big/big.mbox"
fi

# --- 20 ms round-trip time: pipelined vs one command at a time ---
# A network namespace whose loopback delays every packet by 10 ms (tc netem),
# with its own Dovecot and mailferry run inside it. Kernels without the netem
# qdisc get a relay that delays each direction by 10 ms instead
# (delay_proxy.py), in front of the fast server.
if want latency; then
  read -r l_messages l_distinct l_bytes < <(gen small "$work/src/latency/latency.mbox" --messages 2000)
  netns=mailferry-bench-$$
  how=
  if ip netns add "$netns" 2>/dev/null; then
    if ip netns exec "$netns" ip link set lo up &&
      ip netns exec "$netns" tc qdisc add dev lo root netem delay 10ms 2>/dev/null; then
      ns_exec="ip netns exec $netns"
      start_server latency
      lserver=latency
      lport=$(server_var latency IMAPS_PORT)
      rtt=$($ns_exec python3 "$here/delay_proxy.py" --probe "$(server_var latency IMAP_PORT)")
      how="netns + tc netem 10 ms each way"
    else
      echo "   this kernel has no netem qdisc (tc qdisc ... netem fails): using delay_proxy.py" >&2
      ip netns del "$netns"
    fi
  fi
  if [[ -z $how ]]; then
    netns=
    lserver=fast
    python3 "$here/delay_proxy.py" 0 "$(server_var fast IMAPS_PORT)" 10 "$work/proxy-imaps" &
    proxy_pids=($!)
    python3 "$here/delay_proxy.py" 0 "$(server_var fast IMAP_PORT)" 10 "$work/proxy-imap" &
    proxy_pids+=($!)
    for _ in $(seq 1 50); do [[ -s $work/proxy-imaps && -s $work/proxy-imap ]] && break; sleep 0.1; done
    lport=$(cat "$work/proxy-imaps")
    rtt=$(python3 "$here/delay_proxy.py" --probe "$(cat "$work/proxy-imap")")
    how="relay delaying 10 ms each way, no netem in this kernel"
  fi
  section="20 ms RTT ($how; IMAP NOOP round trip $rtt ms), 2000 small messages"
  echo "== $section"
  for v in CA_FILE PASSWORD_FILE DOVECOT_CONF; do
    eval "S_latency_$v=\$(server_var $lserver $v)"
  done
  S_latency_IMAPS_PORT=$lport  # run_sync connects to the delayed port
  import_mbox "$section" latency lref "$work/src/latency/latency.mbox" "$l_messages" "$l_bytes" \
    "doveadm import (no network)"
  run_sync "$section" latency "pipelined (default)" "$binary" "mbox:$work/src/latency/latency.mbox" lat1 \
    "$work/state/lat1.db" "$l_distinct" "$l_distinct" "$l_bytes"
  run_sync "$section" latency "one command at a time" "$binary" "mbox:$work/src/latency/latency.mbox" lat2 \
    "$work/state/lat2.db" "$l_distinct" "$l_distinct" "$l_bytes" \
    MAILFERRY_MAX_IN_FLIGHT=1 MAILFERRY_APPEND_BATCH=1
  if [[ -n $compare ]]; then
    run_sync "$section" latency "before: default" "$compare" "mbox:$work/src/latency/latency.mbox" lat3 \
      "$work/state/lat3.db" "$l_distinct" "$l_distinct" "$l_bytes"
  fi
  ns_exec=
fi

echo
python3 "$here/report.py" "$work/header.txt" "$results"
