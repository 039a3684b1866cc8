#!/usr/bin/env bash
# Installs Debian's Chromium and chromedriver if missing (never a browser downloaded by a tool) and
# prints their versions. Browser tests launch /usr/bin/chromium through playwright-core's executablePath.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  apt_install chromium chromium-driver
fi
# Debian's /etc/chromium.d/dev-shm prints a harmless "[: …: unexpected operator" line; hide it.
chromium_version="$(chromium --version 2>/dev/null | grep -v 'unexpected operator' || true)"
[ -n "$chromium_version" ] || die "chromium is installed but does not run"
log "chromium: $chromium_version ($(command -v chromium))"
log "chromedriver: $(chromedriver --version 2>/dev/null | head -1)"
