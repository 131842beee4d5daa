#!/usr/bin/env bash
# Installs every Debian package zonekeeper's build, tests, fuzzers and benchmarks need.
# Idempotent: packages already present are skipped; safe to run on every CI start.
# Note: libboost1.81-all-dev conflicts with libboost1.74-dev (the default libboost-dev);
# never add libboost-dev here.
set -euo pipefail

PACKAGES=(
  # toolchain
  g++-12 cmake ninja-build ccache pkg-config git
  clang-14 libclang-rt-14-dev clang-format-14 clang-tidy-14
  # libraries (see docs/architecture.md, "Libraries")
  libboost1.81-all-dev libldns-dev libssl-dev libyaml-cpp-dev prometheus-cpp-dev
  libspdlog-dev libfmt-dev libcli11-dev libexpected-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  # the real DNS test bed and its independent clients
  bind9 bind9-utils bind9-dnsutils
  python3 python3-pytest python3-dnspython python3-yaml
  # the test bed's node (tools/testbed/node.sh): container runtime, pod network, images
  containerd runc iptables busybox-static libc6-dev
  # the web UI's browser suite (tests/e2e/test_17_ui.py: playwright-core drives Debian's Chromium)
  chromium fonts-dejavu-core
  # misc used by scripts
  curl procps iproute2 jq
  # the certificates e2e test reads the issued certificate (openssl x509)
  openssl
)
# Node.js and npm (playwright-core, tests/e2e/ui/install.sh): Debian's, unless a node is there.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  PACKAGES+=(nodejs npm)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
# Debian starts named as a service on install; zonekeeper's tests run their own named
# processes on loopback ports, so the packaged one is stopped where systemd/init exists.
if command -v service >/dev/null 2>&1; then $SUDO service named stop >/dev/null 2>&1 || true; fi
# Likewise containerd: the test bed's node runs its own, with its own socket and state.
if command -v service >/dev/null 2>&1; then $SUDO service containerd stop >/dev/null 2>&1 || true; fi
