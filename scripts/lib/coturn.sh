#!/usr/bin/env bash
# coturn (Debian's package) as the local TURN relay: TURN over UDP and TCP on TURN_PORT, TURN over TLS on
# TURN_TLS_PORT, and short-lived REST credentials (`use-auth-secret`): room-api signs them with the same
# secret (signalling/TurnCredentials) and hands them to browsers in `joined.iceServers`.
#   scripts/lib/coturn.sh start     installs coturn if missing, renders its configuration, starts it (or
#                                   restarts it when the configuration changed) and waits for its ports
#   scripts/lib/coturn.sh stop      stops the coturn this script started (by its pid file)
#   scripts/lib/coturn.sh env       prints TURN_URIS and TURN_SECRET as room-api reads them
# Sourced, it defines coturn_start, coturn_stop and coturn_export (exports TURN_URIS, TURN_SECRET and
# TURN_CERT_FILE, the certificate a test browser must be told to trust: Chromium checks TURN/TLS
# certificates like any other).
# Local values (each can be overridden): TURN_LISTEN_IP 127.0.0.1, TURN_PORT 3478, TURN_TLS_PORT 5349
# (production: 443), TURN_RELAY_IP (default: TURN_LISTEN_IP), relay ports TURN_MIN_PORT..TURN_MAX_PORT
# (49152..49407: room for every test browser's allocations), realm TURN_REALM ($XMPP_DOMAIN). Loopback
# peers are allowed because the local bridges listen on 127.0.0.1 — never in production. The secret is
# generated once into .local/turn/secret and the TLS certificate (self-signed, subjectAltName
# IP:TURN_LISTEN_IP and DNS:localhost) into .local/turn/; state and log: $OPENMEET_RUN_DIR/coturn-<port>/.

. "$(dirname "${BASH_SOURCE[0]}")/env.sh"

export TURN_LISTEN_IP="${TURN_LISTEN_IP:-127.0.0.1}"
export TURN_PORT="${TURN_PORT:-3478}"
export TURN_TLS_PORT="${TURN_TLS_PORT:-5349}"
export TURN_RELAY_IP="${TURN_RELAY_IP:-$TURN_LISTEN_IP}"
export TURN_MIN_PORT="${TURN_MIN_PORT:-49152}"
export TURN_MAX_PORT="${TURN_MAX_PORT:-49407}"
export TURN_REALM="${TURN_REALM:-$XMPP_DOMAIN}"
TURN_DIR="$OPENMEET_LOCAL/turn"
COTURN_STATE_DIR="$OPENMEET_RUN_DIR/coturn-$TURN_PORT"

# The secret and the certificate, made once per checkout.
_coturn_material() {
  mkdir -p "$TURN_DIR"; chmod 700 "$TURN_DIR"
  [ -s "$TURN_DIR/secret" ] || (umask 077; random_secret > "$TURN_DIR/secret")
  if [ ! -s "$TURN_DIR/turn.crt" ] || ! openssl x509 -in "$TURN_DIR/turn.crt" -noout -ext subjectAltName 2>/dev/null \
      | grep -q "IP Address:$TURN_LISTEN_IP"; then
    (umask 077
     openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=openmeet local TURN" \
       -addext "subjectAltName=IP:$TURN_LISTEN_IP,DNS:localhost" \
       -keyout "$TURN_DIR/turn.key" -out "$TURN_DIR/turn.crt" 2>/dev/null) \
      || die "cannot make the TURN certificate in $TURN_DIR"
  fi
}

# TURN_URIS and TURN_SECRET for room-api: UDP first (the cheapest relay), then TCP and TLS for
# networks that only let TCP (or only TLS on 443) out.
coturn_export() {
  _coturn_material
  TURN_SECRET="$(cat "$TURN_DIR/secret")"
  TURN_CERT_FILE="$TURN_DIR/turn.crt"
  TURN_URIS="turn:$TURN_LISTEN_IP:$TURN_PORT?transport=udp,turn:$TURN_LISTEN_IP:$TURN_PORT?transport=tcp,turns:$TURN_LISTEN_IP:$TURN_TLS_PORT?transport=tcp"
  export TURN_SECRET TURN_URIS TURN_CERT_FILE
}

_coturn_running() {
  local pid
  [ -s "$COTURN_STATE_DIR/turnserver.pid" ] || return 1
  pid=$(cat "$COTURN_STATE_DIR/turnserver.pid")
  kill -0 "$pid" 2>/dev/null && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q turnserver
}

coturn_stop() {
  local pid
  if _coturn_running; then
    pid=$(cat "$COTURN_STATE_DIR/turnserver.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$COTURN_STATE_DIR/turnserver.pid"
}

coturn_start() {
  command -v turnserver >/dev/null || apt_install coturn
  coturn_export
  mkdir -p "$COTURN_STATE_DIR"; chmod 700 "$COTURN_STATE_DIR"
  local cfg="$COTURN_STATE_DIR/turnserver.conf"
  (umask 077; cat > "$cfg.new" <<CONF
# rendered by scripts/lib/coturn.sh; holds the secret
listening-ip=$TURN_LISTEN_IP
relay-ip=$TURN_RELAY_IP
listening-port=$TURN_PORT
tls-listening-port=$TURN_TLS_PORT
min-port=$TURN_MIN_PORT
max-port=$TURN_MAX_PORT
realm=$TURN_REALM
use-auth-secret
static-auth-secret=$TURN_SECRET
cert=$TURN_DIR/turn.crt
pkey=$TURN_DIR/turn.key
no-tlsv1
no-tlsv1_1
no-dtls
fingerprint
no-cli
no-multicast-peers
allow-loopback-peers
no-software-attribute
pidfile=$COTURN_STATE_DIR/turnserver.pid
log-file=$COTURN_STATE_DIR/turnserver.log
simple-log
no-stdout-log
CONF
  )
  if _coturn_running && ! cmp -s "$cfg" "$cfg.new"; then
    log "coturn configuration changed: restarting"
    coturn_stop
  fi
  mv "$cfg.new" "$cfg"
  if ! _coturn_running; then
    ! port_taken "$TURN_PORT" u || die "UDP port $TURN_PORT is in use by another program: coturn needs it (set TURN_PORT)"
    ! port_taken "$TURN_TLS_PORT" || die "TCP port $TURN_TLS_PORT is in use by another program: coturn needs it (set TURN_TLS_PORT)"
    rm -f "$COTURN_STATE_DIR/turnserver.pid"
    turnserver -c "$cfg" --daemon >/dev/null 2>&1 || die "coturn did not start (see $COTURN_STATE_DIR/turnserver.log)"
  fi
  for _ in $(seq 1 100); do
    port_taken "$TURN_PORT" u && port_taken "$TURN_TLS_PORT" && break
    sleep 0.1
  done
  port_taken "$TURN_PORT" u && port_taken "$TURN_TLS_PORT" \
    || die "coturn does not listen on $TURN_LISTEN_IP:$TURN_PORT/udp and :$TURN_TLS_PORT/tls (see $COTURN_STATE_DIR/turnserver.log)"
  log "coturn ready: turn:$TURN_LISTEN_IP:$TURN_PORT (udp, tcp), turns:$TURN_LISTEN_IP:$TURN_TLS_PORT, relay $TURN_RELAY_IP:$TURN_MIN_PORT-$TURN_MAX_PORT"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  case "${1:-}" in
    start) coturn_start ;;
    stop) coturn_stop ;;
    env) coturn_export; printf 'TURN_URIS=%s\nTURN_SECRET=%s\n' "$TURN_URIS" "$TURN_SECRET" ;;
    *) sed -n '2,17p' "$0" >&2; exit 2 ;;
  esac
fi
