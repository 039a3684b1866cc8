#!/usr/bin/env bash
# Installs (if missing) and starts Redis on 127.0.0.1.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"

command -v redis-server >/dev/null || apt_install redis-server
dir="$OPENMEET_RUN_DIR/redis-$REDIS_PORT"
if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then
  mkdir -p "$dir"
  redis-server --daemonize yes --port "$REDIS_PORT" --bind 127.0.0.1 \
    --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --save '' --appendonly no
fi
for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG || die "redis did not come up on 127.0.0.1:$REDIS_PORT"
log "redis ready on 127.0.0.1:$REDIS_PORT"
