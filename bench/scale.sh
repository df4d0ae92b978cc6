#!/usr/bin/env bash
# Many instances, side by side: keepalived 2.2.7 and vipd run the same generated config on
# the same namespaces, one after the other. Two routers (r1 priority 150 = master, r2 100 =
# backup) share SEGMENTS bridges (255 instances per segment, one VIP each). For each daemon
# it waits until r1 holds every VIP, then measures over WINDOW seconds:
#   - CPU seconds per minute of each router's daemon processes (utime+stime, /proc);
#   - peak RSS (VmHWM summed over the daemon's processes);
#   - adverts per router counted on the switch by nftables counters (not tcpdump): the
#     master's share of the adverts it should have sent, and any advert from the backup
#     (a spurious takeover);
#   - optionally under LOAD busy-loop processes spread over the cores;
#   - optionally (RELOAD_MID=1) with a reload in the middle of the window: r1's config is
#     changed (a router_id, so that vipd cannot skip it as unchanged) and r1 gets SIGHUP;
#     the window's adverts then show what the reload costs the protocol, and "reload s" is
#     the time from the SIGHUP to vipd's "Reload finished" line (keepalived's VRRP process
#     logs no end of its reload: "-").
#   bench/scale.sh [VIPD] INSTANCES INTERVAL [WINDOW]     LOAD=N (default 0)  RELOAD_MID=1
# Prints one line per daemon and the ratio vipd / keepalived.
set -uo pipefail
cd "$(dirname "$0")/.."
VIPD=$(realpath "${1:-build-release/src/daemon/vipd}")
N=${2:-1000}
INTERVAL=${3:-1}
WINDOW=${4:-60}
LOAD=${LOAD:-0}
source tests/netns/lib.sh
source bench/instances.sh
P=vipd-scale-$$

scale_lan "$N" || exit 1
# Count VRRP frames entering the bridges, per router (the switch ports are p-rN for
# segment 0 and pK-rN for the others).
ports() {
  local r=$1 k
  local out="\"p-$r\""
  for k in $(seq 1 $((SEGMENTS - 1))); do out+=", \"p$k-$r\""; done; echo "$out"; }
nsx sw nft -f - <<EOF
table bridge vbench {
  counter r1 {}
  counter r2 {}
  chain pre {
    type filter hook prerouting priority 0;
    iifname { $(ports r1) } ip protocol 112 counter name r1
    iifname { $(ports r2) } ip protocol 112 counter name r2
  }
}
EOF

start() { if [ "$1" = keepalived ]; then start_keepalived "$2" "$3"; else start_vipd "$2" "$3"; fi; }
vips_on() { nsx "$1" ip -o -4 addr show | grep -c ' 10\.1[0-9][0-9]\.'; }
# The daemon's processes in a router namespace (keepalived: parent + VRRP child).
pids_of() { ip netns pids "$P-$1" | while read -r p; do
  case "$(cat /proc/$p/comm 2>/dev/null)" in keepalived|vipd) echo "$p" ;; esac; done; }
cpu_ticks() { local t=0 p; for p in $(pids_of "$1"); do
  t=$(( t + $(awk '{print $14 + $15}' /proc/$p/stat 2>/dev/null || echo 0) )); done; echo $t; }
hwm_kib() { local t=0 p; for p in $(pids_of "$1"); do
  t=$(( t + $(awk '/VmHWM/ {print $2}' /proc/$p/status 2>/dev/null || echo 0) )); done; echo $t; }
# CPU time in ns from the scheduler (all threads), finer than the ticks above: for the
# startup and reload work.
cpu_ns() { local t=0 p f; for p in $(pids_of "$1"); do for f in /proc/$p/task/*/schedstat; do
  t=$(( t + $(awk '{print $1}' "$f" 2>/dev/null || echo 0) )); done; done; echo $t; }
# counter NAME FILE: the packets of a named counter in an `nft list table` listing.
counter() { awk -v n="$1" '$1 == "counter" && $2 == n { f = 1 }
  f && /packets/ { for (i = 1; i < NF; i++) if ($i == "packets") { print $(i + 1); exit } }' "$2"; }

run() {  # run DAEMON -> "cpu_master cpu_backup hwm_master_mib sent_pct backup_adverts startup_s
         #                start_cpu_ms reload_cpu_ms"
  local d=$1 t0 hz
  hz=$(getconf CLK_TCK)
  t0=$(date +%s.%N)
  start "$d" r1 "$(gen_conf r1 150)"
  wait_for 600 "r1 holds all $N VIPs" bash -c "[ \$(ip netns exec $P-r1 ip -o -4 addr show | grep -c ' 10\.1[0-9][0-9]\.') -ge $N ]" || true
  local up_s start_ns
  up_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  start_ns=$(cpu_ns r1)  # all the work from exec to all-master
  start "$d" r2 "$(gen_conf r2 100)"
  sleep 5  # r2 settles as backup everywhere
  local loaders=()
  for _ in $(seq 1 "$LOAD"); do (while :; do :; done) & loaders+=($!); done
  local c1 c2 s1 s2
  c1=$(cpu_ticks r1); c2=$(cpu_ticks r2)
  # The window runs real-time (under the busy loops an ordinary `sleep` and `nft` start
  # late, and the window would be longer than WINDOW), and both ends are read by the same
  # command: the two reads fall at the same phase of the advert schedule, so a master that
  # sends its adverts in bursts is counted a whole number of intervals.
  local mid=""
  if [ -n "${RELOAD_MID:-}" ]; then
    sed -i "s/^global_defs {/global_defs {\n  router_id reload-$$/" "$WORK/r1.conf"
    mid="sleep $(awk -v w="$WINDOW" 'BEGIN { print w / 2 }'); date +%s%3N >'$WORK/hup.ms';
      kill -HUP ${DAEMON_PIDS[r1]}; sleep $(awk -v w="$WINDOW" 'BEGIN { print w / 2 }')"
  fi
  local lines0
  lines0=$(wc -l <"$WORK/r1.log")
  chrt -f 20 sh -c "ip netns exec $P-sw nft list table bridge vbench >'$WORK/c0.txt'
    ${mid:-sleep $WINDOW}; ip netns exec $P-sw nft list table bridge vbench >'$WORK/c1.txt'"
  s1=$(( $(counter r1 "$WORK/c1.txt") - $(counter r1 "$WORK/c0.txt") ))
  s2=$(( $(counter r2 "$WORK/c1.txt") - $(counter r2 "$WORK/c0.txt") ))
  local e1 e2
  e1=$(cpu_ticks r1); e2=$(cpu_ticks r2)
  [ ${#loaders[@]} -gt 0 ] && kill "${loaders[@]}" 2>/dev/null
  local reload_s=-
  if [ -n "${RELOAD_MID:-}" ]; then
    local done_ms
    done_ms=$(tail -n +"$((lines0 + 1))" "$WORK/r1.log" | grep -a -m1 "Reload finished" |
      sed 's/: .*//' | xargs -I{} date -d {} +%s%3N 2>/dev/null)
    [ -n "$done_ms" ] && reload_s=$(awk -v a="$(cat "$WORK/hup.ms")" -v b="$done_ms" 'BEGIN { printf "%.2f", (b - a) / 1000 }')
  fi
  local hwm
  hwm=$(hwm_kib r1)
  # A reload with the same config (SIGHUP): the CPU it costs beyond the adverts, i.e. the
  # CPU of RELOAD_WINDOW seconds after it minus that of the same time before it.
  local rw=${RELOAD_WINDOW:-4} b0 b1 r1ns
  b0=$(cpu_ns r1); sleep "$rw"; b1=$(cpu_ns r1)
  kill -HUP "${DAEMON_PIDS[r1]}"
  sleep "$rw"
  r1ns=$(( $(cpu_ns r1) - b1 - (b1 - b0) ))
  stop_daemon r1 TERM; stop_daemon r2 TERM
  # The next daemon must not find this one's VIPs.
  local left
  left=$(drop_vips r1 r2)
  [ "$left" -eq 0 ] || echo "$d left $left VIPs behind when stopped (removed)" >&2
  local expected
  expected=$(awk -v n="$N" -v w="$WINDOW" -v i="$INTERVAL" 'BEGIN { print n * w / i }')
  awk -v c1=$((e1 - c1)) -v c2=$((e2 - c2)) -v hz="$hz" -v w="$WINDOW" -v hwm="$hwm" \
      -v s1="$s1" -v s2="$s2" -v ex="$expected" -v up="$up_s" -v st="$start_ns" -v rl="$r1ns" 'BEGIN {
    printf "%.2f %.2f %.1f %.2f %d %s %d %d", c1 / hz * 60 / w, c2 / hz * 60 / w, hwm / 1024,
           100 * s1 / ex, s2, up, st / 1e6, rl / 1e6 }'
  echo " $reload_s"
}

echo "$N instances, advert $INTERVAL s, $SEGMENTS segment(s), window $WINDOW s, $LOAD busy loop(s), wire ${WIRE:-napi}"
row() { printf '%-11s %13s %13s %8s %10s %11s %13s %13s %14s %9s\n' "$@"; }
row daemon "CPU-s/min r1" "CPU-s/min r2" "RSS MiB" "r1 sent %" "r2 adverts" "all-master s" \
  "start CPU ms" "reload CPU ms" "reload s"
declare -A R
for d in ${DAEMONS:-keepalived vipd}; do
  R[$d]=$(run $d)
  # shellcheck disable=SC2086
  row "$d" ${R[$d]}
  # For bench/run.sh: one line per daemon in RESULTS (if set).
  [ -z "${RESULTS:-}" ] || echo "scale${RELOAD_MID:+-reload} $N $INTERVAL $LOAD $d ${R[$d]}" >>"$RESULTS"
done
ratio() { awk -v a="$1" -v b="$2" -v f="$3" 'BEGIN { if (b > 0) printf f, a / b; else print "-" }'; }
[ -n "${R[keepalived]:-}" ] && [ -n "${R[vipd]:-}" ] || exit 0
read -r ka kb kc _ _ _ kst krl <<<"${R[keepalived]}"
read -r va vb vc _ _ _ vst vrl <<<"${R[vipd]}"
row "vipd/ka" "$(ratio "$va" "$ka" %.3f)" "$(ratio "$vb" "$kb" %.3f)" "$(ratio "$vc" "$kc" %.2f)" \
  "" "" "" "$(ratio "$vst" "$kst" %.3f)" "$(ratio "$vrl" "$krl" %.3f)"
fail=0
