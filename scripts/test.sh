#!/usr/bin/env bash
# Builds qunzu with AddressSanitizer and UndefinedBehaviorSanitizer and runs
# the whole suite: C unit tests (ctest), then the black-box HTTP tests
# (node:test) against the real binary on fresh databases.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test

cmake -S . -B build-asan -DQUNZU_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-asan -j"$(nproc)"

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}

(cd build-asan && ctest --output-on-failure)

cd tests/http
npm ci --no-audit --no-fund --loglevel=error
QUNZU_BIN="$PWD/../../build-asan/qunzu" node --test --test-concurrency=2 "$@"
