#!/usr/bin/env bash
# Mass failover, side by side: N instances (255 per segment, advert INTERVAL) mastered by
# r1 (priority 150); r2 (100) is the backup of all. r1 is cut off every segment at once; we
# time, on r2, the first and the last VIP added (`ip -ts monitor`, the same clock for both
# daemons). The bound for an instance is its last advert heard + Master_Down_Interval, so
# the last takeover is due at most cut + Master_Down_Interval (3 x interval + skew).
#   bench/mass_failover.sh [VIPD] [INSTANCES] [INTERVAL]    (default 1000, 1 s)
set -uo pipefail
cd "$(dirname "$0")/.."
VIPD=$(realpath "${1:-build-release/src/daemon/vipd}")
N=${2:-1000}
INTERVAL=${3:-1}
source tests/netns/lib.sh
source bench/instances.sh
P=vipd-mass-$$
scale_lan "$N" || exit 1
CONF_GLOBAL=""  # keepalived's and vipd's GARP defaults

start() { if [ "$1" = keepalived ]; then start_keepalived "$2" "$3"; else start_vipd "$2" "$3"; fi; }
count_vips() { nsx "$1" ip -o -4 addr show | grep -c ' 10\.1[0-9][0-9]\.'; }
mdi_ms=$(awk -v i="$INTERVAL" 'BEGIN { printf "%d", (3 * i + (256 - 100) / 256 * i) * 1000 }')

run() {  # run DAEMON -> "first_ms last_ms taken"
  local d=$1
  start "$d" r1 "$(gen_conf r1 150)"
  wait_for 600 "r1 holds all" bash -c "[ \$(ip netns exec $P-r1 ip -o -4 addr show | grep -c ' 10\.1[0-9][0-9]\.') -ge $N ]"
  start "$d" r2 "$(gen_conf r2 100)"
  sleep $((5 + ${INTERVAL%.*} * 5))
  local before
  before=$(count_vips r2)
  [ "$before" -eq 0 ] || echo "$d: r2 already held $before VIPs before the cut" >&2
  ip -n "$P-r2" -ts monitor address >"$WORK/mon.txt" 2>/dev/null &
  local mon=$!
  sleep 0.5
  local t0
  t0=$(date +%s.%N)
  for k in $(seq 0 $((SEGMENTS - 1))); do
    if [ "$k" = 0 ]; then nsx sw ip link set p-r1 down; else nsx sw ip link set "p$k-r1" down; fi
  done
  wait_for 60 "r2 holds all" bash -c "[ \$(ip netns exec $P-r2 ip -o -4 addr show | grep -c ' 10\.1[0-9][0-9]\.') -ge $N ]"
  sleep 0.5
  kill "$mon"; wait "$mon" 2>/dev/null
  # Each VIP once, at its first appearance.
  grep -a ' 10\.1[0-9][0-9]\.' "$WORK/mon.txt" | grep -v Deleted |
    sed 's/^\[\([^]]*\)\].* inet \([0-9.]*\).*/\1 \2/' | awk '!seen[$2]++ { print $1 }' |
    while read -r t; do date -d "$t" +%s.%N; done | sort -n |
    awk -v t0="$t0" 'NR == 1 { first = $1 } { last = $1; n++ }
      END { printf "%d %d %d\n", (first - t0) * 1000, (last - t0) * 1000, n }'
  for k in $(seq 0 $((SEGMENTS - 1))); do
    if [ "$k" = 0 ]; then nsx sw ip link set p-r1 up; else nsx sw ip link set "p$k-r1" up; fi
  done
  stop_daemon r1 TERM; stop_daemon r2 TERM
  local left
  left=$(drop_vips r1 r2)
  [ "$left" -eq 0 ] || echo "$d left $left VIPs behind when stopped (removed)" >&2
}

echo "$N instances, advert $INTERVAL s: r1 cut off at t=0; bound for the last takeover: $mdi_ms ms"
printf '%-11s %12s %12s %10s %16s\n' daemon "first VIP" "last VIP" "VIPs" "last - bound"
for d in keepalived vipd; do
  read -r first last n <<<"$(run $d)"
  printf '%-11s %9s ms %9s ms %10s %13s ms\n' "$d" "$first" "$last" "$n" "$((last - mdi_ms))"
  [ -z "${RESULTS:-}" ] || echo "mass $N $INTERVAL $d $first $last $n $mdi_ms" >>"$RESULTS"
done
fail=0
