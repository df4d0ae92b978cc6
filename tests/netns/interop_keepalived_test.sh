#!/usr/bin/env bash
# vipd with keepalived 2.2.7 (Debian) as the peer, in both directions, for VRRPv2
# multicast, PASS and AH, VRRPv3 over IPv4 and IPv6, and unicast. In each case: the
# right router is elected, the other takes over when it stops, the first preempts back on
# return, and there is never more than one holder after convergence. Adverts on the wire
# are decoded by tshark without malformed or bad-checksum flags.
#   tests/netns/interop_keepalived_test.sh VIPD
VIPD=$(realpath "$1")
source "$(dirname "$0")/lib.sh"
command -v keepalived >/dev/null || { echo "keepalived is not installed"; exit 1; }
netns_lan 2

# ka_conf NAME PRIORITY LINES...: keepalived's config with short GARP bursts.
ka_conf() {
  local name=$1 prio=$2; shift 2
  {
    echo "global_defs {"
    echo "  vrrp_garp_master_delay 0"
    echo "  vrrp_garp_master_repeat 1"
    echo "}"
    echo "vrrp_instance VI_1 {"
    echo "  interface eth0"
    echo "  virtual_router_id $VRID"
    echo "  priority $prio"
    for l in "$@"; do echo "  $l"; done
    echo "}"
  } >"$WORK/$name.conf"
  echo "$WORK/$name.conf"
}

# interop CASE VIP WAIT LINES...: both directions for one configuration.
interop() {
  local name=$1 vip=$2 wait=$3; shift 3
  local lines=("$@") dir
  [ -n "${ONLY:-}" ] && [ "$name" != "$ONLY" ] && return 0
  for dir in ${DIRS:-vipd-master keepalived-master}; do
    VRID=$((VRID + 1))
    : >"$WORK/r1.log"
    : >"$WORK/r2.log"
    local u1=() u2=()
    if [ "$name" = unicast ]; then
      u1=("unicast_src_ip 10.77.0.1" "unicast_peer {" "  10.77.0.2" "}")
      u2=("unicast_src_ip 10.77.0.2" "unicast_peer {" "  10.77.0.1" "}")
    fi
    # r1 has priority 150, r2 100; which daemon runs where depends on the direction.
    if [ "$dir" = vipd-master ]; then
      start_vipd r1 "$(vrrp_conf r1 150 "${lines[@]}" "${u1[@]}")"
      start_keepalived r2 "$(ka_conf r2 100 "${lines[@]}" "${u2[@]}")"
    else
      start_keepalived r1 "$(ka_conf r1 150 "${lines[@]}" "${u1[@]}")"
      start_vipd r2 "$(vrrp_conf r2 100 "${lines[@]}" "${u2[@]}")"
    fi
    local tag="$name, $dir:"
    wait_for "$wait" "$tag r1 elected" holder_is r1 "$vip" r1 r2
    check "$tag r1 (priority 150) is the only holder" stays_holder r1 "$vip" r1 r2
    local r1conf=$WORK/r1.conf
    stop_daemon r1 TERM
    wait_for "$wait" "$tag r2 takes over" holder_is r2 "$vip" r1 r2
    check "$tag r2 takes over when r1 stops" stays_holder r2 "$vip" r1 r2
    if [ "$dir" = vipd-master ]; then start_vipd r1 "$r1conf"; else start_keepalived r1 "$r1conf"; fi
    wait_for "$wait" "$tag r1 preempts back" holder_is r1 "$vip" r1 r2
    check "$tag r1 preempts back, one holder" stays_holder r1 "$vip" r1 r2
    local drops
    drops=$(grep -h "dropped advert" "$WORK/r1.log" "$WORK/r2.log" | head -3)
    check "$tag vipd dropped no advert from keepalived ${drops:+($drops)}" [ -z "$drops" ]
    stop_daemon r1 TERM
    stop_daemon r2 TERM
    for r in r1 r2; do nsx "$r" ip addr del "$vip" dev eth0 2>/dev/null; done
  done
}

# Capture every case's adverts on the bridge for tshark.
ip netns exec "$P-sw" tcpdump -i br0 -w "$WORK/wire.pcap" -U \
  'ip proto 112 or ip proto 51 or ip6 proto 112' >/dev/null 2>&1 &
TCPDUMP=$!
sleep 0.5
VRID=40
vip4() { echo "virtual_ipaddress {"; echo "  $1"; echo "}"; }
readarray -t V4 < <(vip4 10.77.0.210/24)
readarray -t V6 < <(vip4 fd00:77::210/64)
pass_auth=("authentication {" "  auth_type PASS" "  auth_pass s3cret" "}")
ah_auth=("authentication {" "  auth_type AH" "  auth_pass s3cret" "}")
interop v2 10.77.0.210 8 "version 2" "advert_int 1" "${V4[@]}"
interop v2-pass 10.77.0.210 8 "version 2" "advert_int 1" "${V4[@]}" "${pass_auth[@]}"
interop v2-ah 10.77.0.210 8 "version 2" "advert_int 1" "${V4[@]}" "${ah_auth[@]}"
interop v3 10.77.0.210 3 "version 3" "advert_int 0.1" "${V4[@]}"
interop v3-ipv6 fd00:77::210 3 "version 3" "advert_int 0.1" "${V6[@]}"
interop unicast 10.77.0.210 3 "version 3" "advert_int 0.1" "${V4[@]}"
kill -INT $TCPDUMP
wait $TCPDUMP 2>/dev/null
bad=$(tshark -r "$WORK/wire.pcap" -Y '_ws.malformed or vrrp.checksum.status == 0 or _ws.expert.severity >= 6291456' 2>/dev/null | wc -l)
total=$(tshark -r "$WORK/wire.pcap" -Y vrrp 2>/dev/null | wc -l)
echo "     tshark: $total adverts on the wire, $bad flagged"
check "tshark: adverts decoded" [ "$total" -gt 10 ]
check "tshark: none malformed or with a bad checksum" [ "$bad" -eq 0 ]
finish
