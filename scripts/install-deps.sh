#!/usr/bin/env bash
# Installs the Debian packages qunzu needs, and only those that are missing:
# apt-get runs only when something is absent. Usage:
#   scripts/install-deps.sh          # build and run
#   scripts/install-deps.sh --test   # plus what the test suite needs
#   scripts/install-deps.sh --bench  # plus what bench/run.sh needs (wrk, nginx,
#                                    # PostgreSQL and its pgbench)
set -euo pipefail

pkgs=(gcc make cmake pkg-config libh2o-evloop-dev libjansson-dev libsqlite3-dev libssl-dev libpq-dev libcurl4-openssl-dev libgmime-3.0-dev
  libwslay-dev libprotobuf-c-dev protobuf-c-compiler)
if [ "${1:-}" = "--test" ]; then
  pkgs+=(clang libclang-rt-14-dev postgresql postgresql-client wrk curl valgrind)
  # The console's browser tests drive Debian's Chromium (playwright-core from
  # npm never downloads a browser); a font so its pages render text.
  pkgs+=(chromium fonts-dejavu-core)
  command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
  command -v npm >/dev/null 2>&1 || pkgs+=(npm)
fi
if [ "${1:-}" = "--bench" ]; then
  pkgs+=(postgresql postgresql-client wrk nginx-light curl)
  command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
fi

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
# The tests start their own throwaway PostgreSQL; the package must not start
# (or need) a system cluster, so its post-install may fail to start one here.
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
