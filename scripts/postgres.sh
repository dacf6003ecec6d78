#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback for the tests, CI and the fleet
# benchmark (Debian's `postgresql` package; installed here when missing).
#   scripts/postgres.sh start   # prints WOO_TEST_POSTGRES=postgres://…
#   scripts/postgres.sh stop
# WOO_PG_DIR (default ${TMPDIR:-/tmp}/woo-pg) holds the data; WOO_PG_PORT
# (default 55432) is the port. The superuser is `woo`, password `woo`.
set -euo pipefail
dir="${WOO_PG_DIR:-${TMPDIR:-/tmp}/woo-pg}"
port="${WOO_PG_PORT:-55432}"
url="postgres://woo:woo@127.0.0.1:$port/postgres"

bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "postgres.sh: installing Debian's postgresql" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q postgresql >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q postgresql >/dev/null; }
  bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
fi

# initdb and postgres refuse to run as root: run them as `postgres`.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-start}" in
  start)
    if [ -f "$dir/data/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      echo "WOO_TEST_POSTGRES=$url"
      exit 0
    fi
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_owner bash -c "echo woo > '$dir/pw' && '$bin/initdb' -D '$dir/data' -U woo --pwfile='$dir/pw' --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >'$dir/initdb.log' 2>&1"
      cat >> "$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
    fi
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null
    echo "WOO_TEST_POSTGRES=$url"
    ;;
  stop)
    if [ -d "$dir/data" ]; then as_owner "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true; fi
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
