#!/usr/bin/env bash
# ThreadSanitizer: the daemon's threads (the VRRP loop, the checker thread, the control and
# metrics thread, the reload reader) under the namespace tests that exercise all of them.
# Any report fails the run (halt_on_error: the daemon stops, its test fails; the reports
# directory must also stay empty).
#   scripts/tsan.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh tsan vipd vipctl genhash
reports=$(mktemp -d)
trap 'rm -rf "$reports"' EXIT
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 log_path=$reports/tsan"
b=build-tsan
bash tests/netns/lb_test.sh $b/src/daemon/vipd $b/tools/vipctl/vipctl
bash tests/netns/checkers_test.sh $b/src/daemon/vipd $b/tools/genhash/genhash
bash tests/netns/control_test.sh $b/src/daemon/vipd $b/tools/vipctl/vipctl
if compgen -G "$reports/tsan*" >/dev/null; then
  cat "$reports"/tsan*
  echo "FAIL: ThreadSanitizer reported races"
  exit 1
fi
echo "tsan: lb, checkers and control namespace tests clean"
