# Shared settings for the project's scripts. Source it; do not run it.
# Every value can be overridden from the environment; secrets for local runs are generated once into
# .local/ (ignored by git) and never committed.

OPENMEET_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export OPENMEET_ROOT
export OPENMEET_LOCAL="${OPENMEET_LOCAL:-$OPENMEET_ROOT/.local}"
# Service data lives outside the checkout so that the prosody/postgres users can always reach it.
export OPENMEET_RUN_DIR="${OPENMEET_RUN_DIR:-/var/tmp/openmeet}"

export XMPP_DOMAIN="${XMPP_DOMAIN:-meet.local}"
export XMPP_HOST="${XMPP_HOST:-127.0.0.1}"
export XMPP_PORT="${XMPP_PORT:-5222}"
export XMPP_AUTH_DOMAIN="${XMPP_AUTH_DOMAIN:-auth.$XMPP_DOMAIN}"
export XMPP_INTERNAL_MUC="${XMPP_INTERNAL_MUC:-internal.auth.$XMPP_DOMAIN}"
export XMPP_CONFERENCE_MUC="${XMPP_CONFERENCE_MUC:-conference.$XMPP_DOMAIN}"
export BREWERY_ROOM="${BREWERY_ROOM:-jvbbrewery}"
export FOCUS_USER="${FOCUS_USER:-focus}"
export JVB_USER="${JVB_USER:-jvb}"

export PG_VERSION="${PG_VERSION:-15}"
export PG_CLUSTER="${PG_CLUSTER:-main}"
export PG_PORT="${PG_PORT:-5432}"
export DB_NAME="${DB_NAME:-openmeet}"
export DB_TEST_NAME="${DB_TEST_NAME:-openmeet_test}"
export DB_USER="${DB_USER:-openmeet}"

export REDIS_PORT="${REDIS_PORT:-6379}"

export ROOM_API_PORT="${ROOM_API_PORT:-8080}"
# room-api's management interface: /q/metrics (Quarkus's quarkus.management.port), never the main port
export ROOM_API_MANAGEMENT_PORT="${ROOM_API_MANAGEMENT_PORT:-9000}"
# room-api's node link (relayed signalling between nodes): local nodes reach each other on loopback
export OPENMEET_FOCUS_NODE_LINK_ADVERTISED_HOST="${OPENMEET_FOCUS_NODE_LINK_ADVERTISED_HOST:-127.0.0.1}"
# ... and listen on loopback only: a one-machine start has no other node to hear from
export OPENMEET_FOCUS_NODE_LINK_BIND_HOST="${OPENMEET_FOCUS_NODE_LINK_BIND_HOST:-127.0.0.1}"
export BRIDGE_REST_PORT="${BRIDGE_REST_PORT:-8180}"
export BRIDGE_MEDIA_PORT="${BRIDGE_MEDIA_PORT:-10000}"
export BRIDGE_BIND_ADDRESS="${BRIDGE_BIND_ADDRESS:-127.0.0.1}"

log() { printf '[openmeet] %s\n' "$*" >&2; }
die() { printf '[openmeet] error: %s\n' "$*" >&2; exit 1; }

# apt-get update at most once per script run, and only when something must be installed.
_apt_updated=""
apt_install() {
  [ "$(id -u)" = 0 ] || die "installing $* needs root (or install it yourself)"
  if [ -z "$_apt_updated" ]; then
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
    _apt_updated=1
  fi
  log "installing $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null
}

random_secret() { head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24; }

# Generates (once) and loads the local secrets: database and XMPP passwords, the JWT key pair.
load_secrets() {
  mkdir -p "$OPENMEET_LOCAL"
  chmod 700 "$OPENMEET_LOCAL"
  local f="$OPENMEET_LOCAL/secrets.env"
  if [ ! -s "$f" ]; then
    umask 077
    {
      echo "DB_PASSWORD=$(random_secret)"
      echo "FOCUS_PASSWORD=$(random_secret)"
      echo "JVB_PASSWORD=$(random_secret)"
    } > "$f"
    log "generated local secrets in $f"
  fi
  set -a; . "$f"; set +a
  if [ ! -s "$OPENMEET_LOCAL/jwt/privateKey.pem" ]; then
    mkdir -p "$OPENMEET_LOCAL/jwt"
    (umask 077
     openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$OPENMEET_LOCAL/jwt/privateKey.pem" 2>/dev/null
     openssl rsa -pubout -in "$OPENMEET_LOCAL/jwt/privateKey.pem" -out "$OPENMEET_LOCAL/jwt/publicKey.pem" 2>/dev/null)
    log "generated a development JWT key pair in $OPENMEET_LOCAL/jwt"
  fi
  export JWT_PRIVATE_KEY_FILE="$OPENMEET_LOCAL/jwt/privateKey.pem"
  export JWT_PUBLIC_KEY_FILE="$OPENMEET_LOCAL/jwt/publicKey.pem"
}

# Whether something in this network namespace listens on TCP port $1 (UDP with a second argument u).
port_taken() { [ -n "$(ss -H -n "-l${2:-t}" "sport = :$1" 2>/dev/null)" ]; }

# The bridges room-api's focus knows now, one "<id> <healthy 0|1>" per line, from its /q/metrics at
# $1, room-api's management URL (http://127.0.0.1:$ROOM_API_MANAGEMENT_PORT; bridge_healthy gauges
# follow the focus's bridge registry: a bridge that left has none).
focus_bridges() {
  curl -fsS -m 5 "$1/q/metrics" 2>/dev/null \
    | sed -n 's/^bridge_healthy{.*bridge="\([^"]*\)".*} \([0-9.]*\)$/\1 \2/p' \
    | awk '{ print $1, ($2 + 0 >= 1 ? 1 : 0) }'
}

# Waits until room-api with the management URL $1 knows bridge $2 and it is healthy, $3 seconds at most (default 60); with
# a 4th argument --only also until it knows no other bridge (a previous one has left the brewery).
wait_for_focus_bridge() {
  local url=$1 id=$2 limit=${3:-60} only=${4:-} now deadline
  deadline=$((SECONDS + limit))
  while [ "$SECONDS" -lt "$deadline" ]; do
    now=$(focus_bridges "$url")
    if [ "$only" = --only ]; then
      [ "$now" = "$id 1" ] && return 0
    else
      grep -qx "$id 1" <<< "$now" && return 0
    fi
    sleep 0.2
  done
  if curl -fsS -m 5 -o /dev/null "$url/q/metrics" 2>/dev/null; then
    log "room-api's focus knows these bridges (id healthy): $(focus_bridges "$url" | tr '\n' ' ')"
  else
    log "room-api does not answer on $url/q/metrics"
  fi
  return 1
}

# The environment the Java processes read (see room-api's application.properties and lite-bridge's config).
export_app_env() {
  local db="${1:-$DB_NAME}"
  export DB_URL="jdbc:postgresql://127.0.0.1:${PG_PORT}/${db}"
  export REDIS_URL="redis://127.0.0.1:${REDIS_PORT}"
}
