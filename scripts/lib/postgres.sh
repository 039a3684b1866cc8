#!/usr/bin/env bash
# Installs (if missing) and starts PostgreSQL on 127.0.0.1, with the project's role and databases.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
load_secrets

if [ ! -x "/usr/lib/postgresql/${PG_VERSION}/bin/postgres" ]; then
  apt_install "postgresql-${PG_VERSION}"
fi
if ! pg_lsclusters -h | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" '$1==v && $2==c {f=1} END {exit !f}'; then
  pg_createcluster "$PG_VERSION" "$PG_CLUSTER" --port "$PG_PORT" >/dev/null
fi
port=$(pg_lsclusters -h | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" '$1==v && $2==c {print $3}')
[ "$port" = "$PG_PORT" ] \
  || die "cluster $PG_VERSION/$PG_CLUSTER listens on port $port, not PG_PORT=$PG_PORT (pg_dropcluster it, or use its port)"
if ! pg_lsclusters -h | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" '$1==v && $2==c && $4 ~ /online/ {f=1} END {exit !f}'; then
  pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start
fi
for _ in $(seq 1 60); do pg_isready -q -h 127.0.0.1 -p "$PG_PORT" && break; sleep 0.5; done
pg_isready -q -h 127.0.0.1 -p "$PG_PORT" || die "postgres did not come up on 127.0.0.1:$PG_PORT"

psql_su() { runuser -u postgres -- psql -p "$PG_PORT" -v ON_ERROR_STOP=1 -qtA "$@"; }
if [ "$(psql_su -c "SELECT 1 FROM pg_roles WHERE rolname='${DB_USER}'")" != "1" ]; then
  psql_su -c "CREATE ROLE \"${DB_USER}\" LOGIN CREATEDB PASSWORD '${DB_PASSWORD}'"
else
  psql_su -c "ALTER ROLE \"${DB_USER}\" LOGIN CREATEDB PASSWORD '${DB_PASSWORD}'"
fi
for db in "$DB_NAME" "$DB_TEST_NAME"; do
  if [ "$(psql_su -c "SELECT 1 FROM pg_database WHERE datname='${db}'")" != "1" ]; then
    psql_su -c "CREATE DATABASE \"${db}\" OWNER \"${DB_USER}\""
  fi
done
log "postgres ready on 127.0.0.1:$PG_PORT (databases $DB_NAME, $DB_TEST_NAME)"
