#!/usr/bin/env bash
# The README's first command: installs what is needed, builds zonekeeper, and runs its main
# job on an embedded default. Until local mode lands (issue: local mode), the main job shown
# is the DNS engine on a real BIND 9: a throw-away named on a loopback port, examples/zone.yaml
# imported with a TSIG-signed atomic UPDATE, then exported back via AXFR.
#
#   bash scripts/demo.sh            # leaves named running and prints the dig to try
#   bash scripts/demo.sh --stop     # stops the demo's named
set -euo pipefail
cd "$(dirname "$0")/.."
STATE=${ZK_DEMO_DIR:-/tmp/zonekeeper-demo}

if [ "${1:-}" = "--stop" ]; then
  bash tools/named/stop-named.sh "$STATE"
  exit 0
fi

bash scripts/install-deps.sh >&2
cmake -S . -B build -G Ninja -DCMAKE_CXX_COMPILER=g++-12 -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build zonekeeper >&2

[ -f "$STATE/env" ] && bash tools/named/stop-named.sh "$STATE" >/dev/null 2>&1 || true
bash tools/named/start-named.sh "$STATE" example.test >&2
set -a
# shellcheck disable=SC1091
. "$STATE/env"
set +a
port=${ZK_DNS_SERVER##*:}

echo "== zonekeeper import examples/zone.yaml (the diff, then one atomic UPDATE)"
build/zonekeeper import examples/zone.yaml --server "$ZK_DNS_SERVER" --zone example.test \
  --tsig-key-file "$ZK_TSIG_KEY_FILE"
echo
echo "== zonekeeper export (AXFR, TSIG-verified)"
build/zonekeeper export --server "$ZK_DNS_SERVER" --zone example.test --tsig-key-file "$ZK_TSIG_KEY_FILE"
echo
echo "== named is serving example.test on 127.0.0.1:$port. Try:"
echo "   dig @127.0.0.1 -p $port www.example.test A +short"
echo "   dig @127.0.0.1 -p $port example.test MX +short"
echo "   build/zonekeeper export --server $ZK_DNS_SERVER --zone example.test --tsig-key-file $ZK_TSIG_KEY_FILE"
echo "   Edit examples/zone.yaml and run the import again; stop with: bash scripts/demo.sh --stop"
