#!/usr/bin/env bash
# Failover side by side: keepalived 2.2.7 and vipd, same namespaces, same config, one after
# the other. Two routers (r1 priority 150, r2 priority 100, VRRPv3) and a client on a bridge.
# For each advert interval and event (the master cut off its link, killed with -9, stopped
# with SIGTERM) it prints how long r2 took to add the VIP (from `ip -ts monitor`, so both
# daemons are timed the same way) and the client's longest gap between ping replies.
#   bench/failover.sh [VIPD] [INTERVALS...]      (default: build-release vipd, 1 and 0.1 s)
#   REPS=N for the median of N runs (default 3)
set -uo pipefail
cd "$(dirname "$0")/.."
VIPD=$(realpath "${1:-build-release/src/daemon/vipd}")
shift || true
intervals=("$@")
[ ${#intervals[@]} -gt 0 ] || intervals=(1 0.1)
REPS=${REPS:-3}
source tests/netns/lib.sh
P=vipd-bench-$$
netns_lan 2

conf_for() {  # conf_for DAEMON NAME PRIO INTERVAL
  local f
  f=$(vrrp_conf "$2" "$3" "version 3" "advert_int $4" "virtual_ipaddress {" "  10.77.0.200/24" "}")
  if [ "$1" = keepalived ]; then  # short GARP bursts, as in the interop tests
    { printf 'global_defs {\n  vrrp_garp_master_delay 0\n  vrrp_garp_master_repeat 1\n}\n'; cat "$f"; } >"$f.ka"
    mv "$f.ka" "$f"
  fi
  echo "$f"
}
start() { if [ "$1" = keepalived ]; then start_keepalived "$2" "$3"; else start_vipd "$2" "$3"; fi; }

# measure DAEMON INTERVAL EVENT: writes "takeover_ms outage_ms" to $WORK/result (run in
# this shell, not a subshell, so that its cleanup is over before the next run starts)
measure() {
  local d=$1 i=$2 ev=$3
  start "$d" r1 "$(conf_for "$d" r1 150 "$i")"
  start "$d" r2 "$(conf_for "$d" r2 100 "$i")"
  echo "- -" >"$WORK/result"
  wait_for 15 "r1 master" holder_is r1 10.77.0.200 r1 r2 || { stop_daemon r1 KILL; stop_daemon r2 KILL; return; }
  sleep 1
  ip -n "$P-r2" -ts monitor address dev eth0 >"$WORK/mon.txt" 2>/dev/null &
  local mon=$!
  ping_start 10.77.0.200
  sleep "$(awk -v i="$i" 'BEGIN { print 1 + i * 1.37 }')"  # not in phase with the adverts
  local t0 t1
  t0=$(date +%s.%N)
  case $ev in
    cut) nsx sw ip link set p-r1 down ;;
    kill) stop_daemon r1 KILL ;;
    stop) stop_daemon r1 TERM ;;
  esac
  wait_for 15 "r2 master" has_addr r2 10.77.0.200
  sleep 0.5
  local gap
  gap=$(ping_stop_gap_ms)
  kill "$mon" 2>/dev/null; wait "$mon" 2>/dev/null
  t1=$(grep -m1 '10.77.0.200' "$WORK/mon.txt" | sed 's/^\[\([^]]*\)\].*/\1/')
  t1=$(date -d "$t1" +%s.%N 2>/dev/null || echo "$t0")
  [ "$ev" = kill ] && gap="-"  # the killed daemon's VIP stays and keeps answering
  echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", (b - a) * 1000 }') $gap" >"$WORK/result"
  stop_daemon r1 KILL; stop_daemon r2 TERM
  nsx sw ip link set p-r1 up
  for r in r1 r2; do nsx $r ip addr del 10.77.0.200/24 dev eth0 2>/dev/null; done
  sleep 0.3
}

median() { tr -s ' ' '\n' | grep -E '^[0-9]+$' | sort -n | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)]; else print "-" }'; }

printf '%-6s %-9s %14s %14s %7s   %13s %13s\n' event interval "keepalived ms" "vipd ms" ratio \
  "ka outage ms" "vipd outage"
for i in "${intervals[@]}"; do
  for ev in cut kill stop; do
    declare -A take=() out=()
    for d in keepalived vipd; do
      ts="" os=""
      for _ in $(seq "$REPS"); do
        measure $d "$i" $ev
        read -r t o <"$WORK/result"
        ts+="$t "; os+="$o "
      done
      take[$d]=$(echo "$ts" | median); out[$d]=$(echo "$os" | median)
    done
    ratio=$(awk -v k="${take[keepalived]}" -v v="${take[vipd]}" 'BEGIN { if (k > 0 && v > 0) printf "%.2f", v / k; else print "-" }')
    printf '%-6s %-9s %14s %14s %7s   %13s %13s\n' "$ev" "${i}s" "${take[keepalived]}" "${take[vipd]}" \
      "$ratio" "${out[keepalived]}" "${out[vipd]}"
  done
done
echo "(takeover: from the event to the VIP on r2; bound = 3 x interval + skew(100) from the"
echo " master's last advert: 3.609 s at 1 s and 0.361 s at 0.1 s; SIGTERM: skew = 0.609 / 0.061 s)"
