#!/usr/bin/env bash
# Builds qunzu with AddressSanitizer and UndefinedBehaviorSanitizer and runs
# the whole suite: C unit tests (ctest), then the black-box HTTP tests
# (node:test) against the real binary on fresh databases, twice: on SQLite,
# then on a throwaway PostgreSQL server that this script starts and stops.
# Last, a short soak (bench/soak.sh): mixed load on an optimised build, RSS bounded.
# Arguments go to `node --test` (a test file, say); they skip the soak.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test

cmake -S . -B build-asan -DQUNZU_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-asan -j"$(nproc)"
# An unsanitized build too: valgrind runs it where ASan cannot see (inside
# libh2o, tests/http/shutdown_queue.test.mjs); the soak measures it.
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-bench -j"$(nproc)" >/dev/null
export QUNZU_PLAIN_BIN="$PWD/build-bench/qunzu"

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}

(cd build-asan && ctest --output-on-failure)

# A short fuzz of every target catches regressions; scripts/fuzz.sh runs longer.
scripts/fuzz.sh "${QUNZU_FUZZ_SECONDS:-20}"

root=$PWD
cd tests/http
npm ci --no-audit --no-fund --loglevel=error
export QUNZU_BIN="$root/build-asan/qunzu"

echo "== black-box tests on SQLite"
node --test --test-concurrency=2 "$@"

echo "== black-box tests on PostgreSQL"
pgdir=$(mktemp -d /tmp/qunzu-pg.XXXXXX)
trap '"$root/scripts/pg-test-server.sh" stop "$pgdir"' EXIT
QUNZU_TEST_PG=$("$root/scripts/pg-test-server.sh" start "$pgdir")
export QUNZU_TEST_PG
# The unit cases that compare the backends (schema parity) and use the server.
(cd "$root/build-asan" && ctest -R '^unit/pg$' --output-on-failure)
node --test --test-concurrency=2 "$@"

if [ $# -eq 0 ]; then
  echo "== soak (short; bench/soak.sh 600 is the long one)"
  cd "$root"
  STEP=2 SOAK_EVENTS_MAX=${SOAK_EVENTS_MAX:-5000} bench/soak.sh "${QUNZU_SOAK_SECONDS:-60}"
fi
