#!/usr/bin/env bash
# vipd with FRR's vrrpd (Debian frr 8.4) as the peer, VRRPv3 over IPv4 and IPv6, in both
# directions: the higher priority is elected, the other takes over when it stops, the first
# preempts back, and there is one active router after convergence.
# FRR keeps the VIP on a macvlan ("vrrp4-eth0-VRID") and holds it in protodown while backup,
# so "FRR is active" means its macvlan is up and not in protodown.
#   tests/netns/interop_frr_test.sh VIPD
VIPD=$(realpath "$1")
source "$(dirname "$0")/lib.sh"
[ -x /usr/lib/frr/vrrpd ] || { echo "frr is not installed"; exit 1; }
netns_lan 2
chmod 711 "$WORK"  # FRR runs as user frr and must reach its directory

# frr_start NS VRID FAMILY(4|6) PRIORITY VIP: zebra + vrrpd as user frr in NS.
frr_start() {
  local ns=$1 vrid=$2 fam=$3 prio=$4 vip=$5
  local dir=$WORK/frr-$ns mv=vrrp$fam-eth0-$vrid
  mkdir -p "$dir" && chown frr:frr "$dir"
  local mac
  mac=$(printf '00:00:5e:00:%02x:%02x' "$((fam == 4 ? 1 : 2))" "$vrid")
  nsx "$ns" ip link add "$mv" link eth0 type macvlan mode bridge
  nsx "$ns" ip link set "$mv" address "$mac"
  if [ "$fam" = 4 ]; then nsx "$ns" ip addr add "$vip/24" dev "$mv"
  else nsx "$ns" ip addr add "$vip/64" dev "$mv" nodad; fi
  nsx "$ns" ip link set "$mv" up
  echo "hostname $ns" >"$dir/zebra.conf"
  {
    echo "interface eth0"
    echo " vrrp $vrid version 3"
    echo " vrrp $vrid priority $prio"
    echo " vrrp $vrid advertisement-interval 100"
    if [ "$fam" = 4 ]; then echo " vrrp $vrid ip $vip"; else echo " vrrp $vrid ipv6 $vip"; fi
  } >"$dir/vrrpd.conf"
  chown frr:frr "$dir"/*.conf
  ip netns exec "$P-$ns" /usr/lib/frr/zebra -d -z "$dir/zserv.api" -i "$dir/zebra.pid" \
    -f "$dir/zebra.conf" --vty_socket "$dir" -u frr -g frr >>"$WORK/$ns.log" 2>&1
  wait_for 5 "zebra up in $ns" test -S "$dir/zserv.api"
  ip netns exec "$P-$ns" /usr/lib/frr/vrrpd -d -z "$dir/zserv.api" -i "$dir/vrrpd.pid" \
    -f "$dir/vrrpd.conf" --vty_socket "$dir" -u frr -g frr >>"$WORK/$ns.log" 2>&1
}
frr_stop() {
  local ns=$1 dir=$WORK/frr-$1
  for d in vrrpd zebra; do
    [ -f "$dir/$d.pid" ] && kill "$(cat "$dir/$d.pid")" 2>/dev/null
  done
  for d in vrrpd zebra; do
    wait_for 5 "$d exits" bash -c "! kill -0 \$(cat '$dir/$d.pid' 2>/dev/null) 2>/dev/null"
    rm -f "$dir/$d.pid"
  done
  nsx "$ns" ip link del "vrrp4-eth0-$2" 2>/dev/null
  nsx "$ns" ip link del "vrrp6-eth0-$2" 2>/dev/null
}
frr_active() {  # NS VRID FAM
  local l
  l=$(nsx "$1" ip -d link show "vrrp$3-eth0-$2" 2>/dev/null) || return 1
  grep -q "state UP" <<<"$l" && ! grep -q "protodown on" <<<"$l"
}
cleanup_frr() {
  for d in "$WORK"/frr-*/*.pid; do [ -f "$d" ] && kill -9 "$(cat "$d")" 2>/dev/null; done
  cleanup
}
trap cleanup_frr EXIT

# active ROUTER_WITH_VIPD ROUTER_WITH_FRR VRID FAM VIP: which of them is active ("vipd",
# "frr", "both" or "none").
active() {
  local v=$1 f=$2 vrid=$3 fam=$4 vip=$5 a=0 b=0
  has_addr "$v" "$vip" && a=1
  frr_active "$f" "$vrid" "$fam" && b=1
  case "$a$b" in 10) echo vipd ;; 01) echo frr ;; 11) echo both ;; *) echo none ;; esac
}
active_is() { [ "$(active "${@:2}")" = "$1" ]; }
stays_active() {
  local want=$1 seen="" i; shift
  for i in $(seq 10); do seen+="[$(active "$@")]"; sleep 0.1; done
  [ "$seen" = "$(printf "[$want]%.0s" $(seq 10))" ] && return 0
  echo "     over 1 s: $seen"
  return 1
}

VRID=60
for fam in 4 6; do
  if [ $fam = 4 ]; then vip=10.77.0.220; vline="  $vip/24"; else vip=fd00:77::220; vline="  $vip/64"; fi
  for dir in vipd-master frr-master; do
    VRID=$((VRID + 1))
    tag="IPv$fam, $dir:"
    if [ $dir = vipd-master ]; then vp=150 fp=100; else vp=100 fp=150; fi
    conf=$(vrrp_conf r1 $vp "version 3" "advert_int 0.1" "virtual_ipaddress {" "$vline" "}")
    start_vipd r1 "$conf"
    frr_start r2 $VRID $fam $fp $vip
    hi=$([ $dir = vipd-master ] && echo vipd || echo frr)
    lo=$([ $dir = vipd-master ] && echo frr || echo vipd)
    args=(r1 r2 $VRID $fam $vip)
    wait_for 5 "$tag $hi elected" active_is $hi "${args[@]}"
    # FRR 8.4's IPv6 router can release (priority 0) about a second after its first election
    # and return ~3 s later (seen in CI: vipd's log shows "priority_zero" then
    # "higher_priority", as RFC 5798 wants); the check starts once the election holds.
    wait_for 8 "$tag the election holds for 1 s" stays_active $hi "${args[@]}"
    check "$tag $hi (priority 150) is the only active router" stays_active $hi "${args[@]}"
    if [ $hi = vipd ]; then stop_daemon r1 TERM; else frr_stop r2 $VRID; fi
    wait_for 3 "$tag $lo takes over" active_is $lo "${args[@]}"
    check "$tag $lo takes over when $hi stops" stays_active $lo "${args[@]}"
    if [ $hi = vipd ]; then start_vipd r1 "$conf"; else frr_start r2 $VRID $fam $fp $vip; fi
    wait_for 5 "$tag $hi preempts back" active_is $hi "${args[@]}"
    check "$tag $hi preempts back, one active router" stays_active $hi "${args[@]}"
    drops=$(grep -h "dropped advert" "$WORK/r1.log" | head -3)
    check "$tag vipd dropped no advert from FRR ${drops:+($drops)}" [ -z "$drops" ]
    stop_daemon r1 TERM
    frr_stop r2 $VRID
    mv "$WORK/r1.log" "$WORK/r1-ipv$fam-$dir.log"  # each case's log kept for a failure
  done
done
finish
