#!/usr/bin/env bash
# Configures and builds one flavour of vipd with CMake + Ninja.
#   scripts/build.sh [release|asan|tsan|fuzz] [TARGET...]   (default: release, all targets)
#     -> build-<flavour>/
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}
case "$flavour" in
  release) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  asan) args=(-DCMAKE_BUILD_TYPE=Debug -DVIPD_SANITIZE=ON) ;;
  tsan) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DVIPD_TSAN=ON -DVIPD_TESTS=OFF) ;;
  fuzz) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DVIPD_FUZZ=ON -DVIPD_TESTS=OFF
              -DCMAKE_CXX_COMPILER=clang++) ;;
  *) echo "unknown flavour $flavour" >&2; exit 2 ;;
esac
shift || true
# Developer and CI builds treat warnings as errors; a packager's plain cmake does not.
cmake -S . -B "build-$flavour" -G Ninja -DVIPD_WERROR=ON "${args[@]}" >/dev/null
ninja -C "build-$flavour" -j"$(nproc)" "$@"
