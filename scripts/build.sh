#!/usr/bin/env bash
# Configures and builds one flavour of vipd with CMake + Ninja.
#   scripts/build.sh [release|asan|fuzz]   (default: release) -> build-<flavour>/
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}
case "$flavour" in
  release) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  asan) args=(-DCMAKE_BUILD_TYPE=Debug -DVIPD_SANITIZE=ON) ;;
  fuzz) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DVIPD_FUZZ=ON -DVIPD_TESTS=OFF
              -DCMAKE_CXX_COMPILER=clang++) ;;
  *) echo "unknown flavour $flavour" >&2; exit 2 ;;
esac
cmake -S . -B "build-$flavour" -G Ninja "${args[@]}" >/dev/null
ninja -C "build-$flavour" -j"$(nproc)"
