#!/usr/bin/env bash
# Stops the named that tools/named/start-named.sh started for DIR: SIGTERM, then SIGKILL after
# 10 s. Leaves DIR's files (zone files, journals, named.log) for a look; removes DIR/env.
#
#   tools/named/stop-named.sh DIR
set -euo pipefail

[[ $# -eq 1 ]] || { echo "usage: $0 DIR" >&2; exit 2; }
dir=$(cd "$1" 2>/dev/null && pwd -P) || { echo "stop-named: no such directory: $1" >&2; exit 1; }
if [[ ! -f "$dir/env" ]]; then
  echo "stop-named: no $dir/env: nothing started there (or already stopped)" >&2
  exit 0
fi
pid=$(sed -n 's/^ZK_NAMED_PID=//p' "$dir/env")
[[ "$pid" =~ ^[0-9]+$ ]] || { echo "stop-named: no ZK_NAMED_PID in $dir/env" >&2; exit 1; }

# Only signal the process if it is still our named (the pid may have been reused since).
if [[ -r /proc/$pid/cmdline ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "-c $dir/named.conf"; then
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 200; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "stop-named: named (pid $pid) ignored SIGTERM for 10 s; sending SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  echo "stopped named (pid $pid) for $dir"
else
  echo "stop-named: named (pid $pid) for $dir was not running"
fi
rm -f "$dir/env"
