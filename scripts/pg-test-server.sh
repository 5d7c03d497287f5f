#!/usr/bin/env bash
# A throwaway PostgreSQL server for the test suite: data and socket in DIR,
# no TCP listener, trust authentication, durability off (it is thrown away).
#   scripts/pg-test-server.sh start DIR   # prints the URL of its admin database
#   QUNZU_PG_DURABLE=1 scripts/pg-test-server.sh start DIR
#                                         # durability on (fsync, synchronous_commit,
#                                         # full_page_writes: PostgreSQL's defaults),
#                                         # the configuration bench/run.sh measures
#   scripts/pg-test-server.sh stop DIR
# As root it runs as the 'postgres' user, which Debian's package creates.
set -euo pipefail
cmd=${1:?start or stop}
dir=${2:?directory}
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
port=${QUNZU_PG_PORT:-54329}
durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
[ "${QUNZU_PG_DURABLE:-0}" = 1 ] && durability="-c fsync=on -c synchronous_commit=on -c full_page_writes=on"

if [ "$(id -u)" -eq 0 ]; then
  user=postgres
  run() { runuser -u postgres -- "$@"; }
else
  user=$(id -un)
  run() { "$@"; }
fi

case "$cmd" in
start)
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
  run "$bindir/initdb" -D "$dir/data" -U "$user" --auth=trust -E UTF8 --locale=C >/dev/null
  run "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses= -k $dir -p $port $durability -c max_connections=300 ${QUNZU_PG_OPTIONS:-}" \
    start >/dev/null
  echo "postgresql:///postgres?host=$dir&port=$port&user=$user"
  ;;
stop)
  run "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 start|stop DIR" >&2
  exit 2
  ;;
esac
