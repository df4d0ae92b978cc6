#!/usr/bin/env bash
# Three vipd routers and a client on a bridge (VRRPv3, 100 ms): election, the client's
# outage when the master is killed, stopped and cut off, preemption on return, FAULT on
# link loss, and a VIP removed by hand is restored.
#   tests/netns/failover_test.sh VIPD
VIPD=$(realpath "$1")
source "$(dirname "$0")/lib.sh"
VIP=10.77.0.200
netns_lan 3
V3=("version 3" "advert_int 0.1" "virtual_ipaddress {" "  $VIP/24" "}")
start_vipd r1 "$(vrrp_conf r1 150 "${V3[@]}")"
start_vipd r2 "$(vrrp_conf r2 100 "${V3[@]}")"
start_vipd r3 "$(vrrp_conf r3 50 "${V3[@]}")"

wait_for 5 "r1 holds the VIP" has_addr r1 $VIP
check "election by priority: only r1 holds the VIP" [ "$(holders $VIP r1 r2 r3)" = r1 ]
check "the client reaches the VIP" reach $VIP

# Master_Down_Interval for r2 (priority 100, 100 ms): 300 + 60.9 ms. Margin: 250 ms for
# scheduling, the client's ARP update and the ping interval.
bound=$((361 + 250))
ping_start $VIP
sleep 0.5
t_kill=$(now_ms)
stop_daemon r1 KILL
wait_for 3 "r2 takes over after kill -9" has_addr r2 $VIP
sleep 0.5
gap=$(ping_stop_gap_ms)
takeover=$(( $(log_ms "$WORK/r2.log" "Entering MASTER STATE" "$t_kill") - t_kill ))
echo "     kill -9 of the master: r2 master after ${takeover} ms (bound ${bound} ms); client outage ${gap} ms"
check "kill -9: takeover within the protocol bound" [ "$takeover" -le "$bound" ]
# A killed daemon cannot remove its addresses (keepalived's too): r1 keeps a stale copy
# until vipd starts there again and clears it.
check "kill -9: r2 holds the VIP, r3 does not" [ "$(holders $VIP r2 r3)" = r2 ]
check "kill -9: outage within the protocol bound" [ "$gap" -le "$bound" ]

start_vipd r1 "$WORK/r1.conf"
wait_for 2 "r1 clears its stale VIP at startup" grep -q "stale" "$WORK/r1.log"
check "restart: the stale VIP was removed before the election" grep -q "removing stale" "$WORK/r1.log"
wait_for 5 "r1 preempts on return" has_addr r1 $VIP
wait_for 2 "r2 releases" lacks_addr r2 $VIP
check "r1 back: preempted, sole holder" [ "$(holders $VIP r1 r2 r3)" = r1 ]

# A graceful stop sends priority 0: r2 takes over after its Skew_Time (61 ms).
ping_start $VIP
sleep 0.5
t_stop=$(now_ms)
stop_daemon r1 TERM
wait_for 3 "r2 takes over after SIGTERM" has_addr r2 $VIP
sleep 0.5
gap=$(ping_stop_gap_ms)
takeover=$(( $(log_ms "$WORK/r2.log" "Entering MASTER STATE" "$t_stop") - t_stop ))
echo "     SIGTERM of the master: r2 master after ${takeover} ms; client outage ${gap} ms"
check "SIGTERM: r1 left nothing behind" lacks_addr r1 $VIP
check "SIGTERM: outage below Master_Down_Interval" [ "$gap" -le 361 ]
check "SIGTERM: r1 logged its priority-0 release" grep -q "released with priority 0" "$WORK/r1.log"

# Cut r2 off the switch: its carrier drops, it goes FAULT; r3 takes over.
ping_start $VIP
sleep 0.5
t_cut=$(now_ms)
nsx sw ip link set p-r2 down
wait_for 3 "r3 takes over when r2 is cut off" has_addr r3 $VIP
sleep 0.5
gap=$(ping_stop_gap_ms)
bound3=$((300 + 80 + 250))  # r3, priority 50: skew 80 ms
takeover=$(( $(log_ms "$WORK/r3.log" "Entering MASTER STATE" "$t_cut") - t_cut ))
echo "     master cut off: r3 master after ${takeover} ms; client outage ${gap} ms (bound ${bound3} ms)"
check "cut: outage within the protocol bound" [ "$gap" -le "$bound3" ]
wait_for 2 "r2 enters FAULT" grep -q "Entering FAULT STATE" "$WORK/r2.log"
check "cut: r2 in FAULT released the VIP" lacks_addr r2 $VIP
nsx sw ip link set p-r2 up
wait_for 5 "r2 preempts r3 when its link returns" has_addr r2 $VIP
wait_for 2 "r3 releases" lacks_addr r3 $VIP
check "link back: r2 sole holder again" [ "$(holders $VIP r2 r3)" = r2 ]

# An operator (or another tool) deletes the VIP on the master: it comes back.
nsx r2 ip addr del $VIP/24 dev eth0
wait_for 2 "the VIP is restored on r2" has_addr r2 $VIP
check "VIP removed by hand is restored" grep -q "restoring it" "$WORK/r2.log"

stop_daemon r2 TERM
stop_daemon r3 TERM
check "after SIGTERM of all: no VIP anywhere" [ -z "$(holders $VIP r1 r2 r3)" ]
finish
