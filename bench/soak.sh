#!/usr/bin/env bash
# bench/soak.sh - a bounded mixed-load soak (docs/reliability.md). Builds qunzu
# optimised, starts it on SQLite (two workers), seeds it with bench/prepare.mjs, then
# cycles write and read scenarios with wrk (WeCom add+del, Feishu create chat, add and
# remove members, update chat, get chat, list a 50,000-member chat) for SECONDS
# (default 600). Samples the server's anonymous RSS (RssAnon: heap and stacks, not
# the mapped database file) after seeding, after the first cycle (warm)
# and after every cycle; fails when the last sample exceeds the warm one by more than
# max(32 MiB, 25%). Prints the database size and the outbox's rows after every cycle
# too: retention (--retention-events-max SOAK_EVENTS_MAX, default 20000; 0: no cap)
# keeps the outbox bounded, and the soak fails when it holds more than 25% (+5000) past
# the cap, or when the database ends more than max(16 MiB, 50%) larger than after the
# first cycle (the scenarios' own data is bounded: chat creates cycle through 500 uuids).
# With --pg the database is a throwaway PostgreSQL server (scripts/pg-test-server.sh)
# instead of a SQLite file.
#   bench/soak.sh [SECONDS] [--pg]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TOTAL=${1:-600}
with_pg=0
[ "${2:-}" = "--pg" ] && with_pg=1
STEP=${STEP:-5}
CONNS=${CONNS:-20}
EVENTS_MAX=${SOAK_EVENTS_MAX:-20000}

command -v wrk >/dev/null || { echo "soak: wrk is missing (bench/run.sh installs it)" >&2; exit 2; }
. bench/lib.sh
build_bench

work=$(mktemp -d /tmp/qunzu-soak.XXXXXX)
qpid=""
pgdir=""
cleanup() {
  [ -n "$qpid" ] && kill "$qpid" 2>/dev/null || true
  [ -n "$pgdir" ] && scripts/pg-test-server.sh stop "$pgdir"
  rm -rf "$work"
}
trap cleanup EXIT

db="sqlite:$work/soak.db"
if [ $with_pg -eq 1 ]; then
  pgdir=$(mktemp -d /tmp/qunzu-soak-pg.XXXXXX)
  url=$(scripts/pg-test-server.sh start "$pgdir")
  psql "$url" -qc "CREATE DATABASE soak"
  db=${url/\/postgres\?//soak?}
fi
(umask 077 && node -e "process.stdout.write(require('crypto').randomBytes(32).toString('hex'))" \
  > "$work/secret.key")
port=$(free_port)
build-bench/qunzu --listen "127.0.0.1:$port" --db "$db" --threads 2 --secret-key-file "$work/secret.key" \
  --admin-token soak-admin-token --demo off --access-log off --log-level warn \
  --rate-limit off --body-limit 16777216 \
  --retention-events-max "$EVENTS_MAX" --retention-interval-ms 1000 &
qpid=$!
wait_ready "$port"
prep=$(node bench/prepare.mjs "http://127.0.0.1:$port" soak-admin-token "$work/prep")
j() { prep_field "$prep" "$1"; }
wt=$(j wecom_token); tt=$(j tenant_token); small=$(j small); large=$(j large); wchat=$(j write_chat)
# Anonymous memory (heap, stacks) is what a leak grows; the mapped database file
# (mmap_size) is page cache the kernel can take back, and it grows with the data.
rss() { awk '/^RssAnon/ {print $2}' "/proc/$qpid/status"; }
rss_file() { awk '/^RssFile/ {print $2}' "/proc/$qpid/status"; }

# The database's size in KiB (SQLite: the file and its WAL) and the outbox's rows.
if [ $with_pg -eq 1 ]; then
  dbsize() { psql "$db" -qAt -c "SELECT pg_database_size(current_database()) / 1024"; }
  outbox() { psql "$db" -qAt -c "SELECT count(*) FROM outbox"; }
else
  dbsize() { echo $(( ($(stat -c %s "$work/soak.db") + $(stat -c %s "$work/soak.db-wal" 2>/dev/null || echo 0)) / 1024 )); }
  if command -v sqlite3 >/dev/null; then
    outbox() { sqlite3 -cmd '.timeout 5000' "$work/soak.db" "SELECT count(*) FROM outbox"; }
  else
    outbox() { echo "?"; }
  fi
fi

base="http://127.0.0.1:$port"
A="Bearer $tt"
drive() { env "$@" wrk -t1 -c"$CONNS" -d"${STEP}s" -s bench/wrk/scenario.lua "$base" | awk '/^Requests\/sec/ {printf "%s ", $2}'; }
cycle() {
  drive QZ_METHOD=POST QZ_PAIR=wecom QZ_PATH="/cgi-bin/kf/knowledge/add_group?access_token=$wt" \
    QZ_BODY='{"name":"s{n}"}' QZ_DEL_PATH="/cgi-bin/kf/knowledge/del_group?access_token=$wt"
  # Creates with one of 500 uuids: the first of each makes a chat, the rest answer it,
  # so the soak's data stays bounded and the database can level off.
  drive QZ_METHOD=POST QZ_PATH="/open-apis/im/v1/chats?uuid=soak{n}" QZ_BODY='{"name":"soak{n}"}' \
    QZ_MOD=500 QZ_AUTH="$A"
  drive QZ_PAIR=feishu_members QZ_PATH="/open-apis/im/v1/chats/$wchat/members?member_id_type=user_id" QZ_AUTH="$A"
  drive QZ_METHOD=PUT QZ_PATH="/open-apis/im/v1/chats/$wchat" QZ_BODY='{"name":"u{n}"}' QZ_AUTH="$A"
  drive QZ_PATH="/open-apis/im/v1/chats/$small" QZ_AUTH="$A"
  drive QZ_PATH="/open-apis/im/v1/chats/$large/members?page_size=100" QZ_AUTH="$A"
}

start_rss=$(rss)
warm_db=
t0=$(date +%s)
n=0
warm=""
echo "soak ($([ $with_pg -eq 1 ] && echo PostgreSQL || echo SQLite)): ${SECONDS_TOTAL}s of 6-scenario cycles (${STEP}s each, $CONNS connections); RSS in KiB"
echo "after seeding: RssAnon $start_rss, RssFile $(rss_file)"
while [ $(( $(date +%s) - t0 )) -lt "$SECONDS_TOTAL" ]; do
  n=$((n + 1))
  printf 'cycle %d req/s: ' "$n"
  cycle
  now=$(rss)
  [ -n "$warm" ] || warm=$now
  [ -n "$warm_db" ] || warm_db=$(dbsize)
  echo "| RssAnon $now, RssFile $(rss_file) | db KiB $(dbsize), outbox rows $(outbox)"
  kill -0 "$qpid" || { echo "soak: the server died" >&2; exit 1; }
done
end=$(rss)
limit=$(( warm + (warm / 4 > 32768 ? warm / 4 : 32768) ))
echo "RssAnon KiB: after seeding $start_rss, warm (cycle 1) $warm, end (cycle $n) $end, limit $limit"
if [ "$end" -gt "$limit" ]; then
  echo "soak: FAIL, memory grew from $warm to $end KiB" >&2
  exit 1
fi
rows=$(outbox)
end_db=$(dbsize)
db_limit=$(( warm_db + (warm_db / 2 > 16384 ? warm_db / 2 : 16384) ))
echo "outbox rows at the end: $rows (retention cap $EVENTS_MAX); database KiB: warm (cycle 1) $warm_db, end $end_db, limit $db_limit"
if [ "$end_db" -gt "$db_limit" ]; then
  echo "soak: FAIL, the database grew from $warm_db to $end_db KiB" >&2
  exit 1
fi
if [ $with_pg -eq 0 ] && command -v sqlite3 >/dev/null; then
  # What the file holds, largest first (the chats the create scenario makes grow for good).
  echo "largest tables and indexes (KiB):"
  sqlite3 -cmd '.timeout 5000' "$work/soak.db" \
    "SELECT name, sum(pgsize) / 1024 FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 8" | sed 's/^/  /'
fi
if [ "$rows" != "?" ] && [ "$EVENTS_MAX" -gt 0 ] && [ "$rows" -gt $(( EVENTS_MAX + EVENTS_MAX / 4 + 5000 )) ]; then
  echo "soak: FAIL, the outbox holds $rows rows, past the retention cap $EVENTS_MAX" >&2
  exit 1
fi
echo "soak: OK"
