#!/usr/bin/env bash
# Crash trials (docs/reliability.md): N trials (default 100) of write load on every
# dialect, SIGKILL at a random moment, restart, and the check that every acknowledged
# write is there and nothing unacknowledged is half there. Prints one line per trial
# and the totals. The test command runs 3 (tests/http/crash_trials.test.mjs).
#   scripts/crash-trials.sh [N] [--pg]     # --pg: on a throwaway PostgreSQL too
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
trials=100
with_pg=0
for a in "$@"; do
  case $a in
    --pg) with_pg=1 ;;
    *[!0-9]* | '') echo "usage: $0 [N] [--pg]" >&2; exit 2 ;;
    *) trials=$a ;;
  esac
done

cmake -S . -B build-asan -DQUNZU_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-asan -j"$(nproc)" >/dev/null
export QUNZU_BIN="$root/build-asan/qunzu" QUNZU_CRASH_TRIALS=$trials
cd tests/http
[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error

echo "== $trials crash trials on SQLite"
node --test --test-reporter=tap crash_trials.test.mjs | grep -E '^# (trial|pass|fail)|^not ok|lost|half'
if [ "$with_pg" = 1 ]; then
  pgdir=$(mktemp -d /tmp/qunzu-pg.XXXXXX)
  trap '"$root/scripts/pg-test-server.sh" stop "$pgdir"' EXIT
  QUNZU_TEST_PG=$("$root/scripts/pg-test-server.sh" start "$pgdir")
  export QUNZU_TEST_PG
  echo "== $trials crash trials on PostgreSQL"
  node --test --test-reporter=tap crash_trials.test.mjs | grep -E '^# (trial|pass|fail)|^not ok|lost|half'
fi
