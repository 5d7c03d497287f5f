#!/usr/bin/env bash
# Installs what is missing, builds qunzu and starts it on 127.0.0.1:8080 with
# its SQLite database (./qunzu.db). On first start it creates a demo tenant
# and prints its credentials for every dialect. Extra arguments are passed
# to the server (see `build/qunzu --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
exec build/qunzu --listen 127.0.0.1:8080 --db sqlite:qunzu.db "$@"
