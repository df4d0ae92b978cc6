#!/usr/bin/env bash
# bench/checkers.sh [VIPD] — health checking at scale, vipd and HAProxy side by side
# (issue 13). N_TCP real servers under TCP_CHECK and N_HTTP under HTTP_GET, every second,
# all real listeners (nginx-light in a server namespace, one address per real server);
# vipd, then HAProxy 2.6 with `check inter 1s` on the same servers. Printed: CPU of the
# checking process as % of one core over WINDOW seconds, CPU per check, RSS, checks done
# per second, servers seen DOWN (should be 0), and vipd's lateness of check starts against
# their schedule (p50/p99, from its stop line).
#   N_TCP=10000 N_HTTP=2000 WINDOW=30 bench/checkers.sh build-release/src/daemon/vipd
set -uo pipefail
VIPD=$(realpath "${1:-build-release/src/daemon/vipd}")
N_TCP=${N_TCP:-10000}
N_HTTP=${N_HTTP:-2000}
WINDOW=${WINDOW:-30}
WARM=${WARM:-8}
P=bc$$
W=$(mktemp -d /tmp/vipd-bench-checkers.XXXXXX)
HZ=$(getconf CLK_TCK)
cleanup() {
  for ns in d s; do
    ip netns pids "$P-$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
    ip netns del "$P-$ns" 2>/dev/null
  done
}
trap cleanup EXIT
nsx() { local ns=$1; shift; ip netns exec "$P-$ns" "$@"; }

ip netns add "$P-d"
ip netns add "$P-s"
ip link add eth0 netns "$P-d" type veth peer name eth0 netns "$P-s"
for ns in d s; do nsx $ns ip link set lo up; nsx $ns ip link set eth0 up; done
nsx d ip addr add 10.99.0.1/24 dev eth0
nsx s ip addr add 10.99.0.2/24 dev eth0
nsx d ip route add 10.100.0.0/16 via 10.99.0.2
nsx d sysctl -qw net.ipv4.ip_local_port_range="1024 65535" net.ipv4.tcp_tw_reuse=1
total=$((N_TCP + N_HTTP))
addr() { echo "10.100.$(($1 / 250)).$(($1 % 250 + 1))"; }
for i in $(seq 0 $((total - 1))); do echo "addr add $(addr "$i")/32 dev lo"; done >"$W/addrs"
nsx s ip -b "$W/addrs"
nsx s sysctl -qw net.core.somaxconn=65535 net.ipv4.tcp_max_syn_backlog=65535

mkdir -p "$W/nginx"
cat >"$W/nginx.conf" <<EOF
user root;
worker_processes 2;
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
  server { listen 9000 backlog=65535; return 200 "tcp\n"; }
  server { listen 8080 backlog=65535; location /health { return 200 "ok\n"; } }
}
EOF
nsx s nginx -c "$W/nginx.conf"

# vipd: 1000 real servers per virtual server.
{
  for i in $(seq 0 $((total - 1))); do
    if [ $((i % 1000)) -eq 0 ]; then
      [ "$i" -gt 0 ] && echo "}"
      echo "virtual_server 10.200.0.$((i / 1000 + 1)) 80 {"
      echo "  protocol TCP"
      echo "  delay_loop 1"
      echo "  connect_timeout 1"
      echo "  lb_algo rr"
    fi
    if [ "$i" -lt "$N_TCP" ]; then
      printf '  real_server %s 9000 {\n    TCP_CHECK {\n    }\n  }\n' "$(addr "$i")"
    else
      printf '  real_server %s 8080 {\n    HTTP_GET {\n      url {\n        path /health\n      }\n    }\n  }\n' "$(addr "$i")"
    fi
  done
  echo "}"
} >"$W/vipd.conf"

# HAProxy: the same servers, one thread, checks every second.
{
  cat <<EOF
global
  maxconn 2000
  nbthread 1
  stats socket $W/haproxy.sock
defaults
  timeout connect 1s
  timeout check 1s
  timeout client 10s
  timeout server 10s
backend tcp
  mode tcp
  default-server check inter 1s
EOF
  for i in $(seq 0 $((N_TCP - 1))); do echo "  server t$i $(addr "$i"):9000"; done
  cat <<EOF
backend http
  mode http
  option httpchk GET /health
  default-server check inter 1s
EOF
  for i in $(seq "$N_TCP" $((total - 1))); do echo "  server h$i $(addr "$i"):8080"; done
} >"$W/haproxy.cfg"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_mb() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

measure() {  # measure NAME PID -> "cpu_pct rss"
  local pid=$1 t0 t1
  sleep "$WARM"
  t0=$(cpu_ticks "$pid")
  sleep "$WINDOW"
  t1=$(cpu_ticks "$pid")
  echo "$(awk -v d=$((t1 - t0)) -v hz="$HZ" -v w="$WINDOW" 'BEGIN {printf "%.1f", 100 * d / hz / w}') $(rss_mb "$pid")"
}

echo "== vipd: $N_TCP TCP_CHECK + $N_HTTP HTTP_GET every 1 s"
ulimit -n 200000
ip netns exec "$P-d" "$VIPD" -n -l -G -f "$W/vipd.conf" -p "$W/vipd.pid" \
  --control-socket "$W/vipd.sock" >"$W/vipd.log" 2>&1 &
VPID=$!
[ -n "${PERF:-}" ] && (sleep "$WARM"; timeout 5 strace -f -c -p "$VPID" -o "$W/strace.vipd" >/dev/null 2>&1) &
read -r v_cpu v_rss < <(measure "$VPID")
kill -TERM "$VPID"
wait "$VPID"
stats=$(grep -a "Checker loop:" "$W/vipd.log" | tail -1)
v_attempts=$(echo "$stats" | sed -n 's/.*Checker loop: \([0-9]*\) attempts.*/\1/p')
v_p50=$(echo "$stats" | sed -n 's/.*p50 \([0-9.]*\) ms.*/\1/p')
v_p99=$(echo "$stats" | sed -n 's/.*p99 \([0-9.]*\) ms.*/\1/p')
v_down=$(grep -ac -- '-> DOWN' "$W/vipd.log")
v_elapsed=$((WARM + WINDOW))

echo "== HAProxy $(haproxy -v | head -1 | awk '{print $3}'): the same servers, check inter 1s"
ip netns exec "$P-d" haproxy -f "$W/haproxy.cfg" -db >"$W/haproxy.log" 2>&1 &
HPID=$!
[ -n "${PERF:-}" ] && (sleep "$WARM"; timeout 5 strace -f -c -p "$HPID" -o "$W/strace.haproxy" >/dev/null 2>&1) &
read -r h_cpu h_rss < <(measure "$HPID")
h_up=$(echo "show stat" | socat - "UNIX-CONNECT:$W/haproxy.sock" 2>/dev/null | grep -c ',UP,')
h_down=$(echo "show stat" | socat - "UNIX-CONNECT:$W/haproxy.sock" 2>/dev/null | grep -c ',DOWN,')
kill -TERM "$HPID"
wait "$HPID" 2>/dev/null

per_check() { awk -v c="$1" -v n="$total" 'BEGIN {printf "%.1f", c / 100 * 1e6 / n}'; }
echo
echo "| $N_TCP TCP_CHECK + $N_HTTP HTTP_GET, 1 s | vipd | HAProxy 2.6 | vipd/HAProxy |"
echo "|---|---|---|---|"
echo "| CPU, % of one core | $v_cpu | $h_cpu | $(awk -v a="$v_cpu" -v b="$h_cpu" 'BEGIN {printf "%.2f", b ? a / b : 0}') |"
echo "| CPU per check, us | $(per_check "$v_cpu") | $(per_check "$h_cpu") | |"
echo "| RSS, MiB | $v_rss | $h_rss | |"
echo "| checks done per second | $(awk -v a="$v_attempts" -v t="$v_elapsed" 'BEGIN {printf "%.0f", a / t}') (of $total due) | | |"
echo "| servers DOWN / UP at the end | $v_down DOWN transitions | $h_down / $h_up | |"
echo "| check start lateness p50 / p99, ms | $v_p50 / $v_p99 | | |"
echo
echo "(vipd's count includes the first ${WARM}s, when checks are still spread over warmup;"
echo " logs in $W)"
