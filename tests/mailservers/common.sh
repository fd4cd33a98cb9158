# shellcheck shell=bash
# Shell functions shared by the test-server scripts (tests/dovecot/,
# tests/cyrus/, tests/courier/); sourced, not run: a private CA, free
# loopback ports, one password for every user, and the processes of an
# instance.

# Writes DIR/tls/ca.pem (the CA the clients trust) and DIR/tls/server.pem +
# server.key (for localhost and 127.0.0.1); the CA's key is thrown away.
make_test_tls() {
  local tls=$1/tls
  mkdir -p "$tls"
  chmod 700 "$tls"
  openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -keyout "$tls/ca.key" -out "$tls/ca.pem" -days 3650 -sha256 \
    -subj "/O=mailferry test/CN=mailferry test CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -keyout "$tls/server.key" -out "$tls/server.csr" \
    -subj "/O=mailferry test/CN=localhost" 2>/dev/null
  cat >"$tls/server.ext" <<'EXT'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
EXT
  openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" \
    -set_serial "0x$(openssl rand -hex 16)" -days 825 -sha256 \
    -extfile "$tls/server.ext" -out "$tls/server.pem" 2>/dev/null
  rm -f "$tls/server.csr" "$tls/server.ext" "$tls/ca.key"
  chmod 600 "$tls/server.key"
  chmod 644 "$tls/ca.pem" "$tls/server.pem"
}

# Writes DIR/password (mode 600): one line that a client must quote. It holds
# a space (IMAP atoms end there; POP3's PASS takes the rest of the line), a
# double quote and a backslash (both escaped inside an IMAP quoted string).
make_test_password() {
  (umask 077 && printf 'pw "x\\y %s\n' "$(openssl rand -hex 8)" >"$1/password")
}

# Reads DIR/password without its line end.
read_test_password() {
  local line
  IFS= read -r line <"$1/password"
  printf '%s' "$line"
}

port_answers() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Prints a port of 127.0.0.1 that nothing answers on and that is not in the
# array "picked" yet (the caller adds it). Another instance starting at the
# same time may pick it too: the caller checks after the start that its own
# server holds each port (server_holds_ports) and retries otherwise.
pick_port() {
  local p
  while :; do
    # Below Linux's ephemeral range, so outgoing connections never hold them.
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
    case " ${picked[*]-} " in *" $p "*) continue ;; esac
    port_answers "$p" && continue
    echo "$p"
    return
  done
}

# True when the processes PIDS (space-separated, $1) have sockets listening
# on 127.0.0.1 at every one of PORT... A server that could not bind a port
# (taken by a parallel start) may keep running without it, so answering on
# the port is not enough.
server_holds_ports() {
  local pids=$1 pid port hex fds listening
  shift
  fds=$(for pid in $pids; do ls -l "/proc/$pid/fd" 2>/dev/null; done)
  # "ADDRESS:PORT INODE" of every listening TCP socket, ports in hex.
  listening=$(awk '$4 == "0A" { print $2, $10 }' /proc/net/tcp)
  for port; do
    printf -v hex '0100007F:%04X' "$port"
    [[ $listening =~ (^|$'\n')$hex\ ([0-9]+) ]] || return 1
    [[ $fds == *"socket:[${BASH_REMATCH[2]}]"* ]] || return 1
  done
}

# Prints "STATE PPID" of a process, nothing when it is gone.
state_and_parent() {
  local line state ppid rest
  { read -r line <"/proc/$1/stat"; } 2>/dev/null || return 0
  line=${line##*) } # drop "pid (comm) "; comm may hold spaces
  read -r state ppid rest <<<"$line"
  echo "$state $ppid"
}

# Every descendant of PID, children before grandchildren. One pass over
# /proc/*/stat ("pid (comm) state ppid ..."; comm may hold spaces and
# parentheses, so the fields are counted from the last ")").
descendants_of() {
  cat /proc/[0-9]*/stat 2>/dev/null | awk -v root="$1" '
    { rest = $0; sub(/.*\) /, "", rest); split(rest, f, " "); parent[$1] = f[2] }
    END {
      queue[1] = root; n = 1
      for (i = 1; i <= n; i++)
        for (p in parent)
          if (parent[p] == queue[i]) { print p; queue[++n] = p }
    }'
}

# True while PID runs (a zombie counts as gone).
process_alive() {
  local s
  s=$(state_and_parent "$1")
  [[ -n $s && $s != Z* ]]
}

# Debian's python3: a version manager's shim in PATH can take most of a
# second to start, and the scripts start Python on every server start.
python3_path() {
  if [[ -x /usr/bin/python3 ]]; then echo /usr/bin/python3; else command -v python3; fi
}

# The mount namespace of PID, as "mnt:[INODE]"; nothing when it is gone.
mount_namespace_of() {
  readlink "/proc/$1/ns/mnt" 2>/dev/null || true
}

# Every process in the mount namespace NS (from mount_namespace_of): a server
# run in a private namespace is exactly those processes, even ones whose
# parent died. Prints nothing for this shell's own namespace, which the
# system's processes share.
processes_in_namespace() {
  local ns=$1 pattern
  [[ $ns == mnt:\[*\] && $ns != "$(readlink /proc/self/ns/mnt)" ]] || return 0
  pattern=${ns//[/\\[}
  pattern=${pattern//]/\\]}
  find /proc/[0-9]*/ns/mnt -maxdepth 0 -lname "$pattern" 2>/dev/null | cut -d/ -f3
}
