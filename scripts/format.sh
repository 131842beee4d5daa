#!/usr/bin/env bash
# clang-format-14 over our C++ sources. --check fails on any difference (CI); no flag rewrites.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=(-i)
[ "${1:-}" = "--check" ] && mode=(--dry-run --Werror)
git ls-files '*.cc' '*.h' | xargs -r clang-format-14 "${mode[@]}"
