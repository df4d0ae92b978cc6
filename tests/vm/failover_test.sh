#!/usr/bin/env bash
# Long downloads across an IPVS director failover, in the VM (tests/vm/failover.sh): with
# lvs_sync_daemon, vipd's backup director holds copies of the master's connections and every
# download completes, byte for byte; without it (the control, asserted to fail) the new
# director resets them. keepalived 2.2.7 with lvs_sync_daemon is printed for contrast.
#   tests/vm/failover_test.sh VIPD
set -uo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp)
trap 'rm -f "$out"' EXIT
t0=$(date +%s%N)
scripts/ipvs-vm.sh tests/vm/failover.sh /usr/bin/ip "$1" >"$out" 2>&1
echo "the VM ran in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
pass=0
fail=0
check() {  # check DESCRIPTION CMD...
  local what=$1
  shift
  if "$@"; then
    echo "ok   $what"
    pass=$((pass + 1))
  else
    echo "FAIL $what"
    fail=$((fail + 1))
  fi
}
# field RUN NAME: the value after NAME in the run's "### failover RUN ..." line.
field() {
  awk -v r="$1" -v n="$2" '$1 == "###" && $2 == "failover" && $3 == r {
    for (i = 4; i < NF; i++) if ($i == n) print $(i + 1) }' "$out"
}
for r in a b c; do
  case $r in
    a) who="vipd with lvs_sync_daemon" ;;
    b) who="vipd without it (control)" ;;
    c) who="keepalived 2.2.7 with lvs_sync_daemon" ;;
  esac
  echo "     $who: $(field $r complete) downloads complete (lines $(field $r lines) of 100 each), $(field $r synced) connection(s) on the backup before, VIP on the backup in $(field $r takeover) ms"
done
check "vipd with lvs_sync_daemon: the backup director held the 4 connections before the failover" \
  [ "$(field a synced)" = 4 ]
check "vipd with lvs_sync_daemon: the backup took the VIP" [ "$(field a takeover)" != none ]
check "vipd with lvs_sync_daemon: all 4 downloads complete, every line in order" \
  [ "$(field a complete)" = 4/4 ]
check "without lvs_sync_daemon: the backup had no copy" [ "$(field b synced)" = 0 ]
check "without lvs_sync_daemon: the downloads are reset (the test can fail)" \
  bash -c "[ -n '$(field b complete)' ] && [ '$(field b complete)' != 4/4 ]"
if [ "$fail" -ne 0 ]; then
  echo "--- VM output"
  cat "$out"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
