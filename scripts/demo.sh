#!/usr/bin/env bash
# vipd's main job, on network namespaces: three vipd routers and a client on a bridge share
# a virtual IP. The demo shows who is master, cuts the master off, and shows the takeover,
# the gratuitous ARP that moves the client, and the client's outage in milliseconds; then it
# brings the router back (it preempts) and stops it gracefully (priority 0).
# It installs what it needs, builds, and removes everything it created, even on Ctrl-C.
#   scripts/demo.sh [--no-setup] [ADVERT_INTERVAL]   (default 0.1 s; try 1 with version 2)
set -euo pipefail
cd "$(dirname "$0")/.."
setup=1
if [ "${1:-}" = --no-setup ]; then setup=0; shift; fi
interval=${1:-0.1}
if [ $setup = 1 ]; then
  scripts/setup-deps.sh
  scripts/build.sh release vipd vipctl  # only what the demo runs, not the tests
fi
VIPD=$(realpath build-release/src/daemon/vipd)
VIPCTL=$(realpath build-release/tools/vipctl/vipctl)
source tests/netns/lib.sh
P=vipd-demo-$$

bold() { printf '\033[1m%s\033[0m\n' "$*"; }
VIP=10.77.0.200
state_of() {  # the state the router's last transition entered
  grep -ao 'Entering [A-Z]* STATE' "$WORK/$1.log" 2>/dev/null | tail -1 | awk '{print $2}'
}
show() {
  printf '  %-10s' "$1"
  for r in r1 r2 r3; do
    local s
    s=$(state_of $r)
    has_addr $r $VIP && s="$s+VIP"
    printf '%-16s' "$r ${s:-down}"
  done
  echo
}
watch_for() {  # watch_for SECONDS: print the view whenever it changes
  local end=$(( $(date +%s%N) + $1 * 1000000000 )) last="" now
  while [ "$(date +%s%N)" -lt "$end" ]; do
    now=$(show "$(date +%T)")
    [ "${now:12}" != "${last:12}" ] && echo "$now"
    last=$now
    sleep 0.05
  done
}

bold "== Building the LAN: bridge 'sw', routers r1 r2 r3 (10.77.0.1-3), client c (10.77.0.100)"
netns_lan 3
for k in 1 2 3; do
  prio=$((200 - 50 * k))
  vrrp_conf r$k $prio "version 3" "advert_int $interval" "virtual_ipaddress {" "  $VIP/24" "}" >/dev/null
  echo "  r$k: priority $prio, advert_int $interval, VIP $VIP"
  start_vipd r$k "$WORK/r$k.conf"
done
echo
bold "== Election (every router starts as backup and waits Master_Down_Interval)"
watch_for 3
reach $VIP && echo "  the client reaches $VIP (it answers from $(nsx c ip neigh show $VIP | awk '{print $5}'))"

echo
bold "== Cutting the master r1 off the switch; the client pings the VIP every 10 ms"
nsx c tcpdump -l -n -e -i eth0 'arp and arp[6:2] = 1 and arp[14:4] = arp[24:4]' \
  >"$WORK/garp.txt" 2>/dev/null &
TCPDUMP=$!
ping_start $VIP
sleep 1
t_cut=$(now_ms)
nsx sw ip link set p-r1 down
watch_for 2
gap=$(ping_stop_gap_ms)
kill $TCPDUMP 2>/dev/null || true
wait $TCPDUMP 2>/dev/null || true
t_master=$(log_ms "$WORK/r2.log" "Entering MASTER STATE" "$t_cut" || echo "$t_cut")
echo "  r2 became master $((t_master - t_cut)) ms after the cut: $(grep -a 'Entering MASTER' "$WORK/r2.log" | tail -1 | sed 's/.*(//; s/)$//')"
echo "  gratuitous ARP seen by the client:"
sed 's/^/    /' "$WORK/garp.txt" | head -3
bold "  client outage: ${gap} ms (the protocol bound is 3 x interval + skew)"
echo "  vipctl on r2 and r3 (each daemon has its control socket):"
"$VIPCTL" -S "$WORK/r2.sock" status | sed 's/^/    /'
"$VIPCTL" -S "$WORK/r3.sock" explain VI_1 | sed 's/^/    /'

echo
bold "== r1's link comes back: it preempts (priority 150 > 100)"
nsx sw ip link set p-r1 up
watch_for 3

echo
bold "== r1 stops gracefully (SIGTERM): it sends priority 0, r2 takes over after Skew_Time"
ping_start $VIP
sleep 1
t_stop=$(now_ms)
stop_daemon r1 TERM
watch_for 1
gap=$(ping_stop_gap_ms)
t_master=$(log_ms "$WORK/r2.log" "Entering MASTER STATE" "$t_stop" || echo "$t_stop")
echo "  r2 became master $((t_master - t_stop)) ms after the stop; client outage ${gap} ms"
has_addr r1 $VIP && echo "  r1 still has the VIP (unexpected)" || echo "  r1 removed the VIP on exit"

echo
bold "== The daemons' own words (r2):"
grep -a 'Entering' "$WORK/r2.log" | sed 's/^/  /'
echo
bold "== Cleaning up (namespaces $P-*)"
stop_daemon r2 TERM
stop_daemon r3 TERM

echo
bold "== The load-balancing half (scripts/demo-lb.sh)"
scripts/demo-lb.sh --no-setup
