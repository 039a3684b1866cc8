#!/usr/bin/env bash
# Installs (if missing) and starts Prosody on 127.0.0.1 from bridge-config/prosody, with the focus and
# bridge accounts. Restarts it when the rendered configuration changed.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
load_secrets

command -v prosodyctl >/dev/null || apt_install prosody
export PROSODY_DIR="$OPENMEET_RUN_DIR/prosody-$XMPP_PORT"
export PROSODY_REQUIRE_TLS="${PROSODY_REQUIRE_TLS:-false}"
mkdir -p "$PROSODY_DIR/data"
cfg="$PROSODY_DIR/prosody.cfg.lua"
vars='${XMPP_DOMAIN} ${XMPP_AUTH_DOMAIN} ${XMPP_INTERNAL_MUC} ${XMPP_CONFERENCE_MUC} ${XMPP_HOST} ${XMPP_PORT} ${PROSODY_DIR} ${PROSODY_REQUIRE_TLS}'
envsubst "$vars" < "$OPENMEET_ROOT/bridge-config/prosody/prosody.cfg.lua.template" > "$cfg.new"
chown -R prosody:prosody "$PROSODY_DIR"
pctl=(prosodyctl --config "$cfg")

running() { [ -s "$PROSODY_DIR/prosody.pid" ] && kill -0 "$(cat "$PROSODY_DIR/prosody.pid")" 2>/dev/null; }
if running && ! cmp -s "$cfg" "$cfg.new"; then
  log "prosody configuration changed: restarting"
  "${pctl[@]}" stop >/dev/null 2>&1 || true
  for _ in $(seq 1 50); do running || break; sleep 0.1; done
fi
mv "$cfg.new" "$cfg"; chown prosody:prosody "$cfg"
if ! running; then
  "${pctl[@]}" start >/dev/null 2>&1 || true
fi
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/$XMPP_HOST/$XMPP_PORT") 2>/dev/null && break; sleep 0.1; done
(exec 3<>"/dev/tcp/$XMPP_HOST/$XMPP_PORT") 2>/dev/null || die "prosody did not come up on $XMPP_HOST:$XMPP_PORT (see $PROSODY_DIR/prosody.err)"

# Accounts: (re)register only when the password differs from the one registered last time.
register() {
  local user=$1 pass=$2 stamp="$PROSODY_DIR/.account-$1"
  local want; want=$(printf '%s' "$pass" | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    "${pctl[@]}" deluser "$user@$XMPP_AUTH_DOMAIN" >/dev/null 2>&1 || true
    "${pctl[@]}" register "$user" "$XMPP_AUTH_DOMAIN" "$pass" >/dev/null 2>&1
    echo "$want" > "$stamp"
  fi
}
register "$FOCUS_USER" "$FOCUS_PASSWORD"
register "$JVB_USER" "$JVB_PASSWORD"
log "prosody ready on $XMPP_HOST:$XMPP_PORT (domain $XMPP_DOMAIN, brewery $BREWERY_ROOM@$XMPP_INTERNAL_MUC)"
