#!/usr/bin/env bash
# Installs what the browser suite needs, idempotently: Debian's Chromium (scripts/install-deps.sh
# installs it with the other packages; checked here) and playwright-core at the version
# package-lock.json pins, into tests/e2e/ui/node_modules (skipped when already there).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [[ ! -x /usr/bin/chromium ]]; then
  echo "ui/install.sh: /usr/bin/chromium is missing: run scripts/install-deps.sh" >&2
  exit 1
fi
want="$(node -e 'console.log(require(process.argv[1]).packages["node_modules/playwright-core"].version)' \
  "$here/package-lock.json")"
have="$(node -e 'try { console.log(require(process.argv[1]).version) } catch (e) { console.log("") }' \
  "$here/node_modules/playwright-core/package.json")"
if [[ "$have" == "$want" ]]; then
  echo "ui/install.sh: playwright-core $have present"
  exit 0
fi
echo "ui/install.sh: installing playwright-core $want"
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
