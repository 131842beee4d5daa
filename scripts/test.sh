#!/usr/bin/env bash
# The whole test suite — the README's test command; .ci/run runs exactly this.
#
#   bash scripts/test.sh            # install what is missing, build, run everything
#
# Stages: (1) install Debian packages; (2) build with g++-12, warnings as errors, then
# clang-tidy-14 over what it compiled; (3) the unit and named-integration tests again under
# ASan+UBSan; (4) every fuzz target for a bounded time; (5) the
# benchmark in smoke mode (proves it runs and checks its result; no timing assertions);
# (6) the whole ctest suite: unit, integration (real BIND 9 named on loopback) and kube
# (real kube-apiserver + etcd on loopback, built once by tools/testbed/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${ZK_JOBS:-2}
FUZZ_SECONDS=${ZK_FUZZ_SECONDS:-30}

# ccache hits across clones in other directories (CI builds a fresh clone every time).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true

step() { printf '\n==== %s (%s)\n' "$*" "$(date +%T)"; }

step "install dependencies"
bash scripts/install-deps.sh

step "format check (clang-format-14) and layer check (scripts/layers.py)"
bash scripts/format.sh --check
python3 scripts/layers.py

step "build (g++-12, -Werror)"
cmake -S . -B build -G Ninja -DCMAKE_CXX_COMPILER=g++-12 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DZK_WERROR=ON >/dev/null
ninja -C build -j"$JOBS"

step "clang-tidy-14 over every file the build compiles (scripts/tidy.py; cached by its inputs)"
python3 scripts/tidy.py --build build --jobs "$JOBS"

step "promtool (metrics and alert rule checks; built from the Go module proxy, cached by version)"
bash tools/promtool/build.sh

step "unit and integration tests under ASan+UBSan (g++-12)"
# g++-12: it instruments the coroutine code fully (docs/architecture.md, "Toolchain").
cmake -S . -B build-asan -G Ninja -DCMAKE_CXX_COMPILER=g++-12 -DCMAKE_BUILD_TYPE=Debug \
  -DZK_WERROR=ON -DZK_SANITIZE=ON -DZK_BUILD_BENCH=OFF >/dev/null
ninja -C build-asan -j"$JOBS"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ctest --output-on-failure -L "unit|integration")

step "fuzz targets, ${FUZZ_SECONDS}s each (clang-14 libFuzzer + ASan/UBSan)"
bash scripts/fuzz.sh "$FUZZ_SECONDS"

step "benchmark smoke run"
ZK_BUILD_DIR=build bench/dns-apply --quick

if [ -d src/kube ]; then
  step "Kubernetes test bed (control plane, node binaries, CNI plugins; cached by version)"
  bash tools/testbed/build.sh
  bash tools/helm/build.sh
  # cert-manager's controller and CRDs for tests/e2e/test_28_certificates.py (Go module proxy).
  bash tools/cert-manager/build.sh
  step "browser suite's playwright-core (npm, pinned by tests/e2e/ui/package-lock.json)"
  bash tests/e2e/ui/install.sh
fi

step "all tests: unit, integration (real named), kube (real kube-apiserver), node (real kubelet)"
(cd build && ctest --output-on-failure --timeout 900)

step "end-to-end suite again with the ASan+UBSan controller (build-asan/)"
# The controller's coroutines and shutdown under the sanitizers: any report fails the stage.
san_dir=$(mktemp -d)
ZK_BUILD_DIR=build-asan ZK_E2E_TIMEOUT=90 \
  ASAN_OPTIONS=detect_leaks=1:log_path=$san_dir/asan UBSAN_OPTIONS=print_stacktrace=1:log_path=$san_dir/ubsan \
  "${ZK_PYTHON:-/usr/bin/python3}" -m pytest -q tests/e2e
if compgen -G "$san_dir/*" >/dev/null; then
  cat "$san_dir"/* >&2
  echo "sanitizer reports from the controller (above)" >&2
  exit 1
fi
rm -rf "$san_dir"

step "benchmark smoke runs on the real servers (full sizes: bench/README.md)"
for b in latency converge idle ingress local-edit image technitium ui churn; do
  ZK_BUILD_DIR=build bench/$b --quick | tail -1
done
# Two replicas dividing the zones (--shards, docs/sharding.md).
ZK_BUILD_DIR=build bench/converge --quick --replicas 2 | tail -1
