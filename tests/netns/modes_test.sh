#!/usr/bin/env bash
# vipd routers on a bridge in each mode keepalived users configure: election by address,
# nopreempt, preempt_delay, unicast, IPv6, PASS and AH authentication, SIGHUP reload (good
# and broken), and keepalived's state files on SIGUSR1 / SIGRTMIN+2.
#   tests/netns/modes_test.sh VIPD
VIPD=$(realpath "$1")
source "$(dirname "$0")/lib.sh"
netns_lan 2
V3=("version 3" "advert_int 0.1")
vips() { echo "virtual_ipaddress {"; for v in "$@"; do echo "  $v"; done; echo "}"; }
readarray -t VIP1 < <(vips 10.77.0.201/24)
stop_all() { stop_daemon r1 TERM; stop_daemon r2 TERM; }

# --- equal priorities: a backup accepts any equal master (no tie-break in Backup, RFC
# 5798 6.4.2); two masters that meet compare primary addresses and the higher one stays
# (6.4.3). The split brain is made with a bridge filter that drops VRRP, links staying up.
VRID=11
start_vipd r1 "$(vrrp_conf r1 100 "${V3[@]}" "${VIP1[@]}")"
wait_for 5 "r1 master" has_addr r1 10.77.0.201
start_vipd r2 "$(vrrp_conf r2 100 "${V3[@]}" "${VIP1[@]}")"
sleep 1
check "equal priority: the first master stays (no tie-break in Backup)" \
  [ "$(holders 10.77.0.201 r1 r2)" = r1 ]
nsx sw nft -f - <<'NFT'
table bridge vipdtest {
  chain vrrp_cut { type filter hook forward priority 0; ip protocol 112 drop; }
}
NFT
wait_for 3 "split brain: r2 master too" has_addr r2 10.77.0.201
check "split brain: both hold the VIP" [ "$(holders 10.77.0.201 r1 r2)" = "r1 r2" ]
nsx sw nft delete table bridge vipdtest
wait_for 3 "healed: one holder" holder_is r2 10.77.0.201 r1 r2
check "healed: equal priority, the higher address 10.77.0.2 stays master" \
  [ "$(holders 10.77.0.201 r1 r2)" = r2 ]
stop_all

# --- nopreempt: a higher-priority router that starts later stays backup ---
VRID=12
start_vipd r2 "$(vrrp_conf r2 100 "${V3[@]}" "${VIP1[@]}")"
wait_for 5 "r2 master" has_addr r2 10.77.0.201
start_vipd r1 "$(vrrp_conf r1 150 "${V3[@]}" "${VIP1[@]}" "state BACKUP" nopreempt)"
sleep 1.5
check "nopreempt: r2 keeps the VIP" [ "$(holders 10.77.0.201 r1 r2)" = r2 ]
check "nopreempt: r1 is backup" grep -q "Entering BACKUP STATE" "$WORK/r1.log"
stop_daemon r2 KILL
wait_for 3 "nopreempt r1 still takes over a dead master" has_addr r1 10.77.0.201
check "nopreempt: takes over when the master dies" has_addr r1 10.77.0.201
stop_all
nsx r2 ip addr del 10.77.0.201/24 dev eth0 2>/dev/null

# --- preempt_delay: preemption waits the delay, then happens ---
VRID=13
: >"$WORK/r1.log"
start_vipd r2 "$(vrrp_conf r2 100 "${V3[@]}" "${VIP1[@]}")"
wait_for 5 "r2 master" has_addr r2 10.77.0.201
t0=$(now_ms)
start_vipd r1 "$(vrrp_conf r1 150 "${V3[@]}" "${VIP1[@]}" "preempt_delay 1.5")"
wait_for 5 "r1 preempts after the delay" has_addr r1 10.77.0.201
waited=$(( $(log_ms "$WORK/r1.log" "Entering MASTER STATE" "$t0") - t0 ))
echo "     preempt_delay 1.5 s: r1 took over after ${waited} ms"
check "preempt_delay: not before 1.5 s" [ "$waited" -ge 1450 ]
check "preempt_delay: not much after" [ "$waited" -le 2200 ]
stop_all

# --- unicast peers ---
VRID=14
start_vipd r1 "$(vrrp_conf r1 150 "${V3[@]}" "${VIP1[@]}" "unicast_src_ip 10.77.0.1" "unicast_peer {" "  10.77.0.2" "}")"
start_vipd r2 "$(vrrp_conf r2 100 "${V3[@]}" "${VIP1[@]}" "unicast_src_ip 10.77.0.2" "unicast_peer {" "  10.77.0.1" "}")"
wait_for 5 "unicast: r1 master" has_addr r1 10.77.0.201
sleep 0.5
echo "     unicast holders: [$(holders 10.77.0.201 r1 r2)]"
check "unicast: r1 sole holder" [ "$(holders 10.77.0.201 r1 r2)" = r1 ]
nsx sw ip link set p-r1 down
wait_for 3 "unicast: r2 takes over" has_addr r2 10.77.0.201
check "unicast: failover" has_addr r2 10.77.0.201
nsx sw ip link set p-r1 up
wait_for 5 "unicast: r1 back" has_addr r1 10.77.0.201
wait_for 2 "unicast: r2 releases" lacks_addr r2 10.77.0.201
check "unicast: r1 preempts on return" [ "$(holders 10.77.0.201 r1 r2)" = r1 ]
stop_all
# A peer whose TTL is outside its min_ttl/max_ttl is dropped (here 255 > max_ttl 254).
: >"$WORK/r2.log"
start_vipd r1 "$(vrrp_conf r1 150 "${V3[@]}" "${VIP1[@]}" "unicast_src_ip 10.77.0.1" "unicast_peer {" "  10.77.0.2" "}")"
start_vipd r2 "$(vrrp_conf r2 100 "${V3[@]}" "${VIP1[@]}" "unicast_src_ip 10.77.0.2" "unicast_peer {" "  10.77.0.1 max_ttl 254" "}")"
wait_for 3 "max_ttl: r2 drops r1's adverts" grep -q "dropped advert from 10.77.0.1: ttl" "$WORK/r2.log"
check "unicast max_ttl: TTL 255 from the peer is dropped as ttl" grep -q "dropped advert from 10.77.0.1: ttl" "$WORK/r2.log"
stop_all
# An advert from an address that is not a configured peer (the client, priority 254) never
# moves mastership: vipd checks unicast sources by default (keepalived does not).
: >"$WORK/r1.log"
start_vipd r1 "$(vrrp_conf r1 150 "${V3[@]}" "${VIP1[@]}" "unicast_src_ip 10.77.0.1" "unicast_peer {" "  10.77.0.2" "}")"
start_vipd r2 "$(vrrp_conf r2 100 "${V3[@]}" "${VIP1[@]}" "unicast_src_ip 10.77.0.2" "unicast_peer {" "  10.77.0.1" "}")"
wait_for 5 "unicast: r1 master" holder_is r1 10.77.0.201 r1 r2
start_vipd c "$(vrrp_conf c 254 "${V3[@]}" "${VIP1[@]}" "unicast_src_ip 10.77.0.100" "unicast_peer {" "  10.77.0.1" "  10.77.0.2" "}")"
wait_for 5 "the intruder's adverts arrive" grep -q "dropped advert from 10.77.0.100: unicast_source" "$WORK/r1.log"
check "unicast: adverts from a non-peer are dropped as unicast_source" \
  grep -q "dropped advert from 10.77.0.100: unicast_source" "$WORK/r1.log"
check "unicast: a non-peer at priority 254 does not move mastership" stays_holder r1 10.77.0.201 r1 r2
stop_daemon r1 TERM
wait_for 3 "r2 takes over" holder_is r2 10.77.0.201 r1 r2
# accept_unicast_from_any restores keepalived's default: the non-peer's priority 254 then
# counts, and r1 (150) does not preempt r2 (100).
: >"$WORK/r1.log"
start_vipd r1 "$(vrrp_conf r1 150 "${V3[@]}" "${VIP1[@]}" "unicast_src_ip 10.77.0.1" "unicast_peer {" "  10.77.0.2" "}" "accept_unicast_from_any")"
wait_for 5 "r1 restarted" grep -aq "Entering BACKUP" "$WORK/r1.log"
never_r1() {  # r1 stays without the VIP for 2 s (20 Master_Down_Intervals)
  for _ in $(seq 20); do has_addr r1 10.77.0.201 && return 1; sleep 0.1; done
}
check "unicast: with accept_unicast_from_any the non-peer keeps r1 from preempting (keepalived's way)" \
  never_r1
stop_daemon c TERM
stop_all
for r in r1 r2; do nsx $r ip addr del 10.77.0.201/24 dev eth0 2>/dev/null; done

# --- IPv6, VRRPv3 ---
VRID=15
readarray -t VIP6 < <(vips fd00:77::200/64)
start_vipd r1 "$(vrrp_conf r1 150 "${V3[@]}" "${VIP6[@]}")"
start_vipd r2 "$(vrrp_conf r2 100 "${V3[@]}" "${VIP6[@]}")"
wait_for 5 "IPv6: r1 master" has_addr r1 fd00:77::200
sleep 0.5
check "IPv6: r1 sole holder" [ "$(holders fd00:77::200 r1 r2)" = r1 ]
check "IPv6: client reaches the VIP" reach fd00:77::200
stop_daemon r1 TERM
wait_for 3 "IPv6: r2 takes over" has_addr r2 fd00:77::200
check "IPv6: failover on stop" has_addr r2 fd00:77::200
check "IPv6: client reaches the VIP on r2" reach fd00:77::200
stop_all

# --- VRRPv2 PASS, then a wrong password: dropped and counted, both become master ---
VRID=16
auth() { echo "authentication {"; echo "  auth_type $1"; echo "  auth_pass $2"; echo "}"; }
readarray -t PASS < <(auth PASS s3cret)
start_vipd r1 "$(vrrp_conf r1 150 "version 2" "${VIP1[@]}" "${PASS[@]}")"
start_vipd r2 "$(vrrp_conf r2 100 "version 2" "${VIP1[@]}" "${PASS[@]}")"
wait_for 6 "PASS: r1 master" has_addr r1 10.77.0.201
sleep 1.5
check "PASS: r1 sole holder" [ "$(holders 10.77.0.201 r1 r2)" = r1 ]
stop_daemon r2 TERM
readarray -t BADPASS < <(auth PASS wrong)
start_vipd r2 "$(vrrp_conf r2 100 "version 2" "${VIP1[@]}" "${BADPASS[@]}")"
wait_for 6 "wrong password: r2 drops and counts" grep -q "auth_failed" "$WORK/r2.log"
check "wrong password: dropped as auth_failed" grep -q "auth_failed" "$WORK/r2.log"
stop_all

# --- keepalived's AH between vipd routers ---
VRID=17
readarray -t AH < <(auth AH s3cret)
: >"$WORK/r2.log"
start_vipd r1 "$(vrrp_conf r1 150 "version 2" "${VIP1[@]}" "${AH[@]}")"
start_vipd r2 "$(vrrp_conf r2 100 "version 2" "${VIP1[@]}" "${AH[@]}")"
wait_for 6 "AH: r1 master" has_addr r1 10.77.0.201
sleep 2
check "AH: r1 sole holder" [ "$(holders 10.77.0.201 r1 r2)" = r1 ]
check "AH: r2 dropped nothing" bash -c "! grep -q dropped '$WORK/r2.log'"
stop_daemon r1 TERM
wait_for 3 "AH: r2 takes over" has_addr r2 10.77.0.201
check "AH: failover on stop" has_addr r2 10.77.0.201
stop_all

# --- use_vmac: the VIP lives on a macvlan with 00:00:5e:00:01:VRID; the client learns that
# MAC, so a failover needs no ARP update at all; the VMAC is removed on exit ---
VRID=19
VMAC=00:00:5e:00:01:13
readarray -t VM < <(printf '%s\n' "use_vmac" "${VIP1[@]}")
start_vipd r1 "$(vrrp_conf r1 150 "${V3[@]}" "${VM[@]}")"
start_vipd r2 "$(vrrp_conf r2 100 "${V3[@]}" "${VM[@]}")"
vip_on_vmac() { nsx "$1" ip -o addr show dev vrrp.19 2>/dev/null | grep -w 10.77.0.201 >/dev/null; }
wait_for 5 "VMAC: r1 master" vip_on_vmac r1
sleep 0.5
check "VMAC: vrrp.19 has the virtual router MAC" bash -c "ip -n $P-r1 link show vrrp.19 | grep -q $VMAC"
check "VMAC: the VIP is on r1's VMAC only" bash -c "! ip -n $P-r2 -o addr show dev vrrp.19 | grep -qw 10.77.0.201"
check "VMAC: the client reaches the VIP" reach 10.77.0.201
check "VMAC: the client resolved the VIP to the VMAC" bash -c "ip -n $P-c neigh show 10.77.0.201 | grep -q $VMAC"
stop_daemon r1 TERM
wait_for 3 "VMAC: r2 takes over" vip_on_vmac r2
check "VMAC: r2 takes over" vip_on_vmac r2
check "VMAC: the client reaches the VIP through r2" reach 10.77.0.201
check "VMAC: r1 removed its VMAC on exit" bash -c "! ip -n $P-r1 link show vrrp.19 2>/dev/null"
stop_all
check "VMAC: r2 removed its VMAC on exit" bash -c "! ip -n $P-r2 link show vrrp.19 2>/dev/null"

# --- use_vmac with vmac_xmit_base: adverts on the base interface, the VIP on the VMAC ---
VRID=28
readarray -t VX < <(printf '%s\n' "use_vmac" "vmac_xmit_base" "${VIP1[@]}")
start_vipd r1 "$(vrrp_conf r1 150 "${V3[@]}" "${VX[@]}")"
start_vipd r2 "$(vrrp_conf r2 100 "${V3[@]}" "${VX[@]}")"
vip_on_vmac28() { nsx "$1" ip -o addr show dev vrrp.28 2>/dev/null | grep -w 10.77.0.201 >/dev/null; }
wait_for 5 "vmac_xmit_base: r1 master" vip_on_vmac28 r1
sleep 1
check "vmac_xmit_base: r2 stays backup" bash -c "! ip -n $P-r2 -o addr show dev vrrp.28 | grep -qw 10.77.0.201"
check "vmac_xmit_base: the client reaches the VIP" reach 10.77.0.201
stop_all

# --- use_vmac for IPv6 (00:00:5e:00:02:VRID) ---
VRID=29
readarray -t V6M < <(printf '%s\n' "use_vmac" "virtual_ipaddress {" "  fd00:77::229/64" "}")
start_vipd r1 "$(vrrp_conf r1 150 "${V3[@]}" "${V6M[@]}")"
start_vipd r2 "$(vrrp_conf r2 100 "${V3[@]}" "${V6M[@]}")"
vip6_on_vmac() { nsx "$1" ip -o addr show dev vrrp.29 2>/dev/null | grep -w fd00:77::229 >/dev/null; }
wait_for 5 "IPv6 VMAC: r1 master" vip6_on_vmac r1
sleep 1
check "IPv6 VMAC: the MAC is 00:00:5e:00:02:1d" bash -c "ip -n $P-r1 link show vrrp.29 | grep -q 00:00:5e:00:02:1d"
check "IPv6 VMAC: r2 stays backup" bash -c "! ip -n $P-r2 -o addr show dev vrrp.29 | grep -qw fd00:77::229"
check "IPv6 VMAC: the client reaches the VIP" reach fd00:77::229
stop_daemon r1 TERM
wait_for 3 "IPv6 VMAC: r2 takes over" vip6_on_vmac r2
check "IPv6 VMAC: failover" vip6_on_vmac r2
stop_all

# --- no_accept (Accept_Mode False): the non-owner master holds the VIP and answers ARP for
# it, but drops packets sent to it (nftables table inet vipd); the table goes on exit ---
VRID=20
start_vipd r1 "$(vrrp_conf r1 150 "${V3[@]}" "${VIP1[@]}" no_accept)"
wait_for 5 "no_accept: r1 master" has_addr r1 10.77.0.201
check "no_accept: the VIP is dropped (ping fails)" bash -c "! ip netns exec $P-c ping -c2 -W1 10.77.0.201 >/dev/null 2>&1"
check "no_accept: ARP for the VIP is still answered" bash -c "ip -n $P-c neigh show 10.77.0.201 | grep -Eq 'REACHABLE|STALE|DELAY'"
check "no_accept: the address is in the nftables set" bash -c "ip netns exec $P-r1 nft list set inet vipd no_accept4 | grep -q 10.77.0.201"
check "no_accept: the router's own address still answers" reach 10.77.0.1
stop_daemon r1 TERM
check "no_accept: the table is removed on exit" bash -c "! ip netns exec $P-r1 nft list table inet vipd >/dev/null 2>&1"

# --- virtual_routes / virtual_rules follow mastership ---
VRID=22
RT=("virtual_routes {" "  192.0.2.0/24 via 10.77.0.100 dev eth0" "  blackhole 198.51.100.0/24"
    "}" "virtual_rules {" "  from 10.77.0.201 table 100 priority 100" "}")
start_vipd r1 "$(vrrp_conf r1 150 "${V3[@]}" "${VIP1[@]}" "${RT[@]}")"
start_vipd r2 "$(vrrp_conf r2 100 "${V3[@]}" "${VIP1[@]}" "${RT[@]}")"
has_route() { ip -n "$P-$1" route show "$2" | grep . >/dev/null; }
has_rule() { ip -n "$P-$1" rule show | grep "from 10.77.0.201 lookup 100" >/dev/null; }
wait_for 5 "routes: r1 master" has_route r1 192.0.2.0/24
sleep 0.3
check "routes: the master has the route via the client" bash -c "ip -n $P-r1 route show 192.0.2.0/24 | grep -q 'via 10.77.0.100'"
check "routes: the master has the blackhole" bash -c "ip -n $P-r1 route show type blackhole | grep -q 198.51.100.0/24"
check "rules: the master has the rule" has_rule r1
check "routes: the backup has neither" bash -c "! ip -n $P-r2 route show 192.0.2.0/24 | grep -q . && ! ip -n $P-r2 rule show | grep -q 'lookup 100'"
stop_daemon r1 TERM
wait_for 3 "routes: r2 takes them over" has_route r2 192.0.2.0/24
check "routes: they move with the VIP" has_rule r2
check "routes: r1 removed them on exit" bash -c "! ip -n $P-r1 route show 192.0.2.0/24 | grep -q . && ! ip -n $P-r1 rule show | grep -q 'lookup 100'"
stop_all

# --- static_ipaddress / static_routes: there from startup whatever the state, gone at exit
VRID=23
conf=$(vrrp_conf r2 100 "${V3[@]}" "${VIP1[@]}")
{ echo "static_ipaddress {"; echo "  10.88.0.2/24 dev eth0"; echo "}"
  echo "static_routes {"; echo "  203.0.113.0/24 via 10.77.0.100"; echo "}"; } >>"$conf"
start_vipd r1 "$(vrrp_conf r1 150 "${V3[@]}" "${VIP1[@]}")"
wait_for 5 "r1 master" has_addr r1 10.77.0.201
start_vipd r2 "$conf"
wait_for 3 "static address on the backup" has_addr r2 10.88.0.2
check "static_ipaddress: set on a backup too" has_addr r2 10.88.0.2
check "static_routes: set on a backup too" bash -c "ip -n $P-r2 route show 203.0.113.0/24 | grep -q 'via 10.77.0.100'"
stop_all
check "static_*: removed at exit" bash -c "! ip -n $P-r2 addr show | grep -q 10.88.0.2 && ! ip -n $P-r2 route show 203.0.113.0/24 | grep -q ."

# --- -s NAME: started in the client's namespace, it enters the router's namespace itself
# (started from the client, not the root namespace, so that a daemon ignoring -s could
# never touch the host's interfaces) ---
VRID=24
ip netns exec "$P-c" "$VIPD" -n -l -G -s "$P-r1" -f "$(vrrp_conf r1 150 "${V3[@]}" "${VIP1[@]}")" \
  -p "$WORK/s.pid" >>"$WORK/r1.log" 2>&1 &
DAEMON_PIDS[r1]=$!
wait_for 5 "-s: master inside the namespace" has_addr r1 10.77.0.201
check "-s: the VIP is in the named namespace" has_addr r1 10.77.0.201
check "-s: and not in the namespace it was started from" bash -c "! ip -n $P-c -o addr show | grep -qw 10.77.0.201"
check "-s: logged" grep -q "running in network namespace $P-r1" "$WORK/r1.log"
stop_all

# --- vrrp_garp_interval spaces a burst: 3 GARPs, 50 ms apart, seen by the client ---
VRID=25
conf=$(vrrp_conf r1 150 "${V3[@]}" "${VIP1[@]}")
{ printf 'global_defs {\n  vrrp_garp_interval 0.05\n  vrrp_garp_master_repeat 3\n  vrrp_garp_master_delay 0\n}\n'
  cat "$conf"; } >"$conf.g" && mv "$conf.g" "$conf"
ip netns exec "$P-c" tcpdump -l -n -tt -i eth0 'arp and arp[6:2] = 1 and arp[14:4] = arp[24:4]' \
  >"$WORK/garp.txt" 2>/dev/null &
GPID=$!
sleep 0.5
start_vipd r1 "$conf"
wait_for 5 "garp: r1 master" has_addr r1 10.77.0.201
sleep 0.5
kill $GPID; wait $GPID 2>/dev/null
gaps=$(awk '/tell 10.77.0.201/ { if (n++) printf "%d ", ($1 - prev) * 1000; prev = $1 }' "$WORK/garp.txt")
echo "     GARP gaps (ms): $gaps"
check "vrrp_garp_interval: 3 GARPs" [ "$(grep -c 'tell 10.77.0.201' "$WORK/garp.txt")" -eq 3 ]
check "vrrp_garp_interval: spaced by about 50 ms" bash -c "for g in $gaps; do [ \$g -ge 45 ] && [ \$g -le 120 ] || exit 1; done"
stop_all

# --- mcast_dst_ip: both routers advertise to 224.0.0.99 and listen there ---
VRID=26
MC=("mcast_dst_ip 224.0.0.99")
start_vipd r1 "$(vrrp_conf r1 150 "${V3[@]}" "${VIP1[@]}" "${MC[@]}")"
start_vipd r2 "$(vrrp_conf r2 100 "${V3[@]}" "${VIP1[@]}" "${MC[@]}")"
wait_for 5 "mcast_dst_ip: r1 master" has_addr r1 10.77.0.201
check "mcast_dst_ip: one holder over 1 s" stays_holder r1 10.77.0.201 r1 r2
stop_all

# --- sd_notify: READY=1 at start, RELOADING=1 then READY=1 on SIGHUP, STOPPING=1 on exit;
# -r writes the VRRP pid file ---
VRID=27
/usr/bin/python3 -c '
import socket, sys, os
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); s.settimeout(10)
with open(sys.argv[2], "w", buffering=1) as out:
    while True:
        try: out.write(s.recv(512).decode() + "\n")
        except socket.timeout: break
' "$WORK/notify.sock" "$WORK/notify.txt" &
NPID=$!
wait_for 3 "notify socket" test -S "$WORK/notify.sock"
NOTIFY_SOCKET=$WORK/notify.sock ip netns exec "$P-r1" "$VIPD" -n -l -G \
  -f "$(vrrp_conf r1 150 "${V3[@]}" "${VIP1[@]}")" -p "$WORK/n.pid" -r "$WORK/n.vpid" \
  >>"$WORK/r1.log" 2>&1 &
DAEMON_PIDS[r1]=$!
wait_for 5 "READY=1" grep -q "READY=1" "$WORK/notify.txt"
check "-r: the VRRP pid file holds the daemon's pid" [ "$(cat "$WORK/n.vpid" 2>/dev/null)" = "${DAEMON_PIDS[r1]}" ]
kill -HUP "${DAEMON_PIDS[r1]}"
wait_for 3 "RELOADING=1" grep -q "RELOADING=1" "$WORK/notify.txt"
stop_all
wait_for 3 "STOPPING=1" grep -q "STOPPING=1" "$WORK/notify.txt"
check "sd_notify: READY, RELOADING, READY, STOPPING in order" \
  [ "$(tr '\n' ' ' <"$WORK/notify.txt")" = "READY=1 RELOADING=1 READY=1 STOPPING=1 " ]
check "-r: removed at exit" [ ! -e "$WORK/n.vpid" ]
kill $NPID 2>/dev/null; wait $NPID 2>/dev/null

# --- SIGHUP: a new VIP replaces the old; a broken config is refused ---
VRID=18
conf=$(vrrp_conf r1 150 "${V3[@]}" "${VIP1[@]}")
start_vipd r1 "$conf"
wait_for 5 "reload: r1 master" has_addr r1 10.77.0.201
vrrp_conf r1 150 "${V3[@]}" "virtual_ipaddress {" "  10.77.0.202/24" "}" >/dev/null
kill -HUP "${DAEMON_PIDS[r1]}"
wait_for 5 "reload: new VIP" has_addr r1 10.77.0.202
check "reload: the new VIP is up" has_addr r1 10.77.0.202
check "reload: the old VIP is gone" lacks_addr r1 10.77.0.201
echo "vrrp_instance VI_1 { priority banana }" >"$conf"
kill -HUP "${DAEMON_PIDS[r1]}"
wait_for 3 "broken reload refused" grep -q "Reload refused" "$WORK/r1.log"
check "broken reload: refused with the location" grep -q "r1.conf:1" "$WORK/r1.log"
check "broken reload: still master with its VIP" has_addr r1 10.77.0.202

# --- keepalived's state files ---
rm -f /tmp/keepalived.data /tmp/keepalived.json
kill -USR1 "${DAEMON_PIDS[r1]}"
kill -s "$("$VIPD" --signum=JSON)" "${DAEMON_PIDS[r1]}"
wait_for 3 "state files" test -s /tmp/keepalived.json
check "SIGUSR1: keepalived.data shows MASTER" grep -q "State = MASTER" /tmp/keepalived.data
check "JSON dump: parses, state 2 (MASTER)" /usr/bin/python3 -c \
  'import json,sys; d=json.load(open("/tmp/keepalived.json")); sys.exit(0 if d[0]["data"]["state"]==2 and d[0]["stats"]["advert_sent"]>0 else 1)'
stop_all
finish
