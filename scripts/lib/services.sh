#!/usr/bin/env bash
# Brings up every backing service on 127.0.0.1: PostgreSQL, Redis, Prosody. Idempotent and fast when all run.
set -euo pipefail
here="$(dirname "${BASH_SOURCE[0]}")"
"$here/postgres.sh"
"$here/redis.sh"
"$here/prosody.sh"
