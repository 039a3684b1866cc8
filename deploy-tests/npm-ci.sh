#!/usr/bin/env bash
# Installs deploy-tests' npm tools (the HCL parser) exactly as package-lock.json pins them.
# Skips the install when node_modules already matches the lock file, so offline builds work.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
command -v npm >/dev/null || { echo "deploy-tests: npm is missing (Node 20 from Debian or nodesource)" >&2; exit 1; }
stamp=node_modules/.openmeet-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f node_modules/@cdktf/hcl2json/package.json ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  echo "deploy-tests: node_modules matches package-lock.json"
  exit 0
fi
npm ci --prefer-offline --no-audit --no-fund
echo "$want" > "$stamp"
