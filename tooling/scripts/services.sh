#!/usr/bin/env bash
# Make sure the services the adapter tests need are running: PostgreSQL (127.0.0.1:5432,
# trust auth, database `test`) and Redis (127.0.0.1:6379).
#
# Idempotent and quiet when everything already runs. Installs a service with apt-get only
# when its binaries are missing. Usage: tooling/scripts/services.sh [postgres] [redis]
# (no argument: both). Exit status is non-zero when a service could not be started.
set -euo pipefail

want=("$@")
[ ${#want[@]} -eq 0 ] && want=(postgres redis)

say() { echo "[services] $*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else "$@"; fi
}

apt_install() {
  say "installing $* with apt-get"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

wait_for() { # wait_for <description> <command...>: up to ~15 s
  local what=$1; shift
  for _ in $(seq 1 60); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.25
  done
  say "$what did not come up"
  return 1
}

pg_ready() { pg_isready -q -h 127.0.0.1 -p 5432; }

ensure_postgres() {
  if command -v pg_isready >/dev/null 2>&1 && pg_ready; then return 0; fi
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1 || ! command -v pg_ctlcluster >/dev/null 2>&1; then
    apt_install postgresql
  fi
  local version
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  local conf="/etc/postgresql/$version/main"
  # Trust auth on loopback and the socket, as the tests expect (a throwaway CI database).
  if ! grep -Eq '^host[[:space:]]+all[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$conf/pg_hba.conf" 2>/dev/null; then
    as_root sh -c "printf '%s\n' 'local all all trust' 'host all all 127.0.0.1/32 trust' 'host all all ::1/128 trust' | cat - '$conf/pg_hba.conf' > '$conf/pg_hba.conf.new' && mv '$conf/pg_hba.conf.new' '$conf/pg_hba.conf'"
  fi
  say "starting PostgreSQL $version"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null ||
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main restart
  wait_for PostgreSQL pg_ready
  for db in test root postgres; do
    if ! psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
      psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE \"$db\"" >/dev/null
    fi
  done
  if ! psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'root'" | grep -q 1; then
    psql -h 127.0.0.1 -U postgres -d postgres -qc 'CREATE ROLE root SUPERUSER LOGIN' >/dev/null
  fi
}

redis_ready() { redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG; }

ensure_redis() {
  if command -v redis-cli >/dev/null 2>&1 && redis_ready; then return 0; fi
  if ! command -v redis-server >/dev/null 2>&1; then apt_install redis-server; fi
  say "starting Redis"
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_for Redis redis_ready
}

for service in "${want[@]}"; do
  case "$service" in
    postgres | postgresql) ensure_postgres ;;
    redis) ensure_redis ;;
    *) say "unknown service: $service (known: postgres, redis)"; exit 2 ;;
  esac
done
