#!/usr/bin/env bash
# The README's first command: installs what is needed, builds zonekeeper, and runs local mode
# on examples/cluster/ (the same manifests a cluster would get): zonekeeper starts a BIND 9
# named on 127.0.0.1:5300 with a configuration it writes in $ZK_DEMO_DIR, serves the folder,
# and follows edits to it. Ctrl-C stops zonekeeper and named.
#
#   bash scripts/demo.sh            # runs in the foreground until Ctrl-C
#   ZK_DEMO_PORT=5353 bash scripts/demo.sh
# (5300, not local mode's default 5353: on desktops avahi-daemon often holds 5353 for mDNS.)
set -euo pipefail
cd "$(dirname "$0")/.."
STATE=${ZK_DEMO_DIR:-/tmp/zonekeeper-local-demo}
PORT=${ZK_DEMO_PORT:-5300}

if [ "${1:-}" = "--stop" ]; then
  # Local mode stops with Ctrl-C; this only stops a named left by the earlier demo script.
  old=/tmp/zonekeeper-demo
  [ -f "$old/env" ] && bash tools/named/stop-named.sh "$old"
  exit 0
fi

bash scripts/install-deps.sh >&2
cmake -S . -B build -G Ninja -DCMAKE_CXX_COMPILER=g++-12 -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build zonekeeper >&2

echo "== zonekeeper local: examples/cluster/ served by BIND 9 on 127.0.0.1:$PORT. In another terminal:"
echo "   dig @127.0.0.1 -p $PORT www.example.test A +short"
echo "   then edit examples/cluster/40-records.yaml and dig again. Ctrl-C stops zonekeeper and named."
exec build/zonekeeper local --manifests examples/cluster --listen "127.0.0.1:$PORT" \
  --state-dir "$STATE"
