#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) into build-fuzz/ and runs
# each for SECONDS (default 60), starting from the committed seed corpus in
# tests/fuzz/corpus/<target>/ plus a working corpus in build-fuzz/corpus/.
# A crash leaves its input in build-fuzz/ and fails the run.
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
CC=clang cmake -S . -B build-fuzz -DQUNZU_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target fuzz_request fuzz_parsers >/dev/null
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=0}
for t in request parsers; do
  mkdir -p "build-fuzz/corpus/$t"
  echo "== fuzz_$t for ${secs}s"
  (cd build-fuzz && "./fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=4096 \
     -print_final_stats=1 "corpus/$t" "../tests/fuzz/corpus/$t" 2>&1 \
     | grep -E "stat::number_of_executed_units|stat::peak_rss_mb|ERROR|SUMMARY|Test unit written|DONE")
done
