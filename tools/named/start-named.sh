#!/usr/bin/env bash
# Starts a throw-away BIND 9 primary on a free loopback port for the given zones.
#
#   tools/named/start-named.sh DIR ZONE...      e.g.  tools/named/start-named.sh /tmp/zk example.test
#   set -a; . DIR/env; set +a                   ZK_DNS_SERVER, ZK_TSIG_KEY_FILE, ZK_NAMED_PID, ...
#   tools/named/stop-named.sh DIR
#
# The same server shape as tests/support (zk::testbed::NamedServer): named.conf, a TSIG key from
# tsig-keygen (ZK_TSIG_ALGORITHM, default hmac-sha256; ZK_TSIG_KEY_NAME, default zk-key) that
# may change everything in the zones, a keyed rndc channel with allow-new-zones (rndc addzone),
# zone files with SOA + NS ns1.<zone> + glue. Never port 53; nothing outside DIR is written
# except a lock in /tmp/zk-loopback-ports, held by named itself while it runs.
# A primary sends no NOTIFY of its own (`notify explicit` with no also-notify list): zone data
# may name name servers outside loopback, and tests want their NOTIFYs to be explicit.
#
# More options by environment:
#   ZK_TSIG_KEY_FILE=FILE          use this tsig-keygen key file (name and algorithm from it)
#   ZK_NAMED_PRIMARY=127.0.0.1:P   start a SECONDARY of that primary for the ZONEs instead:
#                                  transfers with the TSIG key, accepts NOTIFY from loopback,
#                                  sends none, and refreshes only on NOTIFY (min-refresh-time
#                                  1 day), so a test sees exactly what its NOTIFYs bring
#   ZK_NAMED_PORT, ZK_NAMED_CONTROL_PORT   these ports instead of free ones (e.g. to restart a
#                                  server where its clients expect it); fails if one is taken
#   ZK_NAMED_DNSSEC_POLICIES=1     include DIR/dnssec-policies.conf (made empty if missing), the
#                                  file zonekeeper's agent writes the DNSSEC policies of the zones
#                                  it adds into (as a managed Primary's named.conf does)
set -euo pipefail

usage() {
  echo "usage: $0 DIR ZONE..." >&2
  exit 2
}
[[ $# -ge 2 ]] || usage

dir_arg=$1
shift
mkdir -p "$dir_arg"
dir=$(cd "$dir_arg" && pwd -P)
if [[ "$dir" =~ [[:space:]\"] ]]; then
  echo "start-named: DIR must not contain spaces or quotes: $dir" >&2
  exit 2
fi

find_tool() {
  local tool=$1 d
  if command -v "$tool" >/dev/null 2>&1; then command -v "$tool"; return 0; fi
  for d in /usr/sbin /sbin /usr/local/sbin; do
    if [[ -x "$d/$tool" ]]; then echo "$d/$tool"; return 0; fi
  done
  echo "start-named: $tool not found (apt-get install bind9 bind9-dnsutils)" >&2
  exit 1
}
named=$(find_tool named)
tsig_keygen=$(find_tool tsig-keygen)
dig=$(find_tool dig)

if [[ -f "$dir/env" ]]; then
  old_pid=$(sed -n 's/^ZK_NAMED_PID=//p' "$dir/env")
  if [[ -n "$old_pid" ]] && kill -0 "$old_pid" 2>/dev/null; then
    echo "start-named: a named (pid $old_pid) already runs for $dir; stop it with tools/named/stop-named.sh $dir" >&2
    exit 1
  fi
  rm -f "$dir/env"
fi

zones=()
for z in "$@"; do
  z=${z,,}
  z=${z%.}
  if [[ -z "$z" || ! "$z" =~ ^[a-z0-9_.-]+$ ]]; then
    echo "start-named: unsupported zone name: $z" >&2
    exit 2
  fi
  zones+=("$z")
done

primary=${ZK_NAMED_PRIMARY:-}
role=primary
if [[ -n "$primary" ]]; then
  role=secondary
  if [[ ! "$primary" =~ ^127\.[0-9]+\.[0-9]+\.[0-9]+:[0-9]+$ ]]; then
    echo "start-named: ZK_NAMED_PRIMARY must be 127.x.y.z:PORT (loopback only): $primary" >&2
    exit 2
  fi
fi
if [[ -n "${ZK_TSIG_KEY_FILE:-}" ]]; then
  key_file_in=$(cd "$(dirname "$ZK_TSIG_KEY_FILE")" && pwd -P)/$(basename "$ZK_TSIG_KEY_FILE")
  key_name=$(sed -n 's/^key "\([^"]*\)".*/\1/p' "$key_file_in" | head -n 1)
  algorithm=$(sed -n 's/^[[:space:]]*algorithm \([a-z0-9-]*\);.*/\1/p' "$key_file_in" | head -n 1)
  if [[ -z "$key_name" || -z "$algorithm" ]]; then
    echo "start-named: $ZK_TSIG_KEY_FILE is not a tsig-keygen key file" >&2
    exit 2
  fi
  [[ "$key_file_in" == "$dir/tsig.key" ]] || cp "$key_file_in" "$dir/tsig.key"
else
  algorithm=${ZK_TSIG_ALGORITHM:-hmac-sha256}
  key_name=${ZK_TSIG_KEY_NAME:-zk-key}
  # A key from an earlier run in DIR is kept if it is the one asked for, so clients configured
  # with it keep working across stop/start.
  if ! grep -qF "key \"$key_name\"" "$dir/tsig.key" 2>/dev/null ||
    ! grep -qF "algorithm $algorithm;" "$dir/tsig.key"; then
    "$tsig_keygen" -a "$algorithm" "$key_name" >"$dir/tsig.key"
  fi
fi
"$tsig_keygen" -a hmac-sha256 zk-rndc-key >"$dir/rndc.key"

for z in "${zones[@]}"; do
  [[ "$role" == secondary ]] && break   # a secondary transfers its zones
  [[ -f "$dir/$z.db" ]] && continue   # keep a zone file (and its journal) from an earlier run
  cat >"$dir/$z.db" <<EOF
\$ORIGIN $z.
\$TTL 300
@	IN	SOA	ns1.$z. hostmaster.$z. 1 3600 600 86400 300
@	IN	NS	ns1.$z.
ns1	IN	A	127.0.0.1
EOF
done

# --- ports ---------------------------------------------------------------------------------
# Below the kernel's ephemeral range, unused by any socket (/proc/net), and locked in
# /tmp/zk-loopback-ports like the C++ fixture does: named 9.18 listens with SO_REUSEPORT, so
# two servers on one port would both start and silently split the queries.
lock_dir=/tmp/zk-loopback-ports
mkdir -p "$lock_dir"
chmod 1777 "$lock_dir" 2>/dev/null || true   # shared by every user's test runs
read -r ephemeral_low _ </proc/sys/net/ipv4/ip_local_port_range || ephemeral_low=32768
port_high=$((ephemeral_low - 1))
port_low=$((port_high - 12000 > 1024 ? port_high - 12000 : 1025))

port_in_use() {
  local hex
  hex=$(printf '%04X' "$1")
  awk -v p="$hex" 'FNR > 1 { split($2, a, ":"); if (a[2] == p) found = 1 } END { exit !found }' \
    /proc/net/tcp /proc/net/udp /proc/net/tcp6 /proc/net/udp6 2>/dev/null
}

# Something listens on the port (TCP LISTEN, or a UDP socket): connections of earlier clients
# in TIME_WAIT do not count, so a server can restart on its own port.
port_listened() {
  local hex
  hex=$(printf '%04X' "$1")
  awk -v p="$hex" 'FNR > 1 { split($2, a, ":"); if (a[2] == p && (FILENAME ~ /udp/ || $4 == "0A")) found = 1 }
    END { exit !found }' /proc/net/tcp /proc/net/udp /proc/net/tcp6 /proc/net/udp6 2>/dev/null
}

# reserve_port FD [PORT]: picks a port (or takes PORT), locks it on descriptor FD of this
# shell, sets reserved_port.
reserve_port() {
  local fd=$1 want=${2:-} i p
  if [[ -n "$want" ]]; then
    if [[ ! "$want" =~ ^[0-9]+$ ]] || ((want < 1025 || want > 65535)); then
      echo "start-named: port must be 1025..65535: $want" >&2
      exit 2
    fi
    eval "exec $fd>\"$lock_dir/$want.lock\""
    if port_listened "$want" || ! flock -n "$fd"; then
      echo "start-named: port $want is taken" >&2
      exit 1
    fi
    reserved_port=$want
    return 0
  fi
  for ((i = 0; i < 500; i++)); do
    p=$((port_low + (RANDOM * 32768 + RANDOM) % (port_high - port_low + 1)))
    port_in_use "$p" && continue
    eval "exec $fd>\"$lock_dir/$p.lock\""
    if flock -n "$fd"; then
      reserved_port=$p
      return 0
    fi
    eval "exec $fd>&-"
  done
  echo "start-named: no free loopback port in [$port_low, $port_high]" >&2
  exit 1
}

write_config() {
  local zone_statements="" z role_options=""
  for z in "${zones[@]}"; do
    if [[ "$role" == secondary ]]; then
      zone_statements+="
zone \"$z\" { type secondary; file \"$z.sec.db\"; masterfile-format text; primaries { ${primary%:*} port ${primary##*:} key \"$key_name\"; }; allow-notify { 127.0.0.0/8; }; allow-transfer { key \"$key_name\"; }; notify no; };"
    else
      zone_statements+="
zone \"$z\" { type primary; file \"$z.db\"; update-policy { grant \"$key_name\" zonesub ANY; }; allow-transfer { key \"$key_name\"; }; notify explicit; ixfr-from-differences yes; max-journal-size unlimited; };"
    fi
  done
  if [[ "$role" == secondary ]]; then
    # Refresh only on NOTIFY (and at start); retry soon after a failed transfer.
    role_options="
	min-refresh-time 86400;
	max-refresh-time 86400;
	min-retry-time 1;
	max-retry-time 2;"
  fi
  local policies=""
  if [[ -n "${ZK_NAMED_DNSSEC_POLICIES:-}" ]]; then
    [[ -f "$dir/dnssec-policies.conf" ]] || : >"$dir/dnssec-policies.conf"
    policies="include \"$dir/dnssec-policies.conf\";"
  fi
  cat >"$dir/named.conf" <<EOF
# Written by tools/named/start-named.sh. Throw-away server; stop it with tools/named/stop-named.sh.
include "$dir/tsig.key";
include "$dir/rndc.key";
$policies
# The keys that may update and transfer the zones zonekeeper's agent adds (their options name
# this ACL, never a key: src/managed/named_config kKeysAcl).
acl "zonekeeper-keys" { key "$key_name"; };

options {
	directory "$dir";
	pid-file "$dir/named.pid";
	session-keyfile "$dir/session.key";
	managed-keys-directory "$dir";
	dump-file "$dir/named_dump.db";
	statistics-file "$dir/named.stats";
	listen-on port $port { 127.0.0.1; };
	listen-on-v6 { none; };
	recursion no;
	allow-new-zones yes;
	dnssec-validation no;
	notify explicit;
	notify-delay 0;
	serial-query-rate 1000;
	notify-rate 1000;
	startup-notify-rate 1000;
	max-journal-size unlimited;
	automatic-interface-scan no;$role_options
};

controls {
	inet 127.0.0.1 port $control_port allow { 127.0.0.1; } keys { "zk-rndc-key"; };
};
$zone_statements
EOF
}

# A zombie still answers kill -0: look at the process state instead.
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != Z ]]
}

# --- start, retried with new ports if another process took one meanwhile --------------------
started=""
for attempt in 1 2 3; do
  reserve_port 8 "${ZK_NAMED_PORT:-}"
  port=$reserved_port
  reserve_port 9 "${ZK_NAMED_CONTROL_PORT:-}"
  control_port=$reserved_port
  write_config
  echo "---- start-named.sh: named -g -c $dir/named.conf -n 1 (attempt $attempt) ----" >>"$dir/named.log"
  log_start=$(wc -l <"$dir/named.log")
  # setsid: the server outlives this script and the terminal; it inherits descriptors 8 and 9
  # and so holds the port locks for as long as it runs.
  setsid "$named" -g -c "$dir/named.conf" -n 1 </dev/null >>"$dir/named.log" 2>&1 &
  pid=$!
  exec 8>&- 9>&-
  deadline=$((SECONDS + ${ZK_NAMED_START_TIMEOUT:-15}))
  while ((SECONDS < deadline)); do
    alive "$pid" || break
    if tail -n +"$log_start" "$dir/named.log" | grep -q 'not loaded due to errors'; then
      echo "start-named: a zone did not load:" >&2
      tail -n +"$log_start" "$dir/named.log" | grep -E '\.db:|not loaded' >&2
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      exit 1
    fi
    ready=1
    for z in "${zones[@]}"; do
      # dig +short prints its errors (";; communications error ...") on stdout: only an
      # SOA answer ("ns1.Z. hostmaster.Z. SERIAL ...") counts.
      soa=$("$dig" @127.0.0.1 -p "$port" +tcp +short +norec +time=1 +tries=1 SOA "$z." 2>/dev/null || true)
      if [[ ! "$soa" =~ ^[^[:space:]]+\ [^[:space:]]+\ [0-9]+\  ]]; then ready=""; break; fi
    done
    if [[ -n "$ready" ]]; then started=1; break; fi
    sleep 0.05
  done
  [[ -n "$started" ]] && break
  if alive "$pid"; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    echo "start-named: named did not answer SOA for ${zones[*]} within ${ZK_NAMED_START_TIMEOUT:-15} s" >&2
    tail -n 30 "$dir/named.log" >&2
    exit 1
  fi
  wait "$pid" 2>/dev/null || true
  if ! tail -n +"$log_start" "$dir/named.log" | grep -qE 'address in use|unable to listen'; then
    echo "start-named: named exited while starting" >&2
    tail -n 30 "$dir/named.log" >&2
    exit 1
  fi
  echo "start-named: port taken by another process, retrying" >&2
done
if [[ -z "$started" ]]; then
  echo "start-named: could not start named on a free port" >&2
  exit 1
fi

cat >"$dir/env" <<EOF
ZK_DNS_SERVER=127.0.0.1:$port
ZK_TSIG_KEY_FILE=$dir/tsig.key
ZK_NAMED_PID=$pid
ZK_NAMED_DIR=$dir
ZK_NAMED_CONTROL_PORT=$control_port
ZK_RNDC_KEY_FILE=$dir/rndc.key
ZK_ZONES=$(IFS=,; echo "${zones[*]}")
ZK_NAMED_ROLE=$role
EOF
echo "named (pid $pid) serves ${zones[*]}${primary:+ as secondary of $primary} on 127.0.0.1:$port; TSIG key $key_name ($algorithm) in $dir/tsig.key"
echo "environment in $dir/env; stop with: tools/named/stop-named.sh $dir"
