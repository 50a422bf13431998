#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: 'start DIR' initializes DIR, starts a server on a free
# local port (fsync on, as in production), creates the test database and prints its connection string;
# 'stop DIR' stops the server. As root it runs the server as the 'postgres' user (initdb refuses root).
set -euo pipefail

find_bin() {
  local name=$1
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin/"$name" 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$found" ] || { echo "cluster.sh: $name not found (install PostgreSQL: apt-get install -y postgresql)" >&2; exit 1; }
  echo "$found"
}

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

command=${1:-}
dir=${2:-}
[ -n "$command" ] && [ -n "$dir" ] || { echo "usage: cluster.sh start|stop DIR" >&2; exit 2; }

case "$command" in
  start)
    initdb=$(find_bin initdb)
    pg_ctl=$(find_bin pg_ctl)
    mkdir -p "$dir"
    [ "$(id -u)" -ne 0 ] || chown postgres: "$dir"
    password=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20)
    pwfile="$dir/.pw"
    printf '%s\n' "$password" > "$pwfile"
    [ "$(id -u)" -ne 0 ] || chown postgres: "$pwfile"
    as_owner "$initdb" -D "$dir/data" -U scheduler --pwfile="$pwfile" --auth=scram-sha-256 -E UTF8 --no-locale >"$dir/initdb.log" 2>&1
    rm -f "$pwfile"
    port=$(free_port)
    as_owner "$pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=300 -c shared_buffers=128MB" start >/dev/null
    PGPASSWORD=$password "$(find_bin psql)" -h 127.0.0.1 -p "$port" -U scheduler -d postgres -qc "CREATE DATABASE scheduler_test" >/dev/null
    echo "$port" > "$dir/port"
    echo "Host=127.0.0.1;Port=$port;Username=scheduler;Password=$password;Database=scheduler_test"
    ;;
  stop)
    pg_ctl=$(find_bin pg_ctl)
    if [ -d "$dir/data" ]; then as_owner "$pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true; fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: cluster.sh start|stop DIR" >&2; exit 2 ;;
esac
