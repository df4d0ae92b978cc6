#!/usr/bin/env bash
# Connections that survive a director failover (issue 15): conntrackd managed by vipd.
#   client c --br0-- r1, r2 (directors: VRRP sync group of the outside VIP and the inside
#                    gateway VIP, nftables NAT to the real servers; a sync link eth2)
#                    --br1-- s1, s2 (a sink on port 9000 that counts what it gets)
# Eight connections stream 100 kB/s each through the VIP; the master director dies (its
# processes killed, its links down) in the middle, the backup takes over. Cases:
#   vipd alone                 the backup has no state of those connections
#   vipd + conntrack_sync      conntrackd (run by vipd) shares the state; the new master
#                              commits it before its VIPs come up
#   keepalived + conntrackd    the usual wiring: VRRP by keepalived 2.2.7, the same nftables
#                              rules loaded by hand, conntrackd -c from notify_master
# Asserted for vipd + conntrack_sync: every connection survives, no byte lost, the VIPs came
# after the commit. The other cases' figures are printed.
# vipctl status shows what conntrackd was told and the commit the VIPs waited for.
#   tests/netns/conntrack_test.sh VIPD VIPCTL
VIPD=$(realpath "$1")
VIPCTL=$(realpath "$2")
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lb_lib.sh"
STREAM="/usr/bin/python3 $(dirname "$(realpath "$0")")/stream.py"
CONNS=8
SECS=6
RATE=100000
BIG=60000

build() {
  netns_lan 2
  segment 1 r1 r2
  segment 2 r1 r2
  for r in r1 r2; do
    nsx $r sysctl -qw net.ipv4.ip_forward=1
  done
  chmod 711 "$WORK"
  real_server s1 11
  real_server s2 12
  # The client and the real servers take the new master's GARPs at once (Linux ignores a
  # GARP for an address whose entry changed less than locktime, 1 s, ago): their packets
  # reach the new master as soon as it announces the VIPs, the race keepalived issue #2254
  # is about.
  for h in c s1 s2; do nsx $h sysctl -qw net.ipv4.neigh.eth0.locktime=0; done
  for s in s1 s2; do
    rm -f "$WORK/sink-$s.log"
    ip netns exec "$P-$s" $STREAM serve 9000 "$WORK/sink-$s.log" >>"$WORK/sink-$s.out" 2>&1 &
    SERVER_PIDS+=($!)
  done
}

teardown() {
  for ns in "${!DAEMON_PIDS[@]}"; do stop_daemon "$ns" KILL; done
  cleanup_servers
  SERVER_PIDS=()
  for ns in $(ip netns list | awk '{print $1}' | grep "^$P-"); do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
    ip netns del "$ns"
  done
  rm -f "$WORK"/ctd-*.lock  # conntrackd killed leaves its lock
}

# conntrackd_conf NAME: the director's conntrackd.conf (FTFW over UDP on eth2); prints its path.
conntrackd_conf() {
  local k=${1#r} peer=$(( 3 - ${1#r} ))
  cat >"$WORK/ctd-$1.conf" <<CONF
Sync {
  Mode FTFW {
  }
  UDP {
    IPv4_address 10.79.0.$k
    IPv4_Destination_Address 10.79.0.$peer
    Port 3780
    Interface eth2
    Checksum on
  }
}
General {
  HashSize 8192
  HashLimit 262144
  LogFile $WORK/ctd-$1.log
  Syslog off
  LockFile $WORK/ctd-$1.lock
  UNIX {
    Path $WORK/ctd-$1.ctl
  }
  NetlinkBufferSize 2097152
  NetlinkBufferSizeMaxGrowth 8388608
  Filter From Userspace {
    Protocol Accept {
      TCP
    }
    Address Ignore {
      IPv4_address 127.0.0.1
      IPv4_address 10.77.0.$k
      IPv4_address 10.78.0.$k
      IPv4_address 10.79.0.$k
    }
  }
}
CONF
  echo "$WORK/ctd-$1.conf"
}

# vrrp_part NAME PRIORITY [NOTIFY]: the sync group and its two instances.
vrrp_part() {
  cat <<CONF
vrrp_sync_group G {
  group {
    OUT
    IN
  }
  ${3:-}
}
vrrp_instance OUT {
  interface eth0
  virtual_router_id 10
  priority $2
  advert_int 0.1
  virtual_ipaddress {
    $VIP/24
  }
}
vrrp_instance IN {
  interface eth1
  virtual_router_id 11
  priority $2
  advert_int 0.1
  virtual_ipaddress {
    10.78.0.254/24
  }
}
CONF
}

# vipd_conf NAME PRIORITY SYNC: prints the path.
vipd_conf() {
  local sync=""
  [ "$3" = 1 ] && sync="conntrack_sync OUT config $(conntrackd_conf "$1") timeout 2"
  cat >"$WORK/$1.conf" <<CONF
global_defs {
  router_id $1
  vrrp_version 3
  $sync
}
$(vrrp_part "$1" "$2")
virtual_server $VIP 9000 {
  delay_loop 1
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server 10.78.0.11 9000 {
    TCP_CHECK {
      connect_timeout 1
    }
  }
  real_server 10.78.0.12 9000 {
    TCP_CHECK {
      connect_timeout 1
    }
  }
}
CONF
  echo "$WORK/$1.conf"
}

# The keepalived case: keepalived has no nftables load balancer; its users on such a kernel
# write the NAT themselves: a new connection to either real server at random (a sequential
# numgen would map the connections a new master picks up mid-stream in the order they were
# first mapped, which hides the missing state by luck).
ka_nat() {
  nsx "$1" nft -f - <<NFT
table ip ka_lb {
  chain pre {
    type nat hook prerouting priority dstnat; policy accept;
    ip daddr $VIP tcp dport 9000 dnat to numgen random mod 2 map { 0 : 10.78.0.11, 1 : 10.78.0.12 }
  }
}
NFT
}
keepalived_conf() {  # keepalived_conf NAME PRIORITY: notify scripts as conntrackd's example
  cat >"$WORK/ka-notify-$1.sh" <<SH
#!/bin/sh
C="conntrackd -C $WORK/ctd-$1.conf"
case "\$1" in
  primary) \$C -c; \$C -f; \$C -R; \$C -B ;;
  backup) \$C -t; \$C -n ;;
  fault) \$C -t ;;
esac
SH
  chmod 755 "$WORK/ka-notify-$1.sh"
  cat >"$WORK/$1.conf" <<CONF
global_defs {
  router_id $1
  vrrp_version 3
  enable_script_security
  script_user root
}
$(vrrp_part "$1" "$2" "notify_master \"$WORK/ka-notify-$1.sh primary\"
  notify_backup \"$WORK/ka-notify-$1.sh backup\"
  notify_fault \"$WORK/ka-notify-$1.sh fault\"")
CONF
  echo "$WORK/$1.conf"
}

established() {  # established NS: connections to port 9000 in NS's conntrack table
  nsx "$1" conntrack -L -p tcp --dport 9000 --state ESTABLISHED 2>/dev/null | grep -c dport=9000
}
external() {  # external NS: connections to port 9000 in NS's conntrackd external cache
  nsx "$1" conntrackd -C "$WORK/ctd-$1.conf" -e 2>/dev/null | grep -c dport=9000
}
no_conntrackd() { ! ip netns pids "$P-$1" | xargs -r ps -o comm= -p | grep -w conntrackd; }
reaches_sink() { nsx c bash -c "exec 3<>/dev/tcp/$VIP/9000" 2>/dev/null; }

# run_case NAME DAEMON SYNC [BIG]: the transfer's JSON summary in $WORK/NAME.json. BIG:
# that many other (half-open) connections tracked by r1 and shared with r2 first, so that
# the commit takes a while, as on a busy director.
run_case() {
  local name=$1 daemon=$2 sync=$3 big=${4:-0}
  build
  nsx c ip route add 10.99.0.0/16 via $VIP
  for r in r1 r2; do nsx $r ip route add 10.99.0.0/16 via 10.78.0.250; done
  if [ "$daemon" = vipd ]; then
    start_vipd r1 "$(vipd_conf r1 150 "$sync")"
    start_vipd r2 "$(vipd_conf r2 100 "$sync")"
  else
    for r in r1 r2; do
      conntrackd_conf $r >/dev/null
      nsx $r conntrackd -C "$WORK/ctd-$r.conf" -d
      ka_nat $r
    done
    start_keepalived r1 "$(keepalived_conf r1 150)"
    start_keepalived r2 "$(keepalived_conf r2 100)"
  fi
  wait_for 5 "r1 holds the VIP" has_addr r1 $VIP
  wait_for 10 "the sink answers through the VIP" reaches_sink
  if [ "$big" -gt 0 ]; then
    local t
    t=$(now_ms)
    nsx c $STREAM syns 10.77.0.100 10.99 "$big"
    wait_for 60 "r2's conntrackd has the $big others" bash -c "[ \$(ip netns exec $P-r2 conntrackd -C $WORK/ctd-r2.conf -s cache 2>/dev/null | awk '/^cache:external/ {print \$NF}') -ge $big ]"
    echo "     $name: $big other connections tracked by r1 and shared with r2 in $(( $(now_ms) - t )) ms"
  fi
  nsx c $STREAM send $VIP 9000 $CONNS $SECS $RATE "$WORK/sink-s1.log" "$WORK/sink-s2.log" \
    >"$WORK/$name.json" 2>>"$WORK/$name.err" &
  local client=$!
  wait_for 5 "r1 forwards the $CONNS connections" bash -c "[ \$(ip netns exec $P-r1 conntrack -L -p tcp --dport 9000 --state ESTABLISHED 2>/dev/null | grep -c dport=9000) -ge $CONNS ]"
  if [ "$daemon" = vipd ] && [ "$sync" = 1 ]; then
    check "$name: vipctl status on r2: conntrackd running, told BACKUP" \
      bash -c "$VIPCTL -S $WORK/r2.sock status | grep 'conntrack_sync: follows OUT, told BACKUP, conntrackd running' >/dev/null"
  fi
  if [ "$sync" = 1 ]; then
    check "$name: r2's conntrackd has r1's $CONNS connections" \
      wait_for 5 "r2's external cache" bash -c "[ \$(ip netns exec $P-r2 conntrackd -C $WORK/ctd-r2.conf -e 2>/dev/null | grep -c dport=9000) -ge $CONNS ]"
  fi
  sleep 1.5  # the transfers run a while through r1
  # r1 dies: every process in it killed, its links down.
  ip netns pids "$P-r1" | xargs -r kill -9
  for i in eth0 eth1 eth2; do nsx r1 ip link set $i down; done
  local t0 now
  t0=$(now_ms)
  wait_for 5 "r2 holds the VIP" has_addr r2 $VIP
  now=$(now_ms)
  echo "     $name: r2 took the VIP $((now - t0)) ms after r1 died"
  wait "$client"
  echo "     $name: $(cat "$WORK/$name.json")"
  unset "DAEMON_PIDS[r1]"
  if [ "$daemon" = vipd ] && [ "$sync" = 1 ]; then
    "$VIPCTL" -S "$WORK/r2.sock" status | grep conntrack_sync | sed 's/^/     r2: /'
    check "$name: vipctl status on r2: told MASTER" \
      bash -c "$VIPCTL -S $WORK/r2.sock status | grep 'told MASTER, conntrackd running' >/dev/null"
    stop_daemon r2
    check "$name: vipd's stop stopped its conntrackd" no_conntrackd r2
  fi
  teardown
}

figure() {  # figure JSON KEY
  /usr/bin/python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"
}

run_case vipd vipd 0
alone=$(cat "$WORK/vipd.json")
run_case vipd-sync vipd 1 $BIG
synced=$(cat "$WORK/vipd-sync.json")
grep -h "conntrack_sync" "$WORK/r2.log" | sed 's/^/     r2: /'
check "vipd + conntrack_sync: all $CONNS connections survive" \
  [ "$(figure "$synced" survived)" = "$CONNS" ]
check "vipd + conntrack_sync: no byte lost" [ "$(figure "$synced" lost)" = 0 ]
check "vipd + conntrack_sync: r2's VIPs came after the commit" \
  grep -q "committed in .* ms; adding the VIPs" "$WORK/r2.log"
run_case keepalived keepalived 1 $BIG
ka=$(cat "$WORK/keepalived.json")

echo "     connections surviving the failover / bytes lost ($CONNS x ${RATE} B/s for ${SECS} s):"
for c in "vipd alone:$alone" "vipd + conntrack_sync:$synced" "keepalived + conntrackd (notify):$ka"; do
  j=${c#*:}
  printf "     %-34s survived %s/%s reset %s stalled %s lost %s of %s bytes\n" "${c%%:*}" \
    "$(figure "$j" survived)" "$CONNS" "$(figure "$j" reset)" "$(figure "$j" stalled)" \
    "$(figure "$j" lost)" "$(figure "$j" sent)"
done
finish
