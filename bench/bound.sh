#!/usr/bin/env bash
# Failover against the protocol bound, side by side: keepalived 2.2.7 and vipd, same
# namespaces, same config (one VRRPv3 instance, r1 priority 150, r2 100). The master is cut
# off its link; a capture on the backup (tcpdump, kernel timestamps, one clock for both
# directions) gives the last advert it heard from r1 and its own first advert as master.
# RFC 5798 6.4.2: the backup takes over when Master_Down_Interval (3 x interval + Skew_Time,
# Skew_Time = (256 - 100) / 256 x interval) has passed since the last advert heard, so the
# figure is (first advert of r2 - last advert of r1) - Master_Down_Interval: 0 is exact.
#   bench/bound.sh [VIPD] [INTERVALS...]   (default 0.01 0.1 1)
#   LOADS="0 4" busy-loop processes during the run; REPS=N runs each (default 3).
#   DAEMONS="keepalived vipd" (default both).
#   CHECKS=N: vipd's routers also health-check N real servers each (TCP_CHECK every 1 s,
#   nginx in a server namespace, one address per real server), so the failover is measured
#   while the checker thread works (issue 13); keepalived runs VRRP only (-P).
# Prints, per interval and load, the median and the worst deviation of each daemon.
set -uo pipefail
cd "$(dirname "$0")/.."
VIPD=$(realpath "${1:-build-release/src/daemon/vipd}")
shift || true
intervals=("$@")
[ ${#intervals[@]} -gt 0 ] || intervals=(0.01 0.1 1)
REPS=${REPS:-3}
LOADS=${LOADS:-0 4}
source tests/netns/lib.sh
P=vipd-bound-$$
netns_lan 2
CHECKS=${CHECKS:-0}
CHECK_CONF=""
if [ "$CHECKS" -gt 0 ]; then
  new_ns srv
  attach srv
  nsx srv ip addr add 10.77.0.50/24 dev eth0
  for k in $(seq 0 $((CHECKS - 1))); do echo "addr add 10.100.$((k / 250)).$((k % 250 + 1))/32 dev lo"; done >"$WORK/addrs"
  nsx srv ip -b "$WORK/addrs"
  nsx srv sysctl -qw net.core.somaxconn=65535 net.ipv4.tcp_max_syn_backlog=65535
  for r in r1 r2; do nsx $r ip route add 10.100.0.0/16 via 10.77.0.50; done
  mkdir -p "$WORK/ngx"
  cat >"$WORK/ngx.conf" <<EOF
user root;
worker_processes 1;
worker_rlimit_nofile 100000;
pid $WORK/ngx.pid;
error_log $WORK/ngx/error.log crit;
events { worker_connections 50000; }
http {
  access_log off;
  client_body_temp_path $WORK/ngx/body;
  proxy_temp_path $WORK/ngx/proxy;
  fastcgi_temp_path $WORK/ngx/fastcgi;
  uwsgi_temp_path $WORK/ngx/uwsgi;
  scgi_temp_path $WORK/ngx/scgi;
  server { listen 9000 backlog=65535; return 200 "tcp\n"; }
}
EOF
  nsx srv nginx -c "$WORK/ngx.conf"
  CHECK_CONF=$WORK/checks.conf
  for k in $(seq 0 $((CHECKS - 1))); do
    [ $((k % 1000)) -eq 0 ] && { [ "$k" -gt 0 ] && echo "}"; printf 'virtual_server 10.200.0.%d 80 {\n  protocol TCP\n  delay_loop 1\n  connect_timeout 1\n  lb_algo rr\n' $((k / 1000 + 1)); }
    printf '  real_server 10.100.%d.%d 9000 {\n    TCP_CHECK {\n    }\n  }\n' $((k / 250)) $((k % 250 + 1))
  done >"$CHECK_CONF"
  echo "}" >>"$CHECK_CONF"
fi

conf_for() {  # conf_for NAME PRIO INTERVAL
  local f
  f=$(vrrp_conf "$1" "$2" "version 3" "advert_int $3" "virtual_ipaddress {" "  10.77.0.200/24" "}")
  { printf 'global_defs {\n  vrrp_garp_master_delay 0\n  vrrp_garp_master_repeat 1\n}\n'; cat "$f"; } >"$f.g"
  mv "$f.g" "$f"
  echo "$f"
}
start() {
  if [ "$1" = keepalived ]; then
    start_keepalived "$2" "$3"
  else
    [ -n "$CHECK_CONF" ] && cat "$CHECK_CONF" >>"$3"
    start_vipd "$2" "$3"
  fi
}

# measure DAEMON INTERVAL LOAD: prints the deviation from the bound in ms (or "-")
measure() {
  local d=$1 i=$2 load=$3
  start "$d" r1 "$(conf_for r1 150 "$i")"
  wait_for 15 "r1 master" holder_is r1 10.77.0.200 r1 || { stop_daemon r1 KILL; echo -; return; }
  start "$d" r2 "$(conf_for r2 100 "$i")"
  sleep 1
  # With CHECKS, let the checks spread over their warmup (1 s bootstrap + up to delay_loop).
  [ "$CHECKS" -gt 0 ] && [ "$d" = vipd ] && sleep 2
  rm -f "$WORK/cap.pcap"
  # ip netns exec execs tcpdump: $! is tcpdump itself. --immediate-mode: without it the
  # kernel hands packets over in blocks every second, and the last block is lost at exit.
  ip netns exec "$P-r2" tcpdump -i eth0 -n --immediate-mode -U -w "$WORK/cap.pcap" 'ip proto 112' >/dev/null 2>&1 &
  local cap=$!
  local loaders=()
  for _ in $(seq 1 "$load"); do (while :; do :; done) & loaders+=($!); done
  # Not in phase with the adverts; the capture is running by then.
  sleep "$(awk -v i="$i" -v r="$RANDOM" 'BEGIN { print 1 + i * (1 + r / 32768) }')"
  nsx sw ip link set p-r1 down
  wait_for 15 "r2 master" has_addr r2 10.77.0.200
  sleep 0.2
  [ ${#loaders[@]} -gt 0 ] && kill "${loaders[@]}" 2>/dev/null
  kill -TERM "$cap" 2>/dev/null; wait "$cap" 2>/dev/null
  stop_daemon r1 KILL; stop_daemon r2 TERM
  # With CHECKS: r2 must have been checking all along (its stop line counts the attempts).
  if [ "$CHECKS" -gt 0 ] && [ "$d" = vipd ]; then
    grep -a "Health checking $CHECKS real server" "$WORK/r2.log" >/dev/null ||
      echo "r2 was not health-checking $CHECKS real servers" >&2
    grep -a "Checker loop:" "$WORK/r2.log" | tail -1 | sed 's/^.*Checker loop/  r2 checker loop/' >&2
  fi
  nsx sw ip link set p-r1 up
  for r in r1 r2; do nsx $r ip addr del 10.77.0.200/24 dev eth0 2>/dev/null; done
  [ -n "${DEBUG:-}" ] && tcpdump -r "$WORK/cap.pcap" -n -tt 2>/dev/null | cut -c1-60 >&2
  tcpdump -r "$WORK/cap.pcap" -n -tt 2>/dev/null | awk -v i="$i" '
    $3 == "10.77.0.1" && !took { last = $1 }
    $3 == "10.77.0.2" && !took { took = $1 }
    END {
      if (!last || !took) { print "-"; exit }
      printf "%.2f\n", (took - last - (3 * i + (256 - 100) / 256 * i)) * 1000 }'
  sleep 0.3
}

stats() {  # stats VALUES...: "median worst" (worst = the largest absolute deviation)
  printf '%s\n' "$@" | grep -E '^-?[0-9.]+$' | sort -g | awk '
    { a[NR] = $1; if ($1 < 0 ? -$1 > w : $1 > w) { w = ($1 < 0 ? -$1 : $1); ws = $1 } }
    END { if (NR) printf "%.2f %.2f\n", a[int((NR + 1) / 2)], ws; else print "- -" }'
}

echo "failover after the master is cut off: (r2's first advert - r1's last advert heard)"
echo "minus Master_Down_Interval, in ms; median and worst of $REPS; LOAD = busy loops on 2 cores"
printf '%-9s %5s %14s %12s %14s %12s\n' interval load "ka median" "ka worst" "vipd median" "vipd worst"
for i in "${intervals[@]}"; do
  for load in $LOADS; do
    declare -A S=()
    for d in ${DAEMONS:-keepalived vipd}; do
      vals=()
      for _ in $(seq "$REPS"); do vals+=("$(measure "$d" "$i" "$load")"); done
      S[$d]=$(stats "${vals[@]}")
      [ -z "${RESULTS:-}" ] || echo "bound $i $load $d ${S[$d]} ${vals[*]}" >>"$RESULTS"
    done
    read -r km kw <<<"${S[keepalived]:-- -}"
    read -r vm vw <<<"${S[vipd]:-- -}"
    printf '%-9s %5s %14s %12s %14s %12s\n' "${i}s" "$load" "$km" "$kw" "$vm" "$vw"
  done
done
