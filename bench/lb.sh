#!/usr/bin/env bash
# bench/lb.sh [VIPD] — the nftables load balancer measured (issue 14).
#
# 1. Data path: client c -- director d -- real server s (nginx-light), one run, the same
#    namespaces. wrk from c for DURATION s per point, alternating, REPS times each:
#      direct   c -> the real server's address, routed through d (no load balancer)
#      NAT      c -> the VIP, DNAT by vipd's rules on d (lb_kind NAT)
#      DR       c -> the VIP, the packet handed unchanged to the real server (lb_kind DR),
#               which answers c directly over a link of its own
#    requests/s over kept-alive connections, and new connections/s (Connection: close),
#    median of REPS; ratios to direct.
# 2. Verdict to kernel: vipd with N_VS virtual servers x N_RS real servers (TCP_CHECK every
#    second against real listeners); real servers are made to fail by a reject rule in the
#    servers' namespace: FLIPS single ones spaced 50 ms apart, then all real servers of one
#    address at once (N_VS verdicts in a burst). vipd logs, for each pool change, the time
#    from the verdict to the commit of its nft transaction; p50/p99/max of those, and the
#    time to program the whole table at start.
#   bench/lb.sh build-release/src/daemon/vipd
set -uo pipefail
VIPD=$(realpath "${1:-build-release/src/daemon/vipd}")
DURATION=${DURATION:-8}
REPS=${REPS:-3}
N_VS=${N_VS:-1000}
N_RS=${N_RS:-10}
FLIPS=${FLIPS:-200}
P=blb$$
W=$(mktemp -d /tmp/vipd-bench-lb.XXXXXX)
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
command -v conntrack >/dev/null || apt-get install -y -qq conntrack >/dev/null
cleanup() {
  for ns in c d s; do
    ip netns pids "$P-$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
    ip netns del "$P-$ns" 2>/dev/null
  done
}
trap cleanup EXIT
nsx() { local ns=$1; shift; ip netns exec "$P-$ns" "$@"; }
pct() {  # pct P: the P-th percentile of the numbers on stdin
  sort -n | awk -v p="$1" '{a[NR]=$1} END {if (NR == 0) {print "-"; exit}
    i = int(NR * p / 100 + 0.999); if (i < 1) i = 1; print a[i]}'
}
median() { tr ' ' '\n' | grep . | pct 50; }

# c (10.98.0.2) --- (10.98.0.1) d (10.97.0.1) --- s (10.97.0.2, the VIP on lo for DR)
# c (10.99.0.2) ------------------------------------ s (10.99.0.1): DR's return path
for ns in c d s; do ip netns add "$P-$ns"; nsx $ns ip link set lo up; done
ip link add eth0 netns "$P-c" type veth peer name eth0 netns "$P-d"
ip link add eth1 netns "$P-d" type veth peer name eth0 netns "$P-s"
ip link add eth1 netns "$P-c" type veth peer name eth1 netns "$P-s"
for l in "c eth0" "c eth1" "d eth0" "d eth1" "s eth0" "s eth1"; do nsx ${l% *} ip link set ${l#* } up; done
nsx c ip addr add 10.99.0.2/24 dev eth1
nsx s ip addr add 10.99.0.1/24 dev eth1
# DR answers (from the VIP) go straight to c; everything else returns through d.
nsx s ip rule add from 10.98.0.10 table 100
nsx s ip route add 10.98.0.0/24 via 10.99.0.2 table 100
nsx c sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth1.rp_filter=0
nsx c ip addr add 10.98.0.2/24 dev eth0
nsx d ip addr add 10.98.0.1/24 dev eth0
nsx d ip addr add 10.98.0.10/24 dev eth0   # the VIP
nsx d ip addr add 10.97.0.1/24 dev eth1
nsx s ip addr add 10.97.0.2/24 dev eth0
nsx s ip addr add 10.98.0.10/32 dev lo     # for DR
nsx s sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2
nsx c ip route add 10.97.0.0/24 via 10.98.0.1
nsx s ip route add default via 10.97.0.1
nsx d sysctl -qw net.ipv4.ip_forward=1
for ns in c d s; do
  nsx $ns sysctl -qw net.ipv4.ip_local_port_range="1024 65535" net.ipv4.tcp_tw_reuse=1 \
    net.core.somaxconn=65535 net.ipv4.tcp_max_syn_backlog=65535
done

mkdir -p "$W/nginx"
nginx_conf() {  # nginx_conf LISTEN_LINES
  cat <<EOF
user root;
worker_processes 1;
worker_rlimit_nofile 200000;
pid $W/nginx.pid;
error_log $W/nginx/error.log crit;
events { worker_connections 60000; multi_accept on; }
http {
  access_log off;
  client_body_temp_path $W/nginx/body;
  proxy_temp_path $W/nginx/proxy;
  fastcgi_temp_path $W/nginx/fastcgi;
  uwsgi_temp_path $W/nginx/uwsgi;
  scgi_temp_path $W/nginx/scgi;
  server {
$1
    return 200 "ok\n";
  }
}
EOF
}
cat >"$W/path.conf" <<EOF
virtual_server 10.98.0.10 80 {
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server 10.97.0.2 80 {
  }
}
virtual_server 10.98.0.10 81 {
  lb_algo rr
  lb_kind DR
  protocol TCP
  real_server 10.97.0.2 81 {
  }
}
EOF
# DR keeps the port: the real server listens on 81 too.
nginx_conf "    listen 80 backlog=65535;
    listen 81 backlog=65535;" >"$W/nginx.conf"
nsx s nginx -c "$W/nginx.conf"
nsx d "$VIPD" -n -l -G -f "$W/path.conf" -p "$W/path.pid" --control-socket "$W/path.sock" \
  >"$W/path.log" 2>&1 &
for _ in $(seq 50); do grep -q "programmed" "$W/path.log" && break; sleep 0.1; done

rate() {  # rate URL [close]: wrk's Requests/sec
  local extra=()
  [ -n "${2:-}" ] && extra=(-H "Connection: close")
  # Each point starts with the director's connection table empty: the previous point's
  # TIME_WAIT entries would otherwise clash with this one's (same client ports, same
  # server), and fill the table.
  nsx d conntrack -F >/dev/null 2>&1
  nsx c timeout $((DURATION + 10)) wrk -t1 -c32 -d"${DURATION}s" "${extra[@]}" "$1" 2>/dev/null |
    awk '/Requests\/sec/ {printf "%d", $2}'
}
declare -A R
for point in direct nat dr natnc; do R[$point-ka]=""; R[$point-new]=""; done
url() { case $1 in direct) echo http://10.97.0.2:80/ ;; nat | natnc) echo http://10.98.0.10:80/ ;; dr) echo http://10.98.0.10:81/ ;; esac; }
# natnc: NAT with the traffic counters' hook chains made to return at once (what counting
# costs), then that rule removed again.
counting() {  # counting off|on
  local ch h
  for ch in traffic_pre traffic_out; do
    if [ "$1" = off ]; then
      nsx d nft insert rule inet vipd_lb $ch return comment bench_off
    else
      h=$(nsx d nft -a list chain inet vipd_lb $ch | awk '/bench_off/ {print $NF}')
      nsx d nft delete rule inet vipd_lb $ch handle "$h"
    fi
  done
}
for rep in $(seq "$REPS"); do
  for point in direct nat dr natnc; do
    [ $point = natnc ] && counting off
    R[$point-ka]+=" $(rate "$(url $point)")"
    R[$point-new]+=" $(rate "$(url $point)" close)"
    [ $point = natnc ] && counting on
  done
  echo "  rep $rep: ka ${R[direct-ka]##* } / ${R[nat-ka]##* } / ${R[dr-ka]##* } / ${R[natnc-ka]##* }, new ${R[direct-new]##* } / ${R[nat-new]##* } / ${R[dr-new]##* } / ${R[natnc-new]##* } (direct / NAT / DR / NAT without traffic counters)"
done
kill "$(cat "$W/path.pid")" 2>/dev/null
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
ka_d=$(echo "${R[direct-ka]}" | median); ka_n=$(echo "${R[nat-ka]}" | median); ka_r=$(echo "${R[dr-ka]}" | median)
nc_d=$(echo "${R[direct-new]}" | median); nc_n=$(echo "${R[nat-new]}" | median); nc_r=$(echo "${R[dr-new]}" | median)
ka_x=$(echo "${R[natnc-ka]}" | median); nc_x=$(echo "${R[natnc-new]}" | median)
echo
echo "| wrk -t1 -c32, ${DURATION} s, median of $REPS | direct | NAT | NAT/direct | DR | DR/direct | NAT, counters off | NAT/that |"
echo "|---|---|---|---|---|---|---|---|"
echo "| requests/s, kept-alive connections | $ka_d | $ka_n | $(ratio "$ka_n" "$ka_d") | $ka_r | $(ratio "$ka_r" "$ka_d") | $ka_x | $(ratio "$ka_n" "$ka_x") |"
echo "| new connections/s (Connection: close) | $nc_d | $nc_n | $(ratio "$nc_n" "$nc_d") | $nc_r | $(ratio "$nc_r" "$nc_d") | $nc_x | $(ratio "$nc_n" "$nc_x") |"

# ---------------------------------------------------------------- verdict to kernel
nginx_stop() {
  local pid; pid=$(cat "$W/nginx.pid")
  kill "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}
nginx_stop
for k in $(seq 1 "$N_RS"); do nsx s ip addr add "10.96.0.$k/32" dev lo; done
nsx d ip route add 10.96.0.0/24 via 10.97.0.2
listens=""
for i in $(seq 0 $((N_VS - 1))); do listens+="    listen $((20000 + i)) backlog=4096;"$'\n'; done
nginx_conf "$listens" >"$W/nginx.conf"
nsx s nginx -c "$W/nginx.conf"
{
  for i in $(seq 0 $((N_VS - 1))); do
    echo "virtual_server 10.95.$((i / 250)).$((i % 250 + 1)) 80 {"
    echo "  delay_loop 1"
    echo "  lb_algo wrr"
    echo "  lb_kind NAT"
    echo "  protocol TCP"
    for k in $(seq 1 "$N_RS"); do
      echo "  real_server 10.96.0.$k $((20000 + i)) {"
      echo "    TCP_CHECK {"
      echo "      connect_timeout 1"
      echo "      retry 0"
      echo "    }"
      echo "  }"
    done
    echo "}"
  done
} >"$W/scale.conf"
nsx s nft add table inet block
nsx s nft add chain inet block in '{ type filter hook input priority 0; }'
t0=$(date +%s%N)
nsx d "$VIPD" -n -l -G -f "$W/scale.conf" -p "$W/scale.pid" --control-socket "$W/scale.sock" \
  >"$W/scale.log" 2>&1 &
for _ in $(seq 300); do grep -q "virtual server(s) programmed" "$W/scale.log" && break; sleep 0.1; done
t1=$(date +%s%N)
rules=$(nsx d nft list table inet vipd_lb | grep -c 'dnat ip to')
echo
echo "$N_VS virtual servers x $N_RS real servers: table written $(( (t1 - t0) / 1000000 )) ms after start (polled every 100 ms), $rules scheduling rules in the kernel"
sleep 5  # every checker has run once and the pools are full
# A reload with nothing changed: CPU the whole daemon spends (parse, VRRP, checkers, rules),
# less what it spends checking in a window of the same length without a reload.
cpu() { awk '{print $14 + $15}' /proc/"$(cat "$W/scale.pid")"/stat; }
HZ=$(getconf CLK_TCK)
reload() {  # reload WHAT: SIGHUP, wait for the reload to finish, CPU of the whole daemon
  local n0 t0 t1 c0 c1 c2 c3
  n0=$(grep -c "Reload finished" "$W/scale.log")
  t0=$(date +%s%N); c0=$(cpu)
  kill -HUP "$(cat "$W/scale.pid")"
  for _ in $(seq 200); do [ "$(grep -c "Reload finished" "$W/scale.log")" -gt "$n0" ] && break; sleep 0.02; done
  sleep 0.3  # the checker thread applies after the VRRP loop
  c1=$(cpu); t1=$(date +%s%N)
  sleep 1
  c2=$(cpu); sleep "$(awk -v ns=$((t1 - t0)) 'BEGIN {printf "%.3f", ns / 1e9}')"; c3=$(cpu)
  echo "$1: $(( (c1 - c0) * 1000 / HZ )) ms of CPU over $(( (t1 - t0) / 1000000 )) ms, $(( (c3 - c2) * 1000 / HZ )) ms in as long without a reload (ticks of $((1000 / HZ)) ms); $(grep -a "Reload finished" "$W/scale.log" | tail -1 | sed 's/.*Reload finished//')"
  sleep 1
}
for rep in 1 2 3; do reload "no-change reload $rep"; done
# The full path: one checker's connect_timeout changed (parse, check, diff, one chain).
for rep in 1 2 3; do
  sed -i "0,/connect_timeout [12]\$/s//connect_timeout $((rep % 2 + 1))/" "$W/scale.conf"
  reload "reload with one checker changed $rep"
done
since=$(wc -l <"$W/scale.log")
for f in $(seq 0 $((FLIPS - 1))); do
  nsx s nft add rule inet block in ip daddr 10.96.0.3 tcp dport $((20000 + f)) reject with tcp reset
  sleep 0.05
done
sleep 3
tail -n +"$since" "$W/scale.log" | grep -ao "in the kernel [0-9]* us after the verdict" | awk '{print $4}' >"$W/single.us"
n1=$(wc -l <"$W/single.us")
echo "single verdicts ($n1 pool changes, $FLIPS asked): p50 $(pct 50 <"$W/single.us") us, p99 $(pct 99 <"$W/single.us") us, max $(pct 100 <"$W/single.us") us"
since=$(wc -l <"$W/scale.log")
nsx s nft add rule inet block in ip daddr 10.96.0.5 reject with tcp reset
sleep 8
tail -n +"$since" "$W/scale.log" | grep -ao "in the kernel [0-9]* us after the verdict" | awk '{print $4}' >"$W/burst.us"
n2=$(wc -l <"$W/burst.us")
first=$(tail -n +"$since" "$W/scale.log" | grep -a "in the kernel" | head -1 | awk '{print $4}')
last=$(tail -n +"$since" "$W/scale.log" | grep -a "in the kernel" | tail -1 | awk '{print $4}')
echo "burst: one address of every virtual server fails ($n2 pool changes, $N_VS asked): p50 $(pct 50 <"$W/burst.us") us, p99 $(pct 99 <"$W/burst.us") us, max $(pct 100 <"$W/burst.us") us; first to last change $first .. $last"
tail -n +"$since" "$W/scale.log" | grep -ao "one transaction for [0-9]*" | awk '{print $4}' >"$W/batch.n"
echo "  (the burst's changes went in transactions of $(pct 0 <"$W/batch.n") to $(pct 100 <"$W/batch.n") changes, median $(pct 50 <"$W/batch.n"))"
vpid=$(cat "$W/scale.pid")
kill "$vpid" 2>/dev/null
while kill -0 "$vpid" 2>/dev/null; do sleep 0.1; done
grep -a "Checker loop:" "$W/scale.log" | tail -1 || true
