#!/usr/bin/env bash
# Migration check: a vipd master and a keepalived 2.2.7 backup (one router replaced at a
# time) with many instances. vipd sends the adverts of instances started together in bursts
# (one sendmmsg per interface and phase); this shows whether a keepalived backup keeps up:
# over WINDOW seconds, the adverts the backup sent (a takeover), the VIPs it holds, and the
# datagrams its raw sockets dropped (full receive queue, /proc/net/raw).
#   bench/mixed.sh [VIPD] [INSTANCES] [INTERVAL] [WINDOW]    (default 1000, 0.1 s, 30 s)
set -uo pipefail
cd "$(dirname "$0")/.."
VIPD=$(realpath "${1:-build-release/src/daemon/vipd}")
N=${2:-1000}
INTERVAL=${3:-0.1}
WINDOW=${4:-30}
source tests/netns/lib.sh
source bench/instances.sh
P=vipd-mixed-$$
scale_lan "$N" || exit 1
vips_on() { nsx "$1" ip -o -4 addr show | grep -c ' 10\.1[0-9][0-9]\.'; }
raw_drops() { nsx r2 awk 'NR > 1 { d += $NF } END { print d + 0 }' /proc/net/raw; }

start_vipd r1 "$(gen_conf r1 150)"
wait_for 120 "vipd (r1) holds all $N VIPs" bash -c "[ \$(ip netns exec $P-r1 ip -o -4 addr show | grep -c ' 10\.1[0-9][0-9]\.') -ge $N ]"
start_keepalived r2 "$(gen_conf r2 100)"
sleep 5
d0=$(raw_drops)
t0=$(grep -c "Entering MASTER" "$WORK/r2.log")
sleep "$WINDOW"
echo "$N instances, advert $INTERVAL s, vipd master (r1), keepalived backup (r2), $WINDOW s:"
echo "  r1 holds $(vips_on r1) VIPs, r2 holds $(vips_on r2)"
echo "  keepalived entered MASTER $(( $(grep -c "Entering MASTER" "$WORK/r2.log") - t0 )) times"
echo "  keepalived's raw sockets dropped $(( $(raw_drops) - d0 )) datagrams of $(awk -v n="$N" -v w="$WINDOW" -v i="$INTERVAL" 'BEGIN { printf "%d", n * w / i }') sent"
stop_daemon r2 TERM
stop_daemon r1 TERM
drop_vips r1 r2 >/dev/null
