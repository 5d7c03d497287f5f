#!/usr/bin/env bash
# bench/soak.sh - a bounded mixed-load soak (docs/reliability.md). Builds qunzu
# optimised, starts it on SQLite (two workers), seeds it with bench/prepare.mjs, then
# cycles write and read scenarios with wrk (WeCom add+del, Feishu create chat, add and
# remove members, update chat, get chat, list a 50,000-member chat) for SECONDS
# (default 600). Samples the server's RSS after seeding, after the first cycle (warm)
# and after every cycle; fails when the last sample exceeds the warm one by more than
# max(32 MiB, 25%).
#   bench/soak.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TOTAL=${1:-600}
STEP=${STEP:-5}
CONNS=${CONNS:-20}

command -v wrk >/dev/null || { echo "soak: wrk is missing (bench/run.sh installs it)" >&2; exit 2; }
. bench/lib.sh
build_bench

work=$(mktemp -d /tmp/qunzu-soak.XXXXXX)
qpid=""
cleanup() {
  [ -n "$qpid" ] && kill "$qpid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

port=$(free_port)
build-bench/qunzu --listen "127.0.0.1:$port" --db "sqlite:$work/soak.db" --threads 2 \
  --admin-token soak-admin-token --demo off --access-log off --log-level warn \
  --rate-limit off --body-limit 16777216 &
qpid=$!
wait_ready "$port"
prep=$(node bench/prepare.mjs "http://127.0.0.1:$port" soak-admin-token "$work/prep")
j() { prep_field "$prep" "$1"; }
wt=$(j wecom_token); tt=$(j tenant_token); small=$(j small); large=$(j large); wchat=$(j write_chat)
rss() { awk '/^VmRSS/ {print $2}' "/proc/$qpid/status"; }

base="http://127.0.0.1:$port"
A="Bearer $tt"
drive() { env "$@" wrk -t1 -c"$CONNS" -d"${STEP}s" -s bench/wrk/scenario.lua "$base" | awk '/^Requests\/sec/ {printf "%s ", $2}'; }
cycle() {
  drive QZ_METHOD=POST QZ_PAIR=wecom QZ_PATH="/cgi-bin/kf/knowledge/add_group?access_token=$wt" \
    QZ_BODY='{"name":"s{n}"}' QZ_DEL_PATH="/cgi-bin/kf/knowledge/del_group?access_token=$wt"
  drive QZ_METHOD=POST QZ_PATH="/open-apis/im/v1/chats" QZ_BODY='{"name":"soak{n}"}' QZ_AUTH="$A"
  drive QZ_PAIR=feishu_members QZ_PATH="/open-apis/im/v1/chats/$wchat/members?member_id_type=user_id" QZ_AUTH="$A"
  drive QZ_METHOD=PUT QZ_PATH="/open-apis/im/v1/chats/$wchat" QZ_BODY='{"name":"u{n}"}' QZ_AUTH="$A"
  drive QZ_PATH="/open-apis/im/v1/chats/$small" QZ_AUTH="$A"
  drive QZ_PATH="/open-apis/im/v1/chats/$large/members?page_size=100" QZ_AUTH="$A"
}

start_rss=$(rss)
t0=$(date +%s)
n=0
warm=""
echo "soak: ${SECONDS_TOTAL}s of 6-scenario cycles (${STEP}s each, $CONNS connections); RSS in KiB"
echo "after seeding: RSS $start_rss"
while [ $(( $(date +%s) - t0 )) -lt "$SECONDS_TOTAL" ]; do
  n=$((n + 1))
  printf 'cycle %d req/s: ' "$n"
  cycle
  now=$(rss)
  [ -n "$warm" ] || warm=$now
  echo "| RSS $now"
  kill -0 "$qpid" || { echo "soak: the server died" >&2; exit 1; }
done
end=$(rss)
limit=$(( warm + (warm / 4 > 32768 ? warm / 4 : 32768) ))
echo "RSS KiB: after seeding $start_rss, warm (cycle 1) $warm, end (cycle $n) $end, limit $limit"
if [ "$end" -gt "$limit" ]; then
  echo "soak: FAIL, memory grew from $warm to $end KiB" >&2
  exit 1
fi
echo "soak: OK"
