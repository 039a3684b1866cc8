#!/usr/bin/env bash
# The web-app's whole check with the machine's node/npm: clean install from the lock file, type-check and
# build into dist/, then the vitest suite. Usable from scripts/test or CI: `web-app/check.sh`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
command -v npm >/dev/null || { echo "web-app: npm is not installed (apt-get install nodejs npm)" >&2; exit 1; }
npm ci --no-audit --no-fund
npm run build
npm test
