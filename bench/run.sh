#!/usr/bin/env bash
# bench/run.sh - measures qunzu against the limits of its machine, in one run.
# Builds qunzu optimised, starts it on SQLite (and on PostgreSQL with --pg), seeds it
# (bench/prepare.mjs), then drives every scenario with wrk for DURATION seconds per run
# (default 10) at CONNS connections (default 50): server pinned to core 0, wrk to core 1.
# Prints req/s, p50/p99, server CPU microseconds per request (from /proc/PID/stat) and
# a ratio to an anchor measured the same way in the same run:
#   - SQLite rows: nginx serving a fixed JSON body of similar size (one worker, core 0);
#   - PostgreSQL rows: pgbench on the same server, `pgbench -S` (one indexed read per
#     transaction) for reads and `pgbench -N` (a transaction: an account's update,
#     its read back, an insert into the history; 5 round trips) for the durable writes, at CONNS clients on core 1. The server runs durable (fsync,
#     synchronous_commit and full_page_writes on: PostgreSQL's defaults), so a
#     "(durable)" row is one. PostgreSQL rows also show the server's CPU per request
#     (every backend process) and the round trips per request (/admin/v1/stats);
#   - two nodes on the one database: the reads again over both nodes at once (the
#     second node on core 1), as a ratio to one node's.
# Every load is bounded in time: wrk and pgbench run DURATION seconds, the seeding at
# most PREP_TIMEOUT seconds (default 900).
#   bench/run.sh            # SQLite
#   bench/run.sh --pg       # SQLite, then PostgreSQL (PG_THREADS workers, default CONNS,
#                           # as many as pgbench's clients: each holds its own
#                           # connection, and a worker waits on its connection, so a
#                           # node keeps at most PG_THREADS transactions in flight)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
DURATION=${DURATION:-10}
CONNS=${CONNS:-50}
PG_THREADS=${PG_THREADS:-$CONNS}
PREP_TIMEOUT=${PREP_TIMEOUT:-900}
with_pg=0
[ "${1:-}" = "--pg" ] && with_pg=1

scripts/install-deps.sh --bench
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
. bench/lib.sh
build_bench

work=$(mktemp -d /tmp/qunzu-bench.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -n "${pgdir:-}" ] && scripts/pg-test-server.sh stop "$pgdir"
  rm -rf "$work"
}
trap cleanup EXIT

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
TICK_US=$((1000000 / $(getconf CLK_TCK)))
# The PostgreSQL server's CPU: the postmaster and every backend (0 without one).
db_ticks() {
  [ -n "${pgpid:-}" ] || { echo 0; return; }
  local t=0 c
  for c in $pgpid $(pgrep -P "$pgpid"); do
    [ -r "/proc/$c/stat" ] && t=$((t + $(awk '{print $14 + $15}' "/proc/$c/stat" 2>/dev/null || echo 0)))
  done
  echo $t
}
# Round trips to PostgreSQL the node on port $1 has made (0 on SQLite).
round_trips() {
  curl -s -H "Authorization: Bearer bench-admin-token" "http://127.0.0.1:$1/admin/v1/stats" \
    | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{console.log(JSON.parse(s).postgres.round_trips)}catch{console.log(0)}})'
}
# Busy and total jiffies of cores 0 and 1 ("busy0 total0 busy1 total1"), and the share
# of each core that was busy between two such readings ("c0/c1", in percent).
core_ticks() {
  awk '$1=="cpu0" || $1=="cpu1" {t=0; for (i=2;i<=NF;i++) t+=$i; printf "%d %d ", t-$5-$6, t}' /proc/stat
}
core_busy() {
  awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " ");
    d0 = y[2] - x[2]; d1 = y[4] - x[4]; if (d0 < 1) d0 = 1; if (d1 < 1) d1 = 1;
    printf "%d/%d", 100 * (y[1] - x[1]) / d0, 100 * (y[3] - x[3]) / d1 }'
}
per_rq() { awk -v c="$1" -v r="$2" -v f="${3:-%.1f}" 'BEGIN{ if (r>0) printf f, c/r; else print "-" }'; }

# A result line: BACKEND|KIND|NAME|req/s|p50|p99|cpu us/rq|non-2xx|db cpu us/rq|trips/rq|cores
# (cores: how busy cores 0 and 1 were, in percent, while wrk ran).
# KIND: R a read, W a durable write, A an anchor (nginx, pgbench), 2 two nodes' reads.
# One scenario: BACKEND KIND NAME PID PORT [env for the Lua script...].
run() {
  local backend=$1 kind=$2 name=$3 pid=$4 port=$5; shift 5
  local before after dbb dba tb ta out
  local cb ca
  tb=$(round_trips "$port"); dbb=$(db_ticks)
  before=$(cpu_ticks "$pid"); cb=$(core_ticks)
  out=$(env "$@" taskset -c 1 wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency \
        -s bench/wrk/scenario.lua "http://127.0.0.1:$port" 2>&1)
  after=$(cpu_ticks "$pid"); ca=$(core_ticks)
  dba=$(db_ticks); ta=$(round_trips "$port")
  local rps p50 p99 reqs errs
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  reqs=$(awk '/requests in/ {print $1}' <<<"$out")
  errs=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  local db="-" trips="-"
  if [ "$backend" = postgres ]; then
    db=$(per_rq $(( (dba - dbb) * TICK_US )) "$reqs")
    trips=$(per_rq $(( ta - tb )) "$reqs" %.2f)
  fi
  echo "$backend|$kind|$name|$rps|$p50|$p99|$(per_rq $(( (after - before) * TICK_US )) "$reqs")|${errs:-0}|$db|$trips|$(core_busy "$cb" "$ca")"
}

# Two nodes at once: NAME PID1 PORT1 PID2 PORT2 [env...]: a wrk of CONNS/2 connections
# against each, started together; req/s summed, the worse p99 kept.
run2() {
  local name=$1 pid1=$2 port1=$3 pid2=$4 port2=$5; shift 5
  local half=$(( CONNS / 2 )) o1 o2
  o1=$(mktemp "$work/w1.XXXX"); o2=$(mktemp "$work/w2.XXXX")
  local cb ca
  cb=$(core_ticks)
  env "$@" taskset -c 1 wrk -t1 -c"$half" -d"${DURATION}s" --latency \
    -s bench/wrk/scenario.lua "http://127.0.0.1:$port1" >"$o1" 2>&1 &
  local w1=$!
  env "$@" taskset -c 1 wrk -t1 -c"$half" -d"${DURATION}s" --latency \
    -s bench/wrk/scenario.lua "http://127.0.0.1:$port2" >"$o2" 2>&1 &
  local w2=$!
  wait $w1 $w2
  ca=$(core_ticks)
  local rps p50 p99 errs
  rps=$(awk '/^Requests\/sec/ {s += $2} END {printf "%.2f", s}' "$o1" "$o2")
  p50=$(awk '$1=="50%" {print $2; exit}' "$o1")
  p99=$(awk '$1=="99%" {print $2}' "$o1" "$o2" | sort -h | tail -1)
  errs=$(awk '/Non-2xx/ {s += $NF} END {print s + 0}' "$o1" "$o2")
  echo "postgres|2|$name|$rps|$p50|$p99|-|$errs|-|-|$(core_busy "$cb" "$ca")"
}

# pgbench on the same server, in the same run: -S (select only: 1 round trip) and -N
# (BEGIN, an account's update, its read back, an insert into the history, END: 5),
# CONNS clients on core 1.
# The server's CPU is read while pgbench runs (its backends exit with it): from its
# second second to DURATION-1 seconds, over the transactions of that span at its rate.
run_pgbench() {
  local mode=$1 name=$2 trips=$3 out tps lat dbb dba span=$(( DURATION - 2 ))
  local o
  o=$(mktemp "$work/pgb.XXXX")
  taskset -c 1 pgbench "$pgbench_url" "$mode" -n -c "$CONNS" -j 1 -T "$DURATION" >"$o" 2>&1 &
  local b=$!
  local cb ca
  sleep 1; dbb=$(db_ticks); cb=$(core_ticks)
  sleep "$span"; dba=$(db_ticks); ca=$(core_ticks)
  wait $b
  out=$(cat "$o")
  tps=$(awk '/^tps/ {print $3}' <<<"$out")
  lat=$(awk '/^latency average/ {print $4 "ms"}' <<<"$out")
  local db
  db=$(awk -v c=$(( (dba - dbb) * TICK_US )) -v t="$tps" -v s="$span" 'BEGIN{ if (t>0) printf "%.1f", c/(t*s); else print "-" }')
  echo "pgbench|A|$name|$tps|$lat (mean)|-|-|0|$db|$trips|$(core_busy "$cb" "$ca")"
}

# nginx: a fixed JSON body like WeCom's list answer, one worker, on core 0.
nport=$(free_port)
mkdir -p "$work/nginx"
body='{"errcode":0,"errmsg":"ok","next_cursor":"","has_more":0,"group_list":[{"group_id":"AbCdEfGhIjKlMnOp","name":"默认分组","is_default":1},{"group_id":"QrStUvWxYz012345","name":"FAQ","is_default":0}]}'
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx;
  proxy_temp_path $work/nginx;
  fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx;
  scgi_temp_path $work/nginx;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nport;
    location / { default_type application/json; return 200 '$body'; }
    # A history page's own bytes, written once the SQLite backend is prepared.
    location = /page.json { default_type application/json; alias $work/nginx/page.json; }
  }
}
CONF
taskset -c 0 "$NGINX" -c "$work/nginx/nginx.conf" -p "$work/nginx" &
pids+=($!)
sleep 0.5
npid=$(pgrep -P "${pids[-1]}" | head -1 || true)
[ -n "$npid" ] || npid=${pids[-1]}

results="$work/results.txt"
: > "$results"
run nginx A "nginx fixed body" "$npid" "$nport" QZ_METHOD=GET QZ_PATH=/ >> "$results"

# One server key for both backends (PostgreSQL requires secret_key_file).
(umask 077 && node -e "process.stdout.write(require('crypto').randomBytes(32).toString('hex'))" \
  > "$work/secret.key")

# bench_backend LABEL DB [writes] [qunzu flags...]: 'writes' runs the durable write
# scenarios only (the before/after of group commit).
bench_backend() {
  local label=$1 db=$2 port writes_only=0 backend=sqlite
  shift 2
  [ "${1:-}" = writes ] && { writes_only=1; shift; }
  [ "$label" = postgres ] && backend=postgres
  port=$(free_port)
  taskset -c 0 build-bench/qunzu --listen "127.0.0.1:$port" --db "$db" \
    --secret-key-file "$work/secret.key" \
    --admin-token bench-admin-token --demo off --access-log off --log-level warn --rate-limit off \
    --body-limit 16777216 "$@" &
  local qpid=$!
  pids+=($qpid)
  wait_ready "$port"
  echo "preparing $label (seed, 50,000-member chat, 100,000-message chat, 1000-catalog tree, 1000 intents, 1000 questions)..." >&2
  local prep t0=$SECONDS msgs=${QZ_MESSAGES:-100000}
  # The write scenarios alone read no history: a few messages do.
  [ $writes_only -eq 1 ] && msgs=100
  prep=$(QZ_MESSAGES=$msgs timeout "$PREP_TIMEOUT" node bench/prepare.mjs "http://127.0.0.1:$port" bench-admin-token "$work/$label")
  echo "$label: prepared in $((SECONDS - t0)) s" >&2
  j() { prep_field "$prep" "$1"; }
  local wt tt small large deep wchat
  wt=$(j wecom_token); tt=$(j tenant_token); small=$(j small); large=$(j large)
  deep=$(node -e "process.stdout.write(encodeURIComponent(JSON.parse(process.argv[1]).deep_token))" "$prep")
  wchat=$(j write_chat)
  local mchat mdeep msg
  mchat=$(j msg_chat); msg=$(j message)
  mdeep=$(node -e "process.stdout.write(encodeURIComponent(JSON.parse(process.argv[1]).msg_deep_token))" "$prep")
  local A="Bearer $tt" P="$label: "
  rd() { [ $writes_only -eq 0 ] || return 0; run "$backend" R "$P$1" $qpid $port "${@:2}"; }
  wr() { run "$backend" W "$P$1" $qpid $port "${@:2}"; }
  # The reads the two-node rows repeat: NAME, then wrk's environment.
  local -a two=(
    "feishu get chat|QZ_PATH=/open-apis/im/v1/chats/$small|QZ_AUTH=$A"
    "feishu list members, 10-member chat|QZ_PATH=/open-apis/im/v1/chats/$small/members|QZ_AUTH=$A"
    "feishu get message|QZ_PATH=/open-apis/im/v1/messages/$msg|QZ_AUTH=$A"
    "feishu list messages, first page|QZ_PATH=/open-apis/im/v1/messages?container_id_type=chat&container_id=$mchat&page_size=50|QZ_AUTH=$A"
  )
  {
    if [ "$backend" = postgres ]; then
      run_pgbench -S "pgbench -S (select only)" 1
      run_pgbench -N "pgbench -N (simple update, durable)" 5
    fi
    rd "wecom gettoken" QZ_PATH="/cgi-bin/gettoken?corpid=wwbench&corpsecret=bench-kf-secret"
    rd "wecom list_group" QZ_METHOD=POST QZ_PATH="/cgi-bin/kf/knowledge/list_group?access_token=$wt" QZ_BODY='{}'
    rd "wecom list_intent (1000 intents, one page)" QZ_METHOD=POST QZ_PATH="/cgi-bin/kf/knowledge/list_intent?access_token=$wt" QZ_BODY='{"limit":1000}'
    rd "wecom list_intent (a full group, 200 intents)" QZ_METHOD=POST QZ_PATH="/cgi-bin/kf/knowledge/list_intent?access_token=$wt" QZ_BODY="{\"group_id\":\"$(j wecom_group)\"}"
    wr "wecom add+del group (durable)" QZ_METHOD=POST QZ_PAIR=wecom \
      QZ_PATH="/cgi-bin/kf/knowledge/add_group?access_token=$wt" QZ_BODY='{"name":"w{n}"}' \
      QZ_DEL_PATH="/cgi-bin/kf/knowledge/del_group?access_token=$wt"
    rd "udesk list catalogs (1000-node tree)" QZ_URLS="$work/$label/udesk_list.txt"
    rd "udesk list questions (1000 in a catalog, pages of 100)" QZ_URLS="$work/$label/udesk_items.txt"
    wr "udesk create catalog (durable)" QZ_URLS="$work/$label/udesk_create.txt"
    rd "feishu get chat" QZ_PATH="/open-apis/im/v1/chats/$small" QZ_AUTH="$A"
    rd "feishu list members, 10-member chat" QZ_PATH="/open-apis/im/v1/chats/$small/members" QZ_AUTH="$A"
    rd "feishu list members, 50k chat, first page" QZ_PATH="/open-apis/im/v1/chats/$large/members?page_size=100" QZ_AUTH="$A"
    rd "feishu list members, 50k chat, page 201" QZ_PATH="/open-apis/im/v1/chats/$large/members?page_size=100&page_token=$deep" QZ_AUTH="$A"
    wr "feishu create chat (durable)" QZ_METHOD=POST QZ_PATH="/open-apis/im/v1/chats" QZ_BODY='{"name":"c{n}"}' QZ_AUTH="$A"
    wr "feishu add/remove member (durable)" QZ_PAIR=feishu_members QZ_PATH="/open-apis/im/v1/chats/$wchat/members?member_id_type=user_id" QZ_AUTH="$A"
    wr "feishu update chat (durable)" QZ_METHOD=PUT QZ_PATH="/open-apis/im/v1/chats/$wchat" QZ_BODY='{"name":"u{n}"}' QZ_AUTH="$A"
    wr "feishu send text to a group (durable)" QZ_METHOD=POST QZ_PATH="/open-apis/im/v1/messages?receive_id_type=chat_id" \
      QZ_BODY='{"receive_id":"'"$wchat"'","msg_type":"text","content":"{\"text\":\"b{n}\"}"}' QZ_AUTH="$A"
    rd "feishu get message" QZ_PATH="/open-apis/im/v1/messages/$msg" QZ_AUTH="$A"
    rd "feishu list messages, first page" QZ_PATH="/open-apis/im/v1/messages?container_id_type=chat&container_id=$mchat&page_size=50" QZ_AUTH="$A"
    # What the kernel and HTTP cost for a page this size: nginx sending the same bytes.
    if [ "$label" = sqlite ]; then
      curl -s -H "Authorization: $A" "http://127.0.0.1:$port/open-apis/im/v1/messages?container_id_type=chat&container_id=$mchat&page_size=50" \
        > "$work/nginx/page.json"
      # nginx's worker runs as another user: it must be able to read the file.
      chmod 755 "$work" "$work/nginx"; chmod 644 "$work/nginx/page.json"
      run nginx A "nginx, the same bytes as a history page ($(( $(stat -c %s "$work/nginx/page.json") / 1024 )) KiB)" \
        "$npid" "$nport" QZ_METHOD=GET QZ_PATH=/page.json
    fi
    rd "feishu list messages, 100,000 deep" QZ_PATH="/open-apis/im/v1/messages?container_id_type=chat&container_id=$mchat&page_size=50&page_token=$mdeep" QZ_AUTH="$A"
    # Group commit's own figures: transactions and the requests they carried.
    curl -s -H "Authorization: Bearer bench-admin-token" "http://127.0.0.1:$port/admin/v1/stats" \
      | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const g=JSON.parse(s).group_commit;if(g.enabled)console.error(`'"$label"': group commit: ${g.requests} write requests in ${g.transactions} transactions (${(g.requests/Math.max(1,g.transactions)).toFixed(1)} per commit)`)})'
    # Two nodes on the one database: a second node (on core 1), the reads over both.
    if [ "$backend" = postgres ]; then
      local port2 qpid2
      port2=$(free_port)
      taskset -c 1 build-bench/qunzu --listen "127.0.0.1:$port2" --db "$db" \
        --secret-key-file "$work/secret.key" --admin-token bench-admin-token --demo off \
        --access-log off --log-level warn --rate-limit off "$@" >&2 &
      qpid2=$!
      pids+=($qpid2)
      wait_ready "$port2"
      local row name
      for row in "${two[@]}"; do
        IFS='|' read -r name e1 e2 <<<"$row"
        run2 "$P$name" $qpid $port $qpid2 $port2 "$e1" "$e2"
      done
      kill $qpid2; wait $qpid2 2>/dev/null || true
    fi
  } >> "$results"

  kill $qpid; wait $qpid 2>/dev/null || true
}

# Group commit before/after: the write scenarios with it off, then everything with it on.
bench_backend "sqlite, one commit per request" "sqlite:$work/solo.db" writes --threads 1 --sqlite-group-commit off
bench_backend sqlite "sqlite:$work/bench.db" --threads 1
if [ $with_pg -eq 1 ]; then
  pgdir=$(mktemp -d /tmp/qunzu-bench-pg.XXXXXX)
  url=$(QUNZU_PG_DURABLE=1 scripts/pg-test-server.sh start "$pgdir")
  pgpid=$(head -1 "$pgdir/data/postmaster.pid")
  psql "$url" -qc "CREATE DATABASE bench" -c "CREATE DATABASE pgbench"
  psql "$url" -Atc "SELECT 'postgres: ' || version() || '; fsync ' || current_setting('fsync') || ', synchronous_commit ' || current_setting('synchronous_commit') || ', full_page_writes ' || current_setting('full_page_writes')" >&2
  pgbench_url=${url/\/postgres\?//pgbench?}
  timeout 300 pgbench "$pgbench_url" -i -q -s 10 >/dev/null 2>&1
  bench_backend postgres "${url/\/postgres\?//bench?}" --threads "$PG_THREADS"
fi

# The report: each row's ratio to its anchor from this run.
echo
node - "$results" <<'JS'
const fs = require('fs');
const rows = fs.readFileSync(process.argv[2], 'utf8').trim().split('\n').map((l) => {
    const [backend, kind, name, rps, p50, p99, cpu, errs, db, trips, cores] = l.split('|');
    return { backend, kind, name, rps: Number(rps), p50, p99, cpu, errs, db, trips, cores };
});
const anchor = (n) => rows.find((r) => r.name.startsWith(n))?.rps || 0;
const nginx = anchor('nginx'), pgS = anchor('pgbench -S'), pgN = anchor('pgbench -N');
const one = (name) => rows.find((r) => r.backend === 'postgres' && r.kind === 'R' && r.name === name)?.rps || 0;
const pad = (s, n) => String(s).padStart(n);
console.log(`${'scenario'.padEnd(58)}${pad('req/s', 10)}${pad('ratio', 7)} ${'to'.padEnd(11)}${pad('p50', 9)}${pad('p99', 9)}${pad('cpu us/rq', 10)}${pad('db us/rq', 9)}${pad('trips/rq', 9)}${pad('non-2xx', 8)}${pad('c0/c1 %', 9)}`);
for (const r of rows) {
    let base = 0, to = '';
    if (r.kind === 'A') {
        base = r.rps; to = 'itself';
    } else if (r.backend === 'postgres' && r.kind === '2') {
        base = one(r.name); to = 'one node';
    } else if (r.backend === 'postgres') {
        base = r.kind === 'W' ? pgN : pgS; to = r.kind === 'W' ? 'pgbench -N' : 'pgbench -S';
    } else {
        base = nginx; to = 'nginx';
    }
    const name = r.kind === '2' ? r.name.replace('postgres: ', 'postgres, two nodes: ') : r.name;
    const ratio = base > 0 ? (r.rps / base).toFixed(2) : '-';
    console.log(`${name.slice(0, 57).padEnd(58)}${pad(r.rps.toFixed(0), 10)}${pad(ratio, 7)} ${to.padEnd(11)}${pad(r.p50, 9)}${pad(r.p99, 9)}${pad(r.cpu, 10)}${pad(r.db, 9)}${pad(r.trips, 9)}${pad(r.errs, 8)}${pad(r.cores || '-', 9)}`);
}
JS
echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load average at the end $(cut -d' ' -f1-3 /proc/loadavg); ${DURATION}s per scenario, ${CONNS} connections, wrk -t1 and pgbench -j1 on core 1, server on core 0 (SQLite: 1 worker; PostgreSQL: $PG_THREADS workers, the second node on core 1)"
