#!/usr/bin/env bash
# Jitsi Videobridge on this machine: finds a distribution, renders its jvb.conf from
# bridge-config/jvb/jvb.conf.template (the template the Helm chart uses), starts, waits for and stops it.
#   scripts/lib/jvb.sh find              prints the distribution directory (exit 1: none found, and where it looked)
#   scripts/lib/jvb.sh render <file>     renders jvb.conf with the local values below
#   scripts/lib/jvb.sh start             renders, starts JVB in the background, waits until it is healthy
#   scripts/lib/jvb.sh wait-focus <room-api-management-url> [seconds] [--only]
#                                        waits until room-api (its /q/metrics there) lists this JVB as healthy
#   scripts/lib/jvb.sh stop              SIGTERM, then SIGKILL after JVB_STOP_TIMEOUT seconds
#   scripts/lib/jvb.sh status            prints whether it runs
# Sourced, it defines the jvb_* functions for scripts/start, stop, e2e and test.
#
# Where a distribution is looked for, in this order:
#   1. JVB_HOME: an unzipped distribution (jitsi-videobridge.jar + lib/) or a .zip of one;
#   2. $OPENMEET_ROOT/../shared/jvb/*.zip (in a git worktree also ../shared/jvb next to the main
#      checkout), unzipped once into $OPENMEET_LOCAL/jvb/<zip name>/ (again only when the zip changed);
#   3. Debian's jitsi-videobridge2 package: /usr/share/jitsi-videobridge.
# Local values (ports off lite-bridge's 8180 and room-api's 8080; every one can be overridden):
#   JVB_PRIVATE_PORT 8280 (127.0.0.1: /about/health, /colibri/stats), JVB_PUBLIC_PORT 9090 (colibri-ws),
#   JVB_MEDIA_PORT 10000 (UDP; the same as lite-bridge's: the scripts run one bridge at a time, and start
#   refuses a port that is taken), JVB_BRIDGE_ID jvb-local (brewery nickname), JVB_MAX_MEMORY 1g; the rest
#   from bridge-config's LocalDefaults (require-valid-address false, no STUN, stress from the packet rate).
# ice4j never binds a loopback interface: JVB advertises this machine's other addresses (in a network
# namespace, give it a veth pair: scripts/e2e does).

. "$(dirname "${BASH_SOURCE[0]}")/env.sh"

export JVB_BRIDGE_ID="${JVB_BRIDGE_ID:-jvb-local}"
export JVB_PRIVATE_PORT="${JVB_PRIVATE_PORT:-8280}"
export JVB_PUBLIC_PORT="${JVB_PUBLIC_PORT:-9090}"
export JVB_MEDIA_PORT="${JVB_MEDIA_PORT:-10000}"
export JVB_WEBSOCKET_DOMAIN="${JVB_WEBSOCKET_DOMAIN:-127.0.0.1:$JVB_PUBLIC_PORT}"
export JVB_REQUIRE_VALID_ADDRESS="${JVB_REQUIRE_VALID_ADDRESS:-false}"
JVB_MAX_MEMORY="${JVB_MAX_MEMORY:-1g}"
JVB_STOP_TIMEOUT="${JVB_STOP_TIMEOUT:-20}"
# Where the pid file and the rendered jvb.conf (it holds the XMPP password: mode 600) live.
JVB_STATE_DIR="${JVB_STATE_DIR:-$OPENMEET_LOCAL}"
JVB_LOG_FILE="${JVB_LOG_FILE:-$OPENMEET_LOCAL/logs/jvb.log}"
# The places searched (overridable so that tests can point them at fixtures).
if [ -z "${JVB_SHARED_DIR:-}" ]; then
  JVB_SHARED_DIR="$OPENMEET_ROOT/../shared/jvb"
  # A linked worktree (git worktree add) lives elsewhere; the main checkout's neighbour counts too.
  _jvb_common=$(git -C "$OPENMEET_ROOT" rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)
  if [ "${_jvb_common%/.git}" != "$_jvb_common" ] && [ "${_jvb_common%/.git}" != "$(cd "$OPENMEET_ROOT" && pwd -P)" ]; then
    JVB_SHARED_DIR="$JVB_SHARED_DIR:${_jvb_common%/.git}/../shared/jvb"
  fi
fi
JVB_DEBIAN_HOME="${JVB_DEBIAN_HOME:-/usr/share/jitsi-videobridge}"
JVB_UNZIP_DIR="${JVB_UNZIP_DIR:-$OPENMEET_LOCAL/jvb}"

JVB_MAIN_CLASS=org.jitsi.videobridge.MainKt

# Set by jvb_locate: the distribution directory, or (when none) where it looked.
JVB_DIST=""
JVB_LOOKED=""

_jvb_is_dist() { [ -f "$1/jitsi-videobridge.jar" ] && [ -d "$1/lib" ]; }

# A distribution directory, or a directory holding exactly one (as an unzipped release zip does).
_jvb_dist_in() {
  local dir=$1 found=() d
  if _jvb_is_dist "$dir"; then printf '%s\n' "$dir"; return 0; fi
  for d in "$dir"/*/; do _jvb_is_dist "${d%/}" && found+=("${d%/}"); done
  [ "${#found[@]}" = 1 ] || return 1
  printf '%s\n' "${found[0]}"
}

_jvb_abs() { realpath -m -- "$1"; }

# Unzips a distribution zip into $JVB_UNZIP_DIR/<zip name>/ unless that directory came from the same
# bytes; prints the distribution directory inside it.
_jvb_unzip() {
  local zip=$1 name stat sum target tmp
  name=$(basename "$zip" .zip)
  target="$JVB_UNZIP_DIR/$name"
  # Same size and mtime as when unzipped: the same zip (hashing 40 MB takes a second); else the hash decides.
  stat=$(stat -L -c '%s %Y' "$zip")
  if [ "$(cat "$target/.openmeet-zip-stat" 2>/dev/null)" != "$stat" ]; then
    sum=$(sha256sum "$zip" | cut -d' ' -f1)
    if [ "$(cat "$target/.openmeet-zip-sha256" 2>/dev/null)" = "$sum" ]; then
      echo "$stat" > "$target/.openmeet-zip-stat"
    else
      command -v unzip >/dev/null || apt_install unzip
      mkdir -p "$JVB_UNZIP_DIR"
      # Unzipped next to the target and moved in one step: an interrupted run never leaves half a JVB.
      tmp=$(mktemp -d "$JVB_UNZIP_DIR/.unzip-XXXXXX")
      if ! unzip -q "$zip" -d "$tmp"; then
        rm -rf "$tmp"
        log "cannot unzip $zip"
        return 2
      fi
      echo "$sum" > "$tmp/.openmeet-zip-sha256"
      echo "$stat" > "$tmp/.openmeet-zip-stat"
      rm -rf "$target"
      mv "$tmp" "$target"
      log "unzipped $(basename "$zip") into $target"
    fi
  fi
  _jvb_dist_in "$target" || { log "$zip holds no jitsi-videobridge.jar with a lib/ next to it"; return 2; }
}

# Sets JVB_DIST. Returns 1 when no distribution exists (JVB_LOOKED says where it looked), 2 when
# JVB_HOME is set but is not a distribution (a mistake to report, not a reason to skip).
jvb_locate() {
  JVB_DIST="" JVB_LOOKED=""
  if [ -n "${JVB_HOME:-}" ]; then
    if [ -d "$JVB_HOME" ] && JVB_DIST=$(_jvb_dist_in "$JVB_HOME"); then return 0; fi
    if [ -f "$JVB_HOME" ] && [ "${JVB_HOME%.zip}" != "$JVB_HOME" ]; then
      JVB_DIST=$(_jvb_unzip "$(_jvb_abs "$JVB_HOME")") && return 0
      return 2
    fi
    log "JVB_HOME=$JVB_HOME is neither a Jitsi Videobridge directory (jitsi-videobridge.jar and lib/) nor a .zip of one"
    return 2
  fi
  local dir shared=() zips=()
  IFS=: read -r -a shared <<< "$JVB_SHARED_DIR"
  for dir in "${shared[@]}"; do
    dir=$(_jvb_abs "$dir")
    [ -d "$dir" ] && mapfile -t zips < <(find "$dir" -maxdepth 1 -name '*.zip' | sort -V)
    if [ "${#zips[@]}" -gt 0 ]; then
      # The newest version when there are several.
      JVB_DIST=$(_jvb_unzip "${zips[-1]}") && return 0
      return 2
    fi
    JVB_LOOKED="$JVB_LOOKED${JVB_LOOKED:+; }no *.zip in $dir"
  done
  if _jvb_is_dist "$JVB_DEBIAN_HOME"; then JVB_DIST=$JVB_DEBIAN_HOME; return 0; fi
  JVB_LOOKED="JVB_HOME is not set; $JVB_LOOKED; no Debian jitsi-videobridge2 at $JVB_DEBIAN_HOME"
  return 1
}

# The line scripts print when they skip or refuse JVB (call after jvb_locate returned 1).
jvb_not_found_message() { printf 'no Jitsi Videobridge found (%s)\n' "$JVB_LOOKED"; }

# The classpath of bridge-config's renderer: its jar and com.typesafe:config from the local Maven
# repository (BRIDGE_CONFIG_CP overrides, e.g. a test's own classpath).
_jvb_renderer_cp() {
  if [ -n "${BRIDGE_CONFIG_CP:-}" ]; then printf '%s\n' "$BRIDGE_CONFIG_CP"; return 0; fi
  local jar version config
  jar=$(ls "$OPENMEET_ROOT"/bridge-config/target/bridge-config-*.jar 2>/dev/null | grep -v -e '-sources' -e '-tests' | head -1)
  [ -n "$jar" ] || die "bridge-config is not built: mvn -B -pl bridge-config package -DskipTests"
  version=$(sed -n 's:.*<typesafe-config.version>\(.*\)</typesafe-config.version>.*:\1:p' "$OPENMEET_ROOT/bridge-config/pom.xml")
  config="${MAVEN_REPO:-$HOME/.m2/repository}/com/typesafe/config/$version/config-$version.jar"
  [ -f "$config" ] || die "com.typesafe:config $version is not in the local Maven repository ($config): build bridge-config once"
  printf '%s:%s\n' "$jar" "$config"
}

# Renders jvb.conf into $1 with bridge-config's renderer, which type-checks every value and parses the
# result; the XMPP account and Prosody come from env.sh and .local/secrets.env.
jvb_render() {
  local out=$1 cp
  [ -n "${JVB_PASSWORD:-}" ] || load_secrets
  cp=$(_jvb_renderer_cp)
  java -cp "$cp" io.openmeet.bridgeconfig.RenderConfig jvb "$out"
}

_jvb_pid_file() { printf '%s/jvb.pid\n' "$JVB_STATE_DIR"; }

# The pid of the JVB this machine's scripts started, if it still runs (a reused pid is not ours).
jvb_pid() {
  local file pid
  file=$(_jvb_pid_file)
  [ -s "$file" ] || return 1
  pid=$(cat "$file")
  local cmdline
  cmdline=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ "$cmdline" == *"-Dconfig.file=$JVB_STATE_DIR/jvb.conf "*"$JVB_MAIN_CLASS"* ]] || return 1
  printf '%s\n' "$pid"
}

_jvb_health() { curl -fsS -m 2 "http://127.0.0.1:$JVB_PRIVATE_PORT/about/health" >/dev/null 2>&1; }

# Starts JVB in the background (jvb_wait_healthy waits for it). JVB_DIST must be set (jvb_locate).
jvb_launch() {
  [ -n "$JVB_DIST" ] || die "jvb_launch: no distribution located (call jvb_locate first)"
  jvb_stop
  local p
  for p in "$JVB_PRIVATE_PORT" "$JVB_PUBLIC_PORT"; do
    ! port_taken "$p" || die "TCP port $p is in use: JVB needs it (set JVB_PRIVATE_PORT / JVB_PUBLIC_PORT)"
  done
  ! port_taken "$JVB_MEDIA_PORT" u \
    || die "UDP port $JVB_MEDIA_PORT is in use (lite-bridge? scripts/stop stops it): set JVB_MEDIA_PORT to another port"
  if [ -z "$(jvb_media_addresses)" ]; then
    log "warning: no non-loopback address is up: JVB (ice4j never binds loopback) will offer no ICE candidate"
  fi
  mkdir -p "$JVB_STATE_DIR" "$(dirname "$JVB_LOG_FILE")"
  local conf="$JVB_STATE_DIR/jvb.conf" logging="$JVB_DIST/lib/logging.properties"
  jvb_render "$conf" || die "cannot render $conf"
  [ -f "$logging" ] || logging=/etc/jitsi/videobridge/logging.properties
  # each GC pause with its length beside the log (a stalled bridge looks like every sender pausing)
  local java_opts=(-Xmx"$JVB_MAX_MEMORY" -XX:+UseG1GC -Dconfig.file="$conf"
    -Xlog:gc:file="${JVB_LOG_FILE%.log}-gc.log":uptime,time)
  [ -f "$logging" ] && java_opts+=(-Djava.util.logging.config.file="$logging")
  log "starting JVB $JVB_BRIDGE_ID from $JVB_DIST (REST 127.0.0.1:$JVB_PRIVATE_PORT, colibri-ws ws://$JVB_WEBSOCKET_DOMAIN, media udp $JVB_MEDIA_PORT; log $JVB_LOG_FILE)"
  nohup java "${java_opts[@]}" -cp "$JVB_DIST/jitsi-videobridge.jar:$JVB_DIST/lib/*" "$JVB_MAIN_CLASS" \
    > "$JVB_LOG_FILE" 2>&1 < /dev/null &
  echo $! > "$(_jvb_pid_file)"
}

# Waits until /about/health answers 200 (its services and health checks run; the brewery is
# jvb_wait_focus's business), $1 seconds at most (default 60).
jvb_wait_healthy() {
  local limit=${1:-60} pid deadline
  pid=$(cat "$(_jvb_pid_file)" 2>/dev/null) || die "JVB was not started"
  deadline=$((SECONDS + limit))
  while [ "$SECONDS" -lt "$deadline" ]; do
    _jvb_health && { log "JVB $JVB_BRIDGE_ID healthy (pid $pid)"; return 0; }
    kill -0 "$pid" 2>/dev/null || { tail -40 "$JVB_LOG_FILE" >&2; die "JVB exited (log: $JVB_LOG_FILE)"; }
    sleep 0.05
  done
  tail -40 "$JVB_LOG_FILE" >&2
  die "JVB is not healthy after $limit s (log: $JVB_LOG_FILE)"
}

jvb_start() { jvb_launch && jvb_wait_healthy; }

# The addresses JVB can offer as ICE host candidates: every address of an interface that is up,
# except loopback (ice4j never binds it).
jvb_media_addresses() {
  (ip -4 -o addr show scope global up; ip -6 -o addr show scope global up) 2>/dev/null \
    | awk '{ sub(/\/.*/, "", $4); printf "%s%s", sep, $4; sep = " " }'
}

# Waits until room-api (management URL $1) lists this JVB as a healthy bridge, i.e. JVB joined the brewery; with
# --only also until every other bridge has left it. $2 seconds at most (default 60).
jvb_wait_focus() {
  wait_for_focus_bridge "$1" "$JVB_BRIDGE_ID" "${2:-60}" ${3:+"$3"} \
    || { tail -20 "$JVB_LOG_FILE" >&2; die "room-api's focus did not see JVB $JVB_BRIDGE_ID within ${2:-60} s"; }
}

# SIGTERM (JVB leaves the brewery and closes its sessions), SIGKILL after JVB_STOP_TIMEOUT seconds.
jvb_stop() {
  local pid i
  if pid=$(jvb_pid); then
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < JVB_STOP_TIMEOUT * 10; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      kill -9 "$pid" 2>/dev/null || true
      log "JVB ($pid) did not stop within $JVB_STOP_TIMEOUT s: killed"
    else
      log "stopped JVB ($pid)"
    fi
  fi
  rm -f "$(_jvb_pid_file)"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  cmd="${1:-}"
  [ "$#" -gt 0 ] && shift
  case "$cmd" in
    find)
      rc=0; jvb_locate || rc=$?
      [ "$rc" = 0 ] && { printf '%s\n' "$JVB_DIST"; exit 0; }
      [ "$rc" = 1 ] && log "$(jvb_not_found_message)"
      exit "$rc" ;;
    render)
      [ "$#" = 1 ] || die "usage: jvb.sh render <file>"
      jvb_render "$1" ;;
    start)
      rc=0; jvb_locate || rc=$?
      [ "$rc" = 1 ] && die "$(jvb_not_found_message)"
      [ "$rc" = 0 ] || exit "$rc"
      jvb_start ;;
    wait-focus)
      [ "$#" -ge 1 ] || die "usage: jvb.sh wait-focus <room-api-management-url> [timeout-seconds] [--only]"
      jvb_wait_focus "$@" ;;
    stop) jvb_stop ;;
    status)
      if pid=$(jvb_pid); then echo "JVB $JVB_BRIDGE_ID runs (pid $pid)"; else echo "JVB is not running"; exit 3; fi ;;
    *) sed -n '2,10p' "$0"; [ -z "$cmd" ] || [ "$cmd" = -h ] || [ "$cmd" = --help ] || exit 2 ;;
  esac
fi
