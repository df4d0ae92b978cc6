#!/usr/bin/env bash
# Service failover side by side: keepalived 2.2.7 and vipd in front of nginx, same
# namespaces, same config. Two routers (r1 priority 150, r2 100, VRRPv3) each run nginx
# tracked by `curl` (fall 2, rise 2, weight -60). For each setting it stops nginx on r1
# and times r2 adding the VIP (`ip -ts monitor`, the same clock for both daemons), then
# starts nginx again and times r1 taking the VIP back.
#   bench/service_failover.sh [VIPD]      REPS=N for the median of N runs (default 3)
set -uo pipefail
cd "$(dirname "$0")/.."
VIPD=$(realpath "${1:-build-release/src/daemon/vipd}")
REPS=${REPS:-3}
source tests/netns/lib.sh
P=vipd-sbench-$$
netns_lan 2
chmod 711 "$WORK"
for r in r1 r2; do nginx_conf $r; nginx_start $r; done

# conf NAME PRIO ADVERT SCRIPT_INTERVAL
conf() {
  cat >"$WORK/$1.conf" <<EOF
global_defs {
  script_user root
  vrrp_garp_master_delay 0
  vrrp_garp_master_repeat 1
}
vrrp_script chk_nginx {
  script "/usr/bin/curl -sf -m 0.5 -o /dev/null http://127.0.0.1/"
  interval $4
  timeout 1
  fall 2
  rise 2
  weight -60
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 77
  priority $2
  version 3
  advert_int $3
  virtual_ipaddress { 10.77.0.200/24 }
  track_script { chk_nginx }
}
EOF
  echo "$WORK/$1.conf"
}
start() { if [ "$1" = keepalived ]; then start_keepalived "$2" "$3"; else start_vipd "$2" "$3"; fi; }
first_add_ms() {  # first_add_ms MONFILE T0: ms from T0 to the first VIP line in MONFILE
  local t
  t=$(grep -m1 '10.77.0.200' "$1" | sed 's/^\[\([^]]*\)\].*/\1/')
  [ -n "$t" ] || { echo "-"; return; }
  awk -v a="$2" -v b="$(date -d "$t" +%s.%N)" 'BEGIN { printf "%d", (b - a) * 1000 }'
}

# measure DAEMON ADVERT INTERVAL -> "down_ms back_ms" in $WORK/result
measure() {
  echo "- -" >"$WORK/result"
  start "$1" r1 "$(conf r1 150 "$2" "$3")"
  start "$1" r2 "$(conf r2 100 "$2" "$3")"
  if wait_for 20 "r1 master" holder_is r1 10.77.0.200 r1 r2; then
    sleep "$(awk -v i="$3" 'BEGIN { print 1 + i * 1.37 }')"  # not in phase with the checks
    ip -n "$P-r2" -ts monitor address dev eth0 >"$WORK/mon2.txt" 2>/dev/null &
    local mon=$! t0 down back
    t0=$(date +%s.%N)
    nginx_stop r1 2>/dev/null
    wait_for 20 "r2 takes over" has_addr r2 10.77.0.200
    kill "$mon"; wait "$mon" 2>/dev/null
    down=$(first_add_ms "$WORK/mon2.txt" "$t0")
    sleep 1
    ip -n "$P-r1" -ts monitor address dev eth0 >"$WORK/mon1.txt" 2>/dev/null &
    mon=$!
    t0=$(date +%s.%N)
    nginx_start r1 2>/dev/null
    wait_for 20 "r1 takes back" holder_is r1 10.77.0.200 r1 r2
    kill "$mon"; wait "$mon" 2>/dev/null
    back=$(first_add_ms "$WORK/mon1.txt" "$t0")
    echo "$down $back" >"$WORK/result"
  fi
  stop_daemon r1 TERM
  stop_daemon r2 TERM
  nginx_start r1 2>/dev/null
}
median() { tr ' ' '\n' | grep -v '^-$' | sort -n | awk '{ a[NR] = $1 } END { print NR ? a[int((NR + 1) / 2)] : "-" }'; }

printf '%-22s %-8s %12s %12s %6s\n' "setting" "event" keepalived vipd ratio
# keepalived 2.2.7 reads the script interval in whole seconds, so both settings check every
# second; the advert interval changes the protocol part of the failover.
for setting in "1 1" "0.1 1"; do
  read -r advert interval <<<"$setting"
  declare -A res=()
  for d in keepalived vipd; do
    downs="" backs=""
    for _ in $(seq "$REPS"); do
      measure $d "$advert" "$interval"
      read -r dn bk <"$WORK/result"
      downs+="$dn " backs+="$bk "
    done
    res[$d-down]=$(echo $downs | median)
    res[$d-back]=$(echo $backs | median)
    echo "  ($d advert $advert s, check $interval s: down $downs/ back $backs)" >&2
  done
  for ev in down back; do
    k=${res[keepalived-$ev]} v=${res[vipd-$ev]}
    ratio=$(awk -v k="$k" -v v="$v" 'BEGIN { if (k > 0 && v != "-") printf "%.2f", v / k; else print "-" }')
    label="nginx stopped"; [ $ev = back ] && label="nginx back"
    printf '%-22s %-8s %10s ms %10s ms %6s\n' "advert $advert s, check $interval s" "$ev" "$k" "$v" "$ratio"
  done
done
fail=0
