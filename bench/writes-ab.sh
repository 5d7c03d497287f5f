#!/usr/bin/env bash
# bench/writes-ab.sh - CPU per request of the durable SQLite write scenarios of
# bench/run.sh (create chat, send text to a group, update chat, Udesk create catalog)
# for two or more builds, alternated run by run so each pair sees the same machine load.
# Seeds once with the first binary (bench/prepare.mjs, 100 messages), then each run starts
# its binary on a fresh copy of that database exactly as bench/run.sh does (--threads 1,
# group commit on, synchronous=FULL, server on core 0), drives one scenario with
# `wrk -t1 -c50 -dDURATION` on core 1 (the scenario's environment as bench/run.sh sets
# it; Udesk requests signed just before the run) and prints req/s, server CPU us per
# request (utime+stime from /proc/PID/stat over the requests completed), wrk's p99 latency
# and the requests per group commit.
#   bench/writes-ab.sh main=/path/to/qunzu branch=build-bench/qunzu
# Environment: SCENARIOS (default "create send update udesk"), REPS (2), DURATION (5).
set -uo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
SCENARIOS=${SCENARIOS:-create send update udesk}
REPS=${REPS:-2}
DURATION=${DURATION:-5}
[ $# -ge 1 ] || { echo "usage: $0 NAME=BINARY [NAME=BINARY...]" >&2; exit 2; }
work=$(mktemp -d /tmp/qunzu-writes.XXXXXX)
qpid=
trap '[ -n "$qpid" ] && kill $qpid 2>/dev/null; rm -rf "$work"' EXIT
node -e "process.stdout.write(require('crypto').randomBytes(32).toString('hex'))" > "$work/secret.key"

# start BINARY DB: a server on a free port ($port, $qpid).
start() {
  port=$(free_port)
  taskset -c 0 "$1" --listen "127.0.0.1:$port" --db "sqlite:$2" --secret-key-file "$work/secret.key" \
    --admin-token bench-admin-token --demo off --access-log off --log-level warn --rate-limit off \
    --body-limit 16777216 --threads 1 >/dev/null 2>&1 &
  qpid=$!
  wait_ready "$port"
}
stop() { kill "$qpid"; wait "$qpid" 2>/dev/null; qpid=; }

first=${1#*=}
start "$first" "$work/seed.db"
prep=$(QZ_MESSAGES=100 QZ_PRESIGNED=1 timeout 900 node bench/prepare.mjs "http://127.0.0.1:$port" bench-admin-token "$work/prep")
stop
tt=$(prep_field "$prep" tenant_token); wchat=$(prep_field "$prep" write_chat)
A="Bearer $tt"

# Signed Udesk creates, as bench/prepare.mjs writes them (each nonce is single-use).
udesk_urls() {
  node -e '
const crypto = require("crypto"); const lines = [];
for (let i = 0; i < 200000; i++) {
  const ts = Math.floor(Date.now() / 1000), nonce = crypto.randomBytes(12).toString("hex");
  const sign = crypto.createHash("sha256").update(`admin@bench.test&bench-udesk-token&${ts}&${nonce}&v2`).digest("hex");
  lines.push(`POST /open_api_v1/knowledge_catalogs?email=${encodeURIComponent("admin@bench.test")}&timestamp=${ts}&nonce=${nonce}&sign=${sign}&sign_version=v2 {"knowledge_catalog":{"knowledge_type_name":"useful_link","name":"b${i}","parent_id":0,"agent_id":0}}`);
}
require("fs").writeFileSync(process.argv[1], lines.join("\n") + "\n");' "$1"
}

one() { # NAME BINARY SCENARIO
  local e b a out reqs rps per
  rm -f "$work"/run.db*
  cp "$work/seed.db" "$work/run.db"
  case $3 in
    create) e=(QZ_METHOD=POST QZ_PATH=/open-apis/im/v1/chats QZ_BODY='{"name":"c{n}"}' QZ_AUTH="$A") ;;
    send) e=(QZ_METHOD=POST "QZ_PATH=/open-apis/im/v1/messages?receive_id_type=chat_id"
             QZ_BODY='{"receive_id":"'"$wchat"'","msg_type":"text","content":"{\"text\":\"b{n}\"}"}' QZ_AUTH="$A") ;;
    update) e=(QZ_METHOD=PUT "QZ_PATH=/open-apis/im/v1/chats/$wchat" QZ_BODY='{"name":"u{n}"}' QZ_AUTH="$A") ;;
    udesk) udesk_urls "$work/udesk.txt"; e=(QZ_URLS="$work/udesk.txt") ;;
  esac
  start "$2" "$work/run.db"
  b=$(awk '{print $14 + $15}' "/proc/$qpid/stat")
  out=$(env "${e[@]}" taskset -c 1 wrk -t1 -c50 -d"${DURATION}s" --latency -s bench/wrk/scenario.lua "http://127.0.0.1:$port" 2>&1)
  a=$(awk '{print $14 + $15}' "/proc/$qpid/stat")
  per=$(curl -s -H "Authorization: Bearer bench-admin-token" "http://127.0.0.1:$port/admin/v1/stats" \
    | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const g=JSON.parse(s).group_commit;console.log((g.requests/Math.max(1,g.transactions)).toFixed(1))})')
  stop
  reqs=$(awk '/requests in/ {print $1}' <<<"$out")
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  printf "%-7s %-10s %10s req/s p99 %8s %7s us/rq %5s per commit, non-2xx %s, load %s\n" "$3" "$1" "$rps" "$(awk '/ 99%/ {print $2}' <<<"$out")" \
    "$(awk -v c=$(( (a - b) * 1000000 / $(getconf CLK_TCK) )) -v r="$reqs" 'BEGIN{printf "%.1f", c/r}')" \
    "$per" "$(awk '/Non-2xx/ {print $4}' <<<"$out" | grep . || echo 0)" "$(cut -d' ' -f1 /proc/loadavg)"
}

for sc in $SCENARIOS; do
  for ((i = 0; i < REPS; i++)); do
    for v in "$@"; do one "${v%%=*}" "${v#*=}" "$sc"; done
  done
done
