# Runs inside the VM (scripts/ipvs-vm.sh, from bench/ipvs_scale.sh): keepalived 2.2.7 and
# vipd, one after the other, on /work/scale.conf (virtual servers x real servers on
# 127.0.0.1 ports 9001..). Per daemon, "bench NAME KEY VALUE" lines:
#   startup_s    start until every real server is in IPVS (/proc/net/ip_vs, polled 0.2 s)
#   start_cpu_s  CPU the daemon's processes used until then
#   rss_kib      their resident memory then
#   steady_cpu   % of a CPU over the next 30 s (the checkers' steady work)
#   down_first_s / down_all_s  after the listener of the last port stops: until the first,
#                and the last, of its real servers leaves IPVS (bounded by the checkers'
#                delay_loop + connect_timeout: the verdicts, not IPVS, set the pace)
#   stop_s       SIGTERM until IPVS is empty
# and for vipd a "verdict vipd MEDIAN_MS MAX_MS N" line: verdict to IPVS, from its log.
total=$(grep -c "real_server" /work/scale.conf)
ports=$(grep -o "127.0.0.1 9[0-9]*" /work/scale.conf | sort -u | awk '{ print $2 }')
last=$(echo "$ports" | tail -1)
per=$((total / $(echo "$ports" | wc -l)))  # real servers on each port
for p in $ports; do
  [ "$p" = "$last" ] && continue
  httpd -p 127.0.0.1:$p -h /tmp
done
now() { awk '{ print $1 }' /proc/uptime; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
dests() { grep -c "^  -> [0-9A-F]" /proc/net/ip_vs; }
hexport=$(printf "%04X" "$last")
ticks() {  # CPU ticks (1/100 s) of the given pids
  for p in "$@"; do awk '{ print $14 + $15 }' /proc/$p/stat 2>/dev/null; done |
    awk '{ s += $1 } END { print s + 0 }'
}
rss() { for p in "$@"; do awk '/^VmRSS/ { print $2 }' /proc/$p/status 2>/dev/null; done |
    awk '{ s += $1 } END { print s + 0 }'; }
run() {  # run NAME START_CMD PIDFILES...
  name=$1 cmd=$2; shift 2
  httpd -f -p 127.0.0.1:$last -h /tmp &
  web=$!
  t0=$(now)
  sh -c "$cmd" &
  i=0
  while [ "$(dests)" -lt "$total" ] && [ $i -lt 3000 ]; do sleep 0.2; i=$((i + 1)); done
  echo "bench $name startup_s $(since "$t0")"
  pids=""
  for f in "$@"; do [ -f "$f" ] && pids="$pids $(cat "$f")"; done
  c0=$(ticks $pids)
  echo "bench $name start_cpu_s $(awk -v t="$c0" 'BEGIN { printf "%.2f", t / 100 }')"
  echo "bench $name rss_kib $(rss $pids)"
  sleep 30
  c1=$(ticks $pids)
  echo "bench $name steady_cpu $(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.1f", (b - a) / 30 }')"
  kill $web
  t1=$(now)
  first=""
  i=0
  while [ $i -lt 1500 ]; do
    n=$(grep -c "7F000001:$hexport" /proc/net/ip_vs)
    [ -z "$first" ] && [ "$n" -lt "$per" ] && first=$(since "$t1")
    [ "$n" -eq 0 ] && break
    sleep 0.2
    i=$((i + 1))
  done
  echo "bench $name down_first_s ${first:-none}"
  echo "bench $name down_all_s $(since "$t1")"
  t2=$(now)
  kill $(cat "$1")
  i=0
  while [ "$(dests)" -gt 0 ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
  while [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; do sleep 0.1; done
  echo "bench $name stop_s $(since "$t2") (left: $(dests))"
  ipvsadm -C
}
run keepalived "keepalived -n -f /work/scale.conf -p /run/ka.pid -c /run/kac.pid -r /run/kav.pid >/tmp/ka.log 2>&1" /run/ka.pid /run/kac.pid
run vipd "vipd -n -l -f /work/scale.conf -p /run/vipd.pid --control-socket /run/vipd.sock >/tmp/vipd.log 2>&1" /run/vipd.pid
# Where vipd's start went (CPU of the checker thread: checkers' setup, load balancer).
grep -o "Health checking.*" /tmp/vipd.log | sed 's/^/vipd: /'
# vipd logs, for each change it writes, how long after the verdict the kernel had it: over
# the down phase's changes, the median and the worst (keepalived does not say).
grep -o "in the kernel [0-9]* us after the verdict" /tmp/vipd.log | awk '{ print $4 }' | sort -n |
  awk '{ v[NR] = $1 } END { if (NR) printf "verdict vipd %.1f %.1f %d\n", v[int((NR + 1) / 2)] / 1000, v[NR] / 1000, NR }'
