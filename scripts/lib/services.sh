#!/usr/bin/env bash
# Brings up every backing service on 127.0.0.1: PostgreSQL, Redis, Prosody. Idempotent and fast when all run.
# Also installs (if missing) Debian's redis-sentinel, which the Redis failover tests run (scripts/lib/redis-ha.sh;
# without it they fall back to `redis-server --sentinel`), so that no test has to wait for apt.
set -euo pipefail
here="$(dirname "${BASH_SOURCE[0]}")"
. "$here/env.sh"
"$here/postgres.sh"
"$here/redis.sh"
"$here/prosody.sh"
if ! command -v redis-sentinel >/dev/null && [ "$(id -u)" = 0 ]; then
  (apt_install redis-sentinel) || log "redis-sentinel could not be installed: the Redis failover tests use redis-server --sentinel"
fi
