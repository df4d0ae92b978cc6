#!/usr/bin/env bash
# The test command: installs dependencies, builds with AddressSanitizer + UBSan, runs every
# test tier (unit, corpus, netns, interop), runs the memory lock's tests from a release
# build, builds, lints, installs and purges the Debian package, runs three namespace tests
# under a ThreadSanitizer build, then runs each fuzz target for a bounded time.
#   scripts/test.sh            everything
#   FUZZ_SECONDS=N             time per fuzz target (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-deps.sh
scripts/format.sh --check
scripts/build.sh asan
(cd build-asan && ctest --output-on-failure -j"$(nproc)")
# The memory lock's tests need a build without sanitizers (they make mlockall a no-op).
scripts/build.sh release sys_test
build-release/tests/sys_test --gtest_filter='MemoryLock.*'
VIPD_SKIP_APT=1 scripts/package.sh --test
scripts/tsan.sh
scripts/fuzz.sh "${FUZZ_SECONDS:-60}"
