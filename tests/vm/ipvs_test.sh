#!/usr/bin/env bash
# vipd's IPVS data plane against keepalived 2.2.7's, in a VM with Debian's cloud kernel
# (scripts/ipvs-vm.sh; this machine's kernel has no IPVS): for each config in
# tests/vm/configs, what vipd programs (`ipvsadm -Sn`, sorted, and the thresholds) must be
# exactly what keepalived programmed (tests/vm/expected, recorded by tests/vm/record.sh),
# also after a real server fails its check and comes back, and vipd must leave nothing in
# IPVS when it stops.
#   tests/vm/ipvs_test.sh VIPD
set -uo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp)
trap 'rm -f "$out"' EXIT
t0=$(date +%s%N)
scripts/ipvs-vm.sh tests/vm/vipd_ipvs.sh tests/vm/listings.sh tests/vm/traffic.sh /usr/bin/ip "$1" tests/vm/configs >"$out" 2>&1
echo "the VM ran in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
pass=0
fail=0
for f in tests/vm/expected/*.txt; do
  name=$(basename "$f" .txt)
  got=$(awk -v n="### $name" '$0 == n { f = 1; next } /^### / { f = 0 } f && /^(-[Aa]|thresholds|master sync|backup sync|split) /' "$out" | sort)
  if [ "$got" = "$(sort "$f")" ]; then
    echo "ok   $name: vipd's IPVS (or traffic) as keepalived's ($(wc -l <"$f") lines)"
    pass=$((pass + 1))
  else
    echo "FAIL $name: vipd's differ from keepalived's"
    diff <(sort "$f") <(echo "$got") | sed 's/^/     /'
    fail=$((fail + 1))
  fi
  [ -f "tests/vm/configs/$name.conf" ] || continue  # a phase of a config's run
  if grep -q "^### $name after stop: 0 rule(s)" "$out"; then
    echo "ok   $name: nothing left in IPVS after vipd stops"
    pass=$((pass + 1))
  else
    echo "FAIL $name: IPVS rules left after vipd stopped: $(grep "^### $name after stop" "$out")"
    fail=$((fail + 1))
  fi
done
# IPVS's own counters, as vipd's metrics show them: 5 connections to each real server.
conns=$(awk '/^### traffic_metrics/ { f = 1; next } /^### / { f = 0 } f' "$out" |
  grep -c 'addr="10.3.[12].11:80".* 5$')
if [ "$conns" = 2 ]; then
  echo "ok   traffic_metrics: keepalived_lvs_rs_conn from IPVS: 5 and 5"
  pass=$((pass + 1))
else
  echo "FAIL traffic_metrics: $(awk '/^### traffic_metrics/ { f = 1; next } /^### / { f = 0 } f' "$out")"
  fail=$((fail + 1))
fi
if [ "$fail" -ne 0 ]; then
  echo "--- VM output"
  cat "$out"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
