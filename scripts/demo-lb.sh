#!/usr/bin/env bash
# The load-balancing half on network namespaces: a client reaches a virtual server through
# two vipd directors (a VRRP sync group) to three real servers with HTTP health checks and a
# sorry server, all through nftables rules vipd writes. Shown: the split of new connections
# by weight; a server failing its check leaves and comes back; all fail and the sorry server
# answers; the master director dies and the backup carries on. A second virtual server
# uses direct routing (lb_kind DR). Everything created is
# removed afterwards, also on Ctrl-C. scripts/demo.sh runs it after the VRRP demo.
#   scripts/demo-lb.sh [--no-setup]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" != --no-setup ]; then
  scripts/setup-deps.sh
  scripts/build.sh release vipd vipctl  # only what the demo runs, not the tests
fi
VIPD=$(realpath build-release/src/daemon/vipd)
source tests/netns/lib.sh
P=vipd-demolb-$$
set +e  # the helpers poll with commands that fail until they succeed
source tests/netns/lb_lib.sh

bold() { printf '\033[1m%s\033[0m\n' "$*"; }
requests() {  # requests N: who answered N new connections to the VIP
  local j
  j=$(split $VIP 80 "$1")
  echo "  $1 new connections to $VIP:80 -> $j"
}
director_says() {  # the director's log lines about the load balancer since a time
  grep -a "$2" "$WORK/$1.log" | tail -"${3:-3}" | sed 's/^[^:]*:[^:]*:[^:]*: /    /'
}

bold "== Building: client c (10.77.0.100), directors r1 r2, real servers s1 s2 s3, sorry server s9"
lb_topology
start_vipd r1 "$(director_conf r1 150)"
start_vipd r2 "$(director_conf r2 100)"
wait_for 5 "r1 holds the VIP" has_addr r1 $VIP
wait_for 10 "the real servers answer" all_three
echo "  virtual_server $VIP 80: lb_algo wrr, lb_kind NAT, weights s1=1 s2=2 s3=3, HTTP_GET /health"
echo "  (s2 has \`rise 2\`: two passing checks before it returns; s3 \`slowstart 3\`)"
echo "  every 0.3 s, sorry_server s9; r1 is master (priority 150), r2 backup (100)"
echo "  the rule vipd wrote on r1 for it:"
ip netns exec "$P-r1" nft list chain inet vipd_lb vs_1 | grep dnat | sed 's/^\s*/    /'

echo
bold "== The split follows the weights"
requests 600

echo
bold "== Direct routing: $VIP:8080 (lb_kind DR) on d1, d2, with the VIP on their loopback"
echo "  r1 hands each packet unchanged to a real server's MAC; the answers go straight to c:"
j=$(split $VIP 8080 20)
echo "  20 new connections to $VIP:8080 -> $j"

echo
bold "== s2's health check starts failing (its /health is removed)"
t0=$(now_ms)
rm "$WORK/www-s2/health"
wait_for 5 "s2 leaves" never_serves s2
echo "  r1 took s2 out $(( $(log_ms "$WORK/r1.log" "load balancer: VS \[$VIP\]:tcp:80: 10.78.0.11:8080 weight 1, 10.78.0.13" "$t0") - t0 )) ms after the failure:"
director_says r1 "10.78.0.12\]:tcp:8080" 3
requests 60
echo ok >"$WORK/www-s2/health"
wait_for 5 "s2 comes back" serves s2
echo "  s2 passes again:"
requests 60

echo
bold "== Every real server fails: quorum is lost and the sorry server answers"
for s in s1 s2 s3; do rm "$WORK/www-$s/health"; done
wait_for 5 "only the sorry server" only_sorry
director_says r1 "quorum\|sorry server" 2
requests 12
for s in s1 s2 s3; do echo ok >"$WORK/www-$s/health"; done
wait_for 5 "the real servers are back" all_three
echo "  they pass again; s3 has \`slowstart 3\` (a vipd keyword): it returns at weight 1 and"
echo "  ramps to its 3 over 3 s, so it is not flooded cold:"
requests 60
sleep 3
echo "  3 s later:"
requests 60

echo
bold "== The master director r1 dies (kill -9, links down); r2 carries on"
t0=$(now_ms)
stop_daemon r1 KILL
nsx r1 ip link set eth0 down
nsx r1 ip link set eth1 down
wait_for 5 "r2 takes the VIP" has_addr r2 $VIP
wait_for 10 "r2 serves" all_three
echo "  r2 serves $(( $(now_ms) - t0 )) ms after the death of r1:"
requests 60
director_says r2 "Entering MASTER" 2

echo
bold "== Cleaning up (namespaces $P-*)"
stop_daemon r2 TERM
ip netns exec "$P-r2" nft list table inet vipd_lb >/dev/null 2>&1 &&
  echo "  r2 left its table (unexpected)" || echo "  r2 removed its nftables table on exit"
