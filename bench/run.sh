#!/usr/bin/env bash
# bench/run.sh - measures qunzu against a fixed-body nginx on loopback, in one run.
# Builds qunzu optimised, starts it on SQLite (and on PostgreSQL with --pg), seeds it
# (bench/prepare.mjs), then drives every scenario with wrk for DURATION seconds per run
# (default 10) at CONNS connections (default 50): server pinned to core 0, wrk to core 1.
# Prints req/s, p50/p99, server CPU microseconds per request (from /proc/PID/stat) and
# the ratio to nginx serving a fixed JSON body of similar size measured the same way.
#   bench/run.sh            # SQLite
#   bench/run.sh --pg       # SQLite, then PostgreSQL
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
DURATION=${DURATION:-10}
CONNS=${CONNS:-50}
with_pg=0
[ "${1:-}" = "--pg" ] && with_pg=1

scripts/install-deps.sh
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
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

# One scenario: NAME PID PORT [env for the Lua script...]. Prints one result line.
run() {
  local name=$1 pid=$2 port=$3; shift 3
  local before after out
  before=$(cpu_ticks "$pid")
  out=$(env "$@" taskset -c 1 wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency \
        -s bench/wrk/scenario.lua "http://127.0.0.1:$port" 2>&1)
  after=$(cpu_ticks "$pid")
  local rps p50 p99 reqs errs
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  reqs=$(awk '/requests in/ {print $1}' <<<"$out")
  errs=$(awk '/Non-2xx/ {print $4}' <<<"$out")
  local cpu_us=$(( (after - before) * TICK_US ))
  echo "$name|$rps|$p50|$p99|$(awk -v c="$cpu_us" -v r="$reqs" 'BEGIN{ if (r>0) printf "%.1f", c/r; else print "-" }')|${errs:-0}"
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
baseline=$(run "nginx fixed body" "$npid" "$nport" QZ_METHOD=GET QZ_PATH=/)
echo "$baseline" >> "$results"

# One server key for both backends (PostgreSQL requires secret_key_file).
(umask 077 && node -e "process.stdout.write(require('crypto').randomBytes(32).toString('hex'))" \
  > "$work/secret.key")

# bench_backend LABEL DB [writes] [qunzu flags...]: 'writes' runs the durable write
# scenarios only (the before/after of group commit).
bench_backend() {
  local label=$1 db=$2 port writes_only=0
  shift 2
  [ "${1:-}" = writes ] && { writes_only=1; shift; }
  port=$(free_port)
  taskset -c 0 build-bench/qunzu --listen "127.0.0.1:$port" --db "$db" --threads 1 \
    --secret-key-file "$work/secret.key" \
    --admin-token bench-admin-token --demo off --access-log off --log-level warn --rate-limit off \
    --body-limit 16777216 "$@" &
  local qpid=$!
  pids+=($qpid)
  wait_ready "$port"
  echo "preparing $label (seed, 50,000-member chat, 100,000-message chat, 1000-catalog tree, 1000 intents, 1000 questions)..." >&2
  local prep
  prep=$(node bench/prepare.mjs "http://127.0.0.1:$port" bench-admin-token "$work/$label")
  j() { prep_field "$prep" "$1"; }
  local wt tt small large deep wchat
  wt=$(j wecom_token); tt=$(j tenant_token); small=$(j small); large=$(j large)
  deep=$(node -e "process.stdout.write(encodeURIComponent(JSON.parse(process.argv[1]).deep_token))" "$prep")
  wchat=$(j write_chat)
  local mchat mdeep msg
  mchat=$(j msg_chat); msg=$(j message)
  mdeep=$(node -e "process.stdout.write(encodeURIComponent(JSON.parse(process.argv[1]).msg_deep_token))" "$prep")
  local A="Bearer $tt" P="$label: "
  reads() { [ $writes_only -eq 0 ]; }
  {
    reads && run "${P}wecom gettoken" $qpid $port QZ_PATH="/cgi-bin/gettoken?corpid=wwbench&corpsecret=bench-kf-secret"
    reads && run "${P}wecom list_group" $qpid $port QZ_METHOD=POST QZ_PATH="/cgi-bin/kf/knowledge/list_group?access_token=$wt" QZ_BODY='{}'
    reads && run "${P}wecom list_intent (1000 intents, one page)" $qpid $port QZ_METHOD=POST QZ_PATH="/cgi-bin/kf/knowledge/list_intent?access_token=$wt" QZ_BODY='{"limit":1000}'
    reads && run "${P}wecom list_intent (a full group, 200 intents)" $qpid $port QZ_METHOD=POST QZ_PATH="/cgi-bin/kf/knowledge/list_intent?access_token=$wt" QZ_BODY="{\"group_id\":\"$(j wecom_group)\"}"
    run "${P}wecom add+del group (durable)" $qpid $port QZ_METHOD=POST QZ_PAIR=wecom \
      QZ_PATH="/cgi-bin/kf/knowledge/add_group?access_token=$wt" QZ_BODY='{"name":"w{n}"}' \
      QZ_DEL_PATH="/cgi-bin/kf/knowledge/del_group?access_token=$wt"
    reads && run "${P}udesk list catalogs (1000-node tree)" $qpid $port QZ_URLS="$work/$label/udesk_list.txt"
    reads && run "${P}udesk list questions (1000 in a catalog, pages of 100)" $qpid $port QZ_URLS="$work/$label/udesk_items.txt"
    run "${P}udesk create catalog (durable)" $qpid $port QZ_URLS="$work/$label/udesk_create.txt"
    reads && run "${P}feishu get chat" $qpid $port QZ_PATH="/open-apis/im/v1/chats/$small" QZ_AUTH="$A"
    reads && run "${P}feishu list members, 10-member chat" $qpid $port QZ_PATH="/open-apis/im/v1/chats/$small/members" QZ_AUTH="$A"
    reads && run "${P}feishu list members, 50k chat, first page" $qpid $port QZ_PATH="/open-apis/im/v1/chats/$large/members?page_size=100" QZ_AUTH="$A"
    reads && run "${P}feishu list members, 50k chat, page 201" $qpid $port QZ_PATH="/open-apis/im/v1/chats/$large/members?page_size=100&page_token=$deep" QZ_AUTH="$A"
    run "${P}feishu create chat (durable)" $qpid $port QZ_METHOD=POST QZ_PATH="/open-apis/im/v1/chats" QZ_BODY='{"name":"c{n}"}' QZ_AUTH="$A"
    run "${P}feishu add/remove member (durable)" $qpid $port QZ_PAIR=feishu_members QZ_PATH="/open-apis/im/v1/chats/$wchat/members?member_id_type=user_id" QZ_AUTH="$A"
    run "${P}feishu update chat (durable)" $qpid $port QZ_METHOD=PUT QZ_PATH="/open-apis/im/v1/chats/$wchat" QZ_BODY='{"name":"u{n}"}' QZ_AUTH="$A"
    run "${P}feishu send text to a group (durable)" $qpid $port QZ_METHOD=POST QZ_PATH="/open-apis/im/v1/messages?receive_id_type=chat_id" \
      QZ_BODY='{"receive_id":"'"$wchat"'","msg_type":"text","content":"{\"text\":\"b{n}\"}"}' QZ_AUTH="$A"
    reads && run "${P}feishu get message" $qpid $port QZ_PATH="/open-apis/im/v1/messages/$msg" QZ_AUTH="$A"
    reads && run "${P}feishu list messages, first page" $qpid $port QZ_PATH="/open-apis/im/v1/messages?container_id_type=chat&container_id=$mchat&page_size=50" QZ_AUTH="$A"
    reads && run "${P}feishu list messages, 100,000 deep" $qpid $port QZ_PATH="/open-apis/im/v1/messages?container_id_type=chat&container_id=$mchat&page_size=50&page_token=$mdeep" QZ_AUTH="$A"
    # Group commit's own figures: transactions and the requests they carried.
    curl -s -H "Authorization: Bearer bench-admin-token" "http://127.0.0.1:$port/admin/v1/stats" \
      | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const g=JSON.parse(s).group_commit;if(g.enabled)console.error(`'"$label"': group commit: ${g.requests} write requests in ${g.transactions} transactions (${(g.requests/Math.max(1,g.transactions)).toFixed(1)} per commit)`)})'
  } >> "$results"

  kill $qpid; wait $qpid 2>/dev/null || true
}

# Group commit before/after: the write scenarios with it off, then everything with it on.
bench_backend "sqlite, one commit per request" "sqlite:$work/solo.db" writes --sqlite-group-commit off
bench_backend sqlite "sqlite:$work/bench.db"
if [ $with_pg -eq 1 ]; then
  pgdir=$(mktemp -d /tmp/qunzu-bench-pg.XXXXXX)
  url=$(scripts/pg-test-server.sh start "$pgdir")
  psql "$url" -qc "CREATE DATABASE bench"
  bench_backend postgres "${url/\/postgres\?//bench?}"
fi

base_rps=$(cut -d'|' -f2 <<<"$baseline")
echo
printf '%-52s %10s %8s %9s %9s %9s %7s\n' scenario req/s ratio p50 p99 "cpu us/rq" non-2xx
while IFS='|' read -r name rps p50 p99 cpu errs; do
  ratio=$(awk -v a="$rps" -v b="$base_rps" 'BEGIN{ if (b>0) printf "%.2f", a/b; else print "-" }')
  printf '%-52s %10s %8s %9s %9s %9s %7s\n' "$name" "$rps" "$ratio" "$p50" "$p99" "$cpu" "$errs"
done < "$results"
echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); ${DURATION}s per scenario, ${CONNS} connections, wrk -t1 on core 1, server on core 0"
