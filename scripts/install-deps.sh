#!/usr/bin/env bash
# Installs the Debian 12 packages mailferry needs to build, test and run its
# demo. Does nothing when they are all installed already. Needs root (or sudo)
# only when something is missing.
#
# The Dovecot packages are only used for private test servers started by
# tests/dovecot/start-dovecot.sh; the system's own Dovecot service is kept
# from starting while they are installed.
set -euo pipefail

packages=(
  # build
  build-essential cmake pkg-config clang libclang-rt-14-dev
  libcurl4-openssl-dev libssl-dev libcli11-dev nlohmann-json3-dev
  libgmime-3.0-dev libpst-dev libsqlite3-dev
  # tests and demo
  doctest-dev pst-utils dovecot-imapd dovecot-pop3d openssl python3
  # man pages
  groff-base man-db
  # the benchmark's peer for Maildir -> IMAP (bench/run.sh: mbsync rows)
  isync
)

missing=()
for p in "${packages[@]}"; do
  if [[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null) != ii* ]]; then
    missing+=("$p")
  fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages are installed"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "install-deps: run as root, or install these packages: ${missing[*]}" >&2
    exit 1
  fi
fi

# Keep package scripts from starting services (the system Dovecot above all):
# a policy-rc.d that denies every start, removed again afterwards unless one
# was there before.
policy=/usr/sbin/policy-rc.d
created_policy=no
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
  "${sudo[@]}" chmod 755 "$policy"
  created_policy=yes
fi
cleanup() {
  if [[ $created_policy == yes ]]; then "${sudo[@]}" rm -f "$policy"; fi
}
trap cleanup EXIT

apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get)
"${apt[@]}" update -q
"${apt[@]}" install -y -q "${missing[@]}"
