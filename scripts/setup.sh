#!/usr/bin/env bash
# Installs what building and testing Spoor needs, and nothing when all is
# there. Debian 12 packages with apt-get; npm packages from lockfiles.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  cmake ninja-build ccache pkg-config g++ make git curl
  protobuf-compiler protobuf-compiler-grpc libprotobuf-dev libgrpc++-dev
  libboost-dev libssl-dev openssl libsimdjson-dev libyaml-cpp-dev zlib1g-dev libzstd-dev librocksdb-dev libjemalloc-dev
  libre2-dev
  thrift-compiler libthrift-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev llvm
  nodejs chromium
  ruby-jaeger-client
  clickhouse-server clickhouse-client zookeeper
  nats-server libnats-dev
  libopentracing-dev haproxy libdd-opentracing0
  prometheus
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v npm >/dev/null 2>&1; then
  # Debian's nodejs ships npm separately; NodeSource's includes it.
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends npm >/dev/null
fi

# npm packages of the tests and the UI, installed from their lockfiles when they changed.
for dir in tests ui; do
  [ -f "$dir/package-lock.json" ] || continue
  stamp="$dir/node_modules/.package-lock.json"
  if [ ! -f "$stamp" ] || [ "$dir/package-lock.json" -nt "$stamp" ]; then
    echo "setup: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
done
