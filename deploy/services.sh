#!/usr/bin/env bash
# Install (if missing), start and stop the real services Beeldkluis tests and dev runs need, on loopback only,
# with throwaway data dirs: MinIO (built from its Go module), PostgreSQL, Redis; plus ffmpeg.
#
#   deploy/services.sh install          install what is missing (apt packages, MinIO via `go install`)
#   deploy/services.sh start DIR        start all three with data under DIR; writes DIR/env (source it)
#   deploy/services.sh stop DIR         stop them
#   deploy/services.sh stop-minio DIR | start-minio DIR   (failure tests)
set -euo pipefail

MINIO_VERSION="${MINIO_VERSION:-v0.0.0-20260212201848-7aac2a2c5b7c}"
CACHE="${BEELDKLUIS_CACHE:-$HOME/.cache/beeldkluis}"
MINIO_BIN="$CACHE/bin/minio-$MINIO_VERSION"
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)"
PG_PORT="${BEELDKLUIS_PG_PORT:-55432}"
REDIS_PORT="${BEELDKLUIS_REDIS_PORT:-56379}"
MINIO_PORT="${BEELDKLUIS_MINIO_PORT:-59000}"

log() { printf '[services] %s\n' "$*" >&2; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

install() {
  local missing=()
  command -v ffmpeg >/dev/null || missing+=(ffmpeg)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v curl >/dev/null || missing+=(curl)
  [ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ] || missing+=(postgresql)
  [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
  command -v chromium >/dev/null || missing+=(chromium)  # browser tests: the player and the offline package
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]} from Debian's packages"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  if [ ! -x "$MINIO_BIN" ]; then
    command -v go >/dev/null || { log "Go is needed to build MinIO (go install)"; exit 1; }
    log "building MinIO $MINIO_VERSION with go install (once; cached in $CACHE)"
    mkdir -p "$CACHE/bin"
    local gobin; gobin="$(mktemp -d)"
    GOBIN="$gobin" GOFLAGS=-trimpath go install "github.com/minio/minio@$MINIO_VERSION"
    mv "$gobin/minio" "$MINIO_BIN"; rmdir "$gobin"
  fi
}

wait_for() {  # wait_for NAME CMD...
  local name="$1"; shift
  for _ in $(seq 1 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  log "$name did not come up"; return 1
}

start_minio() {
  local dir="$1"
  if [ -f "$dir/minio/pid" ] && kill -0 "$(cat "$dir/minio/pid")" 2>/dev/null; then return 0; fi
  mkdir -p "$dir/minio/data"
  # A restart (failure tests) keeps the port of the first start, whatever the caller's environment.
  if [ -f "$dir/minio/port" ]; then MINIO_PORT="$(cat "$dir/minio/port")"; else echo "$MINIO_PORT" >"$dir/minio/port"; fi
  # Credentials come from the environment file, never the command line.
  ( set -a; . "$dir/minio/credentials"; set +a
    exec "$MINIO_BIN" server --quiet --address "127.0.0.1:$MINIO_PORT" --console-address "127.0.0.1:$((MINIO_PORT + 1))" "$dir/minio/data" \
      >"$dir/minio/log" 2>&1 ) &
  echo $! >"$dir/minio/pid"
  wait_for minio curl -fsS "http://127.0.0.1:$MINIO_PORT/minio/health/ready"
}

stop_minio() {
  local dir="$1"
  [ -f "$dir/minio/pid" ] || return 0
  kill "$(cat "$dir/minio/pid")" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$(cat "$dir/minio/pid")" 2>/dev/null || break; sleep 0.1; done
  rm -f "$dir/minio/pid"
}

start() {
  local dir="$1"
  mkdir -p "$dir"; dir="$(cd "$dir" && pwd)"
  umask 077
  local pgpass redispass miniouser miniopass
  pgpass="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
  redispass="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
  miniouser="bk$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  miniopass="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"

  # PostgreSQL refuses to run as root; run the throwaway cluster as the postgres user when we are root.
  local runas=()
  if [ "$(id -u)" = 0 ]; then runas=(runuser -u postgres --); fi
  mkdir -p "$dir/pg"; chmod 755 "$dir"
  printf '%s\n' "$pgpass" >"$dir/pg/pwfile"
  if [ "$(id -u)" = 0 ]; then chown -R postgres "$dir/pg"; fi
  "${runas[@]}" "$PG_BIN/initdb" -D "$dir/pg/data" -U beeldkluis --pwfile="$dir/pg/pwfile" -A scram-sha-256 -E UTF8 >"$dir/pg/initdb.log"
  rm -f "$dir/pg/pwfile"
  "${runas[@]}" "$PG_BIN/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $dir/pg -c fsync=off -c max_connections=200" start >/dev/null
  PGPASSWORD="$pgpass" "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U beeldkluis -d postgres -qc "CREATE DATABASE beeldkluis" >/dev/null

  mkdir -p "$dir/redis"
  cat >"$dir/redis/redis.conf" <<CONF
bind 127.0.0.1
port $REDIS_PORT
dir $dir/redis
requirepass $redispass
save ""
appendonly no
daemonize yes
pidfile $dir/redis/pid
logfile $dir/redis/log
CONF
  redis-server "$dir/redis/redis.conf"
  REDISCLI_AUTH="$redispass" wait_for redis redis-cli -p "$REDIS_PORT" ping

  mkdir -p "$dir/minio"
  printf 'MINIO_ROOT_USER=%s\nMINIO_ROOT_PASSWORD=%s\nMINIO_BROWSER=off\n' "$miniouser" "$miniopass" >"$dir/minio/credentials"
  start_minio "$dir"

  cat >"$dir/env" <<ENV
export BEELDKLUIS_TEST_SERVICES_DIR='$dir'
export BEELDKLUIS_TEST_DATABASE_URL='postgresql+psycopg://beeldkluis:$pgpass@127.0.0.1:$PG_PORT/beeldkluis'
export BEELDKLUIS_TEST_BROKER_URL='redis://:$redispass@127.0.0.1:$REDIS_PORT/0'
export BEELDKLUIS_TEST_S3_ENDPOINT='127.0.0.1:$MINIO_PORT'
export BEELDKLUIS_TEST_S3_ACCESS_KEY='$miniouser'
export BEELDKLUIS_TEST_S3_SECRET_KEY='$miniopass'
ENV
  log "PostgreSQL :$PG_PORT, Redis :$REDIS_PORT, MinIO :$MINIO_PORT under $dir (source $dir/env)"
}

stop() {
  local dir="$1"
  stop_minio "$dir"
  if [ -f "$dir/redis/pid" ]; then kill "$(cat "$dir/redis/pid")" 2>/dev/null || true; fi
  if [ -d "$dir/pg/data" ]; then
    local runas=(); if [ "$(id -u)" = 0 ]; then runas=(runuser -u postgres --); fi
    "${runas[@]}" "$PG_BIN/pg_ctl" -D "$dir/pg/data" -m immediate stop >/dev/null 2>&1 || true
  fi
}

case "${1:-}" in
  install) install ;;
  start) start "${2:?data dir}" ;;
  stop) stop "${2:?data dir}" ;;
  start-minio) start_minio "${2:?data dir}" ;;
  stop-minio) stop_minio "${2:?data dir}" ;;
  minio-bin) echo "$MINIO_BIN" ;;
  *) echo "usage: $0 install | start DIR | stop DIR | start-minio DIR | stop-minio DIR" >&2; exit 2 ;;
esac
