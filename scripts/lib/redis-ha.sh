#!/usr/bin/env bash
# A private Redis group for tests, like production's: AUTH on every server, optionally TLS only, a
# replica and Sentinels that fail over. It never touches the shared Redis on 6379.
#   scripts/lib/redis-ha.sh start <dir> --master <port> [--replica <port>]... [--sentinel <port>]...
#                                 [--tls] [--password <pw>] [--master-name <name>]
#       starts a master, its replicas (replicaof the master, masterauth) and Sentinels monitoring it
#       (quorum: a majority of them; down after REDIS_HA_DOWN_AFTER_MS, default 1000 ms), all bound to
#       127.0.0.1, each with requirepass. The password is <dir>/password (generated when not given).
#       With --tls every server and Sentinel listens with TLS only (plain port 0), replication and
#       Sentinel links use TLS too; certificates from a CA made once in <dir>/tls (ca.crt, server.crt
#       with subjectAltName IP:127.0.0.1 and DNS:localhost). Waits until every replica is in sync and
#       every Sentinel knows the others.
#   scripts/lib/redis-ha.sh master <dir>     prints the port a Sentinel names as the master now
#   scripts/lib/redis-ha.sh cli <dir> <port> <command...>
#                                            redis-cli against one member (password, TLS as started)
#   scripts/lib/redis-ha.sh stop <dir>       stops every process of the group (by its pid files)
# Master and replicas run as `redis-server`, Sentinels as Debian's `redis-sentinel` (installed when
# missing; `redis-server --sentinel` if it cannot be). Logs and pid files: <dir>/<role>-<port>.*.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"

DOWN_AFTER_MS="${REDIS_HA_DOWN_AFTER_MS:-1000}"

usage() { sed -n '2,18p' "${BASH_SOURCE[0]}" >&2; exit 2; }

# redis-cli against one group member: cli <dir> <port> <command...>
cli() {
  local dir=$1 port=$2; shift 2
  local args=(-h 127.0.0.1 -p "$port" --no-auth-warning -a "$(cat "$dir/password")")
  if [ -f "$dir/tls.on" ]; then
    args+=(--tls --cacert "$dir/tls/ca.crt")
  fi
  redis-cli "${args[@]}" "$@"
}

make_certificates() {
  local tls=$1
  [ -s "$tls/server.crt" ] && [ -s "$tls/ca.crt" ] && return 0
  mkdir -p "$tls"
  (
    umask 077
    cd "$tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=openmeet test redis CA" \
      -keyout ca.key -out ca.crt 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server.key -out server.csr 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n' > server.ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
      -extfile server.ext -out server.crt 2>/dev/null
    rm -f server.csr server.ext ca.srl
  )
}

# The listener and TLS lines every member's configuration starts with.
common_conf() {
  local dir=$1 role=$2 port=$3
  echo "bind 127.0.0.1"
  echo "protected-mode no"
  echo "daemonize yes"
  echo "dir $dir"
  echo "pidfile $dir/$role-$port.pid"
  echo "logfile $dir/$role-$port.log"
  if [ -f "$dir/tls.on" ]; then
    echo "port 0"
    echo "tls-port $port"
    echo "tls-cert-file $dir/tls/server.crt"
    echo "tls-key-file $dir/tls/server.key"
    echo "tls-ca-cert-file $dir/tls/ca.crt"
    echo "tls-auth-clients no"
    echo "tls-replication yes"
  else
    echo "port $port"
  fi
}

wait_for() {
  local what=$1 tries=$2; shift 2
  for _ in $(seq 1 "$tries"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  die "$what"
}

answers_pong() { [ "$(cli "$1" "$2" ping 2>/dev/null)" = PONG ]; }
replica_synced() { cli "$1" "$2" info replication 2>/dev/null | tr -d '\r' | grep -qx 'master_link_status:up'; }
sentinel_knows() {
  # every other Sentinel discovered, and the replicas too
  local dir=$1 port=$2 sentinels=$3 replicas=$4 name=$5 info
  info=$(cli "$dir" "$port" sentinel master "$name" 2>/dev/null | tr -d '\r') || return 1
  [ "$(sed -n '/^num-other-sentinels$/{n;p}' <<< "$info")" = "$((sentinels - 1))" ] \
    && [ "$(sed -n '/^num-slaves$/{n;p}' <<< "$info")" = "$replicas" ]
}

start() {
  [ "$#" -ge 1 ] || usage
  local dir=$1; shift
  local master="" replicas=() sentinels=() tls=0 password="" name=mymaster
  while [ "$#" -gt 0 ]; do
    case "$1" in
      --master) master=$2; shift ;;
      --replica) replicas+=("$2"); shift ;;
      --sentinel) sentinels+=("$2"); shift ;;
      --tls) tls=1 ;;
      --password) password=$2; shift ;;
      --master-name) name=$2; shift ;;
      *) usage ;;
    esac
    shift
  done
  [ -n "$master" ] || usage
  command -v redis-server >/dev/null || apt_install redis-server
  # redis-server runs as a Sentinel with --sentinel after the configuration file
  local sentinel_cmd=redis-sentinel sentinel_opt=()
  if [ "${#sentinels[@]}" -gt 0 ] && ! command -v redis-sentinel >/dev/null; then
    if [ "$(id -u)" != 0 ] || ! (apt_install redis-sentinel); then sentinel_cmd=redis-server sentinel_opt=(--sentinel); fi
  fi
  local port
  for port in "$master" "${replicas[@]}" "${sentinels[@]}"; do
    ! port_taken "$port" || die "TCP port $port is in use: pick other ports for the Redis group"
  done

  mkdir -p "$dir"; chmod 700 "$dir"
  [ -n "$password" ] || password=$(random_secret)
  (umask 077; printf '%s' "$password" > "$dir/password")
  rm -f "$dir/tls.on"
  if [ "$tls" = 1 ]; then make_certificates "$dir/tls"; touch "$dir/tls.on"; fi

  {
    common_conf "$dir" master "$master"
    echo "requirepass $password"
    echo "masterauth $password"
    echo "save ''"
    echo "appendonly no"
  } > "$dir/master-$master.conf"
  redis-server "$dir/master-$master.conf"
  wait_for "the Redis master did not answer on 127.0.0.1:$master (see $dir/master-$master.log)" 100 \
    answers_pong "$dir" "$master"

  for port in "${replicas[@]}"; do
    {
      common_conf "$dir" replica "$port"
      echo "requirepass $password"
      echo "masterauth $password"
      echo "replicaof 127.0.0.1 $master"
      echo "save ''"
      echo "appendonly no"
    } > "$dir/replica-$port.conf"
    redis-server "$dir/replica-$port.conf"
  done
  for port in "${replicas[@]}"; do
    wait_for "the Redis replica on 127.0.0.1:$port did not sync (see $dir/replica-$port.log)" 200 \
      replica_synced "$dir" "$port"
  done

  local quorum=$(( ${#sentinels[@]} / 2 + 1 ))
  for port in "${sentinels[@]}"; do
    {
      common_conf "$dir" sentinel "$port"
      echo "requirepass $password"
      echo "sentinel sentinel-pass $password"
      echo "sentinel monitor $name 127.0.0.1 $master $quorum"
      echo "sentinel auth-pass $name $password"
      echo "sentinel down-after-milliseconds $name $DOWN_AFTER_MS"
      echo "sentinel failover-timeout $name 10000"
      echo "sentinel parallel-syncs $name 1"
    } > "$dir/sentinel-$port.conf"
    "$sentinel_cmd" "$dir/sentinel-$port.conf" "${sentinel_opt[@]}"
  done
  for port in "${sentinels[@]}"; do
    wait_for "Sentinel 127.0.0.1:$port did not discover the group (see $dir/sentinel-$port.log)" 300 \
      sentinel_knows "$dir" "$port" "${#sentinels[@]}" "${#replicas[@]}" "$name"
  done
  echo "$name" > "$dir/master-name"
  printf '%s\n' "${sentinels[@]}" > "$dir/sentinels"
  log "redis group up in $dir: master $master, replicas ${replicas[*]:-none}, sentinels ${sentinels[*]:-none}$([ "$tls" = 1 ] && echo ', TLS only')"
}

master() {
  local dir=$1 port
  port=$(head -1 "$dir/sentinels")
  cli "$dir" "$port" sentinel get-master-addr-by-name "$(cat "$dir/master-name")" | tr -d '\r' | sed -n 2p
}

stop() {
  local dir=$1 file pid
  for file in "$dir"/*.pid; do
    [ -s "$file" ] || continue
    pid=$(cat "$file")
    if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q redis; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$file"
  done
}

case "${1:-}" in
  start) shift; start "$@" ;;
  master) [ "$#" = 2 ] || usage; master "$2" ;;
  cli) [ "$#" -ge 4 ] || usage; shift; cli "$@" ;;
  stop) [ "$#" = 2 ] || usage; stop "$2" ;;
  *) usage ;;
esac
