#!/usr/bin/env bash
# vipd-sim on the example configs and script: the timeline shows each takeover at the
# protocol's time, with its reason.
set -uo pipefail
sim=$(realpath "$1")
cd "$(dirname "$0")/../.."
out=$("$sim" --router r1=10.0.0.1:examples/sim/r1.conf --router r2=10.0.0.2:examples/sim/r2.conf \
  --router r3=10.0.0.3:examples/sim/r3.conf --script examples/sim/failover.script --until 35s)
pass=0 fail=0
expect() {  # a line that must appear
  if grep -qF -- "$1" <<<"$out"; then pass=$((pass + 1)); else
    echo "FAIL: missing [$1]"; fail=$((fail + 1)); fi
}
# r1 (priority 150, v2, 1 s): Master_Down_Interval 3 + 106/256 s.
expect "3.414 s  r1/VI_1          BACKUP -> MASTER  master_down: no advert for 3414.0 ms"
# Killed at 8 s; its last advert left at 7.414 s (+100 us flight): r2 waits 3.609375 s.
expect "11.024 s  r2/VI_1          BACKUP -> MASTER  master_down"
expect "BACKUP -> MASTER  preempt: preempting 10.0.0.2 priority 100 < 150"
expect "20.609 s  r2/VI_1          BACKUP -> MASTER  priority_zero"
expect "MASTER -> BACKUP  higher_priority: advert from 10.0.0.2 priority 100 > 90"
expect "r2/VI_1          MASTER  51      100"
# A bad script line is refused with its line number.
bad=$("$sim" --router r1=10.0.0.1:examples/sim/r1.conf --at "soon kill r1" 2>&1)
rc=$?
[ $rc -eq 2 ] && grep -qF "line 1: 'soon' is not a time" <<<"$bad" && pass=$((pass + 1)) || {
  echo "FAIL: bad script not refused: rc=$rc $bad"; fail=$((fail + 1)); }
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
