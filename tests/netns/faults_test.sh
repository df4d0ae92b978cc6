#!/usr/bin/env bash
# Faults from issue 17 that hurt keepalived users, each asserted with a deadline:
#  - after a partition heals, the client's ARP entry names the rightful master again within
#    a few advert intervals, whichever side hears the other first (five heals); the same
#    heals with higher_prio_send_advert off (keepalived's default) and with keepalived 2.2.7
#    itself are printed for contrast ("stale": still the former master's MAC after 2 s);
#  - hung notify scripts: bounded by notify_script_timeout, and nothing of them (nor their
#    children) is left after vipd stops;
#  - a flood of garbage VRRP packets: no transition, drops counted by reason; 100 SIGHUPs in
#    a second and a broken reload: adverts as due, no transition (keepalived printed for
#    contrast in both); kill -9 of the master and a restart: one holder in the end; 30%
#    loss of VRRP packets for 30 s and the master's link flapping for 10 s: counted side
#    by side with keepalived, one rightful holder once they stop;
#  - a vrrp_script that leaves daemons behind (adopted, reaped, stopped with vipd) and checkers
#    whose target never answers: adverts as due, nothing accumulates, nothing left after stop;
#  - no descriptor left (the open-files limit lowered at run time; a start under a low one);
#  - CPU starvation: busy loops on the routers' core, at normal and at real-time priority;
#  - one control socket and one pid file per daemon.
#   tests/netns/faults_test.sh VIPD
set -uo pipefail
VIPD=$(realpath "$1")
P=vfl$$
source "$(dirname "$0")/lib.sh"
netns_lan 2
VIP=10.77.0.201
V3=("version 3" "advert_int 0.1")
VIPS=("virtual_ipaddress {" "  $VIP/24" "}")
stop_all() { stop_daemon r1 TERM; stop_daemon r2 TERM; }
mac_of() { nsx "$1" cat /sys/class/net/eth0/address; }
client_mac() { nsx c ip neigh show "$VIP" | awk '{print $5}'; }
client_at() { nsx c ping -c1 -W1 "$VIP" >/dev/null 2>&1; [ "$(client_mac)" = "$1" ]; }
client_names() { [ "$(client_mac)" = "$1" ]; }
M1=$(mac_of r1)
M2=$(mac_of r2)

partition() {
  nsx sw nft -f - <<'NFT'
table bridge vfl_part {
  chain cut { type filter hook forward priority 0; iifname "p-r1" drop; oifname "p-r1" drop; }
}
NFT
}
heal() { nsx sw nft delete table bridge vfl_part; }

# heals N EXTRA...: N partitions of the master, each healed once the client has moved to r2;
# prints the milliseconds until the client named r1 again (or "stale" after 2 s).
START=start_vipd
heals() {
  local n=$1; shift
  $START r1 "$(vrrp_conf r1 150 "${V3[@]}" "${VIPS[@]}" "$@")"
  $START r2 "$(vrrp_conf r2 100 "${V3[@]}" "${VIPS[@]}" "$@")"
  wait_for 5 "r1 master" holder_is r1 $VIP r1 r2 || return 1
  wait_for 3 "client on r1" client_at "$M1" || return 1
  local k t
  for k in $(seq "$n"); do
    partition
    wait_for 3 "r2 takes over" has_addr r2 $VIP || return 1
    wait_for 3 "client on r2" client_at "$M2" || return 1
    # The kernel keeps a fresh ARP entry for locktime (1 s) against updates: let it age.
    sleep 1.2
    t=$(now_ms)
    heal
    if wait_for 2 "client back on r1" client_names "$M1" 2>/dev/null; then
      echo -n "$(( $(now_ms) - t )) "
    else
      echo -n "stale "
    fi
    wait_for 3 "r2 yields" lacks_addr r2 $VIP || return 1
  done
  stop_all
}

vipd_heals=$(heals 5)
echo "     vipd (default): client back on the rightful master after each heal, ms: $vipd_heals"
worst=0 stale=0
for x in $vipd_heals; do
  if [ "$x" = stale ]; then stale=$((stale + 1)); elif [ "$x" -gt "$worst" ]; then worst=$x; fi
done
all_heals() { [ "$(wc -w <<<"$vipd_heals")" -eq 5 ] && [ "$stale" -eq 0 ]; }
check "split brain heals: the client names the rightful master again after all 5 heals" all_heals
# One advert interval (100 ms) to hear the other side, plus the GARP: 3 intervals of margin
# for a sanitizer build on a shared machine.
check "split brain heals: ... within 300 ms each (worst $worst ms)" [ "$worst" -le 300 ]
off_heals=$(heals 5 "higher_prio_send_advert false")
echo "     vipd with higher_prio_send_advert false (keepalived's default), ms: $off_heals"
ka_heals=$(START=start_keepalived heals 5)
echo "     keepalived 2.2.7, the same heals, ms: $ka_heals"

# ---------------------------------------------------------------- hung notify scripts
cat >"$WORK/hang.sh" <<'SH'
#!/bin/sh
# A notify script that never returns and has a child of its own.
sleep 1001 &
exec sleep 1002
SH
chmod 755 "$WORK/hang.sh"
hung() { pgrep -f "sleep 100[12]" | wc -l; }
hang_conf() {  # hang_conf TIMEOUT: three instances whose notify_master hangs
  {
    echo "global_defs {"
    echo "  notify_script_timeout $1"
    echo "}"
    for k in 1 2 3; do
      echo "vrrp_instance VI_$k {"
      echo "  interface eth0"
      echo "  virtual_router_id $((40 + k))"
      echo "  priority 150"
      echo "  version 3"
      echo "  advert_int 0.1"
      echo "  notify_master $WORK/hang.sh"
      echo "  virtual_ipaddress {"
      echo "    10.77.0.$((210 + k))/24"
      echo "  }"
      echo "}"
    done
  } >"$WORK/hang-$1.conf"
  echo "$WORK/hang-$1.conf"
}
six() { [ "$(hung)" -eq 6 ]; }
none() { [ "$(hung)" -eq 0 ]; }
start_vipd r1 "$(hang_conf 60)"
check "hung notify scripts: three notify_master scripts and their children run" \
  wait_for 5 "six processes" six
t=$(now_ms)
stop_daemon r1 TERM
took=$(( $(now_ms) - t ))
check "hung notify scripts: none of them, nor their children, is left after stop" none
echo "     vipd stopped in $took ms (the scripts get 5 s, then their process groups are killed)"
check "hung notify scripts: the stop is bounded (under 8 s)" [ "$took" -lt 8000 ]
pkill -9 -f "sleep 100[12]" 2>/dev/null
: >"$WORK/r1.log"
start_vipd r1 "$(hang_conf 1)"
wait_for 5 "six processes" six
check "hung notify scripts: notify_script_timeout 1 kills them while vipd runs" \
  wait_for 5 "killed" none
check "hung notify scripts: the timeout is logged" grep -aiq "notify_master timed out" "$WORK/r1.log"
check "hung notify scripts: vipd still runs" kill -0 "${DAEMON_PIDS[r1]}"
stop_daemon r1 TERM
pkill -9 -f "sleep 100[12]" 2>/dev/null

# ---------------------------------------------------------------- garbage flood
# 10,000 garbage IP protocol 112 packets per second for 10 s from the client: random bytes,
# another VRID, and adverts for the routers' own VRID at priority 254 with TTL 64, a bad
# checksum or the wrong version (tests/netns/vrrp_flood.py). Accepting any of the last
# three would move mastership. Asserted for vipd: no transition, the master keeps the VIP,
# drops counted by reason; keepalived 2.2.7 in the same flood is printed for contrast.
# pair START_FN: fresh logs, r1 (priority 150) and r2 (100) started with START_FN, and r1
# master; fails otherwise.
pair() {
  : >"$WORK/r1.log"
  : >"$WORK/r2.log"
  $1 r1 "$(vrrp_conf r1 150 "${V3[@]}" "${VIPS[@]}")"
  $1 r2 "$(vrrp_conf r2 100 "${V3[@]}" "${VIPS[@]}")"
  wait_for 5 "r1 master" holder_is r1 $VIP r1 r2 >/dev/null
}
transitions() { cat "$WORK/r1.log" "$WORK/r2.log" 2>/dev/null | grep -ac "Entering"; }
drops_of() {  # drops_of NS: the instance's drop counters by reason, as JSON
  echo '{"v":1,"cmd":"show","instance":"VI_1"}' | socat -t 2 - "UNIX-CONNECT:$WORK/$1.sock" |
    /usr/bin/python3 -c "import json,sys; print(json.dumps(json.load(sys.stdin)['result']['counters']['drops'], sort_keys=True))"
}
flood_run() {  # flood_run START_FN: "SENT TRANSITIONS HOLDERS" (and drops.json for vipd)
  pair "$1" || { echo "0 - none"; stop_all; return; }
  sleep 0.5
  local before sent
  before=$(transitions)
  sent=$(nsx c /usr/bin/python3 "$(dirname "$0")/vrrp_flood.py" 10.77.0.100 77 10 10000)
  sleep 0.5
  [ "$1" = start_vipd ] && drops_of r2 >"$WORK/drops.json" 2>/dev/null
  echo "$sent $(( $(transitions) - before )) $(holders $VIP r1 r2 | tr ' ' ,)"
  stop_all
}
read -r sent moved held <<<"$(flood_run start_vipd)"
echo "     vipd: $sent garbage packets in 10 s: $moved transition(s), VIP on ${held:-nobody}; r2's drops: $(cat "$WORK/drops.json" 2>/dev/null)"
check "garbage flood: about 10,000 packets a second were sent" [ "${sent:-0}" -ge 90000 ]
check "garbage flood: no transition on either router" [ "$moved" = 0 ]
check "garbage flood: the master kept the VIP, alone" [ "$held" = r1 ]
# Each kind that claims VI_1's VRID is a fifth of the flood: TTL 64, a bad checksum, and a
# VRRPv2 header (too short for VRRPv2's authentication data).
check "garbage flood: drops counted by reason (ttl, checksum, too_short)" /usr/bin/python3 -c "
import json; d = json.load(open('$WORK/drops.json'))
assert all(d.get(r, 0) >= 15000 for r in ('ttl', 'checksum', 'too_short')), d"
read -r ka_sent ka_moved ka_held <<<"$(flood_run start_keepalived)"
echo "     keepalived 2.2.7, the same flood: $ka_sent packets: $ka_moved transition(s), VIP on ${ka_held:-nobody}"

# ---------------------------------------------------------------- 100 SIGHUPs, a broken reload
# 100 SIGHUPs within about a second, then a reload with a broken file: the master's adverts
# leave as due (10 a second, counted on the wire by the client over 4 s), no transition,
# the daemon lives and keeps the running configuration. keepalived printed for contrast.
hup_run() {  # hup_run START_FN: "ADVERTS TRANSITIONS ALIVE"
  pair "$1" || { echo "0 - no"; stop_all; return; }
  sleep 0.5
  local before td k alive=yes
  before=$(transitions)
  nsx c timeout 4 tcpdump -i eth0 -n -l 'ip proto 112 and src 10.77.0.1' >"$WORK/hup.txt" 2>/dev/null &
  td=$!
  sleep 0.2
  for k in $(seq 100); do kill -HUP "${DAEMON_PIDS[r1]}"; sleep 0.01; done
  wait "$td"
  cp "$WORK/r1.conf" "$WORK/r1.good"
  echo "vrrp_instance VI_1 { priority banana }" >"$WORK/r1.conf"
  kill -HUP "${DAEMON_PIDS[r1]}"
  sleep 1
  kill -0 "${DAEMON_PIDS[r1]}" 2>/dev/null || alive=no
  has_addr r1 $VIP || alive=no
  cp "$WORK/r1.good" "$WORK/r1.conf"
  echo "$(wc -l <"$WORK/hup.txt") $(( $(transitions) - before )) $alive"
  stop_all
}
read -r adverts moved alive <<<"$(hup_run start_vipd)"
echo "     vipd: 100 SIGHUPs in ~1 s, then a broken reload: $adverts adverts in 4 s, $moved transition(s), alive and master: $alive"
check "100 SIGHUPs: the adverts left as due (36 to 44 in 4 s)" \
  bash -c "[ ${adverts:-0} -ge 36 ] && [ ${adverts:-0} -le 44 ]"
check "100 SIGHUPs and a broken reload: no transition" [ "$moved" = 0 ]
check "a broken reload: refused at its line, the daemon lives and keeps the VIP" \
  bash -c "[ $alive = yes ] && grep -aq 'r1.conf:1:.*banana' $WORK/r1.log && grep -aq 'Reload refused' $WORK/r1.log"
read -r ka_adverts ka_moved ka_alive <<<"$(hup_run start_keepalived)"
echo "     keepalived 2.2.7, the same: $ka_adverts adverts in 4 s, $ka_moved transition(s), alive and master: $ka_alive"

# ---------------------------------------------------------------- kill -9 and restart
# The master's daemon is killed with -9 (its VIP stays on its interface: nobody is left to
# remove it) and started again with the same configuration: in the end exactly one router
# holds the VIP, once, and the client's ARP entry names it.
pair start_vipd
stop_daemon r1 KILL
wait_for 3 "r2 takes over" has_addr r2 $VIP
start_vipd r1 "$(vrrp_conf r1 150 "${V3[@]}" "${VIPS[@]}")"
wait_for 5 "r1 back, alone" holder_is r1 $VIP r1 r2
sleep 1  # settled: a second holder would show now
check "kill -9 and restart: exactly one router holds the VIP (r1, preempting)" holder_is r1 $VIP r1 r2
check "kill -9 and restart: the VIP is on r1 once" \
  bash -c "[ \$(ip -n $P-r1 -o addr show dev eth0 | grep -cw $VIP) -eq 1 ]"
check "kill -9 and restart: the client's ARP entry names r1" client_at "$M1"
stop_all
check "kill -9 and restart: after stop no VIP is left anywhere" \
  bash -c "! ip -n $P-r1 -o addr | grep -qw $VIP && ! ip -n $P-r2 -o addr | grep -qw $VIP"

# ---------------------------------------------------------------- 30% loss, link flaps
# 30% of the VRRP packets dropped at random on the switch for 30 s: holder changes and the
# time with two holders are counted (sampled every 50 ms) and printed, vipd and keepalived
# side by side; no pass/fail on them (flaps under loss are the protocol's), but once the
# loss stops, exactly one router (the rightful master) must hold the VIP and the client's
# ARP entry must name it. The same for the master's link flapping every 100 ms for 10 s.
lossy() {  # lossy on|off
  if [ "$1" = on ]; then
    nsx sw nft -f - <<'NFT'
table bridge vfl_loss {
  chain lose { type filter hook forward priority 0; ip protocol 112 numgen random mod 100 < 30 drop; }
}
NFT
  else
    nsx sw nft delete table bridge vfl_loss
  fi
}
flap() {  # flap SECONDS: r1's link down 100 ms, up 100 ms, ...
  local end=$(( $(now_ms) + $1 * 1000 ))
  while [ "$(now_ms)" -lt "$end" ]; do
    nsx r1 ip link set eth0 down; sleep 0.1
    nsx r1 ip link set eth0 up; sleep 0.1
  done
}
# sample SECONDS: every 50 ms who holds the VIP; prints "CHANGES MS_WITH_TWO".
sample() {
  local end=$(( $(now_ms) + $1 * 1000 )) last="" now changes=0 two=0
  while [ "$(now_ms)" -lt "$end" ]; do
    now=$(holders $VIP r1 r2)
    [ -n "$last" ] && [ "$now" != "$last" ] && changes=$((changes + 1))
    [ "$now" = "r1 r2" ] && two=$((two + 50))
    last=$now
    sleep 0.05
  done
  echo "$changes $two"
}
disturbed() {  # disturbed START_FN loss|flap: "CHANGES MS_WITH_TWO ONE_MS ARP_MS ALIVE"
  pair "$1" || { echo "- - - - no"; stop_all; return; }
  local counts t one=none arp=none alive=yes flapper
  if [ "$2" = loss ]; then
    lossy on
    counts=$(sample 30)
    lossy off
  else
    flap 10 &
    flapper=$!
    counts=$(sample 10)
    wait "$flapper"
    nsx r1 ip link set eth0 up
  fi
  t=$(now_ms)
  wait_for 3 "one rightful holder" holder_is r1 $VIP r1 r2 >/dev/null 2>&1 && one=$(( $(now_ms) - t ))
  # The client's kernel ignores a gratuitous ARP within locktime (1 s) of the entry's last
  # change: under flaps the master's first burst can be lost, and the next one is
  # garp_master_delay (5 s) later, in keepalived as in vipd.
  wait_for 8 "the client's ARP on r1" client_at "$M1" >/dev/null 2>&1 && arp=$(( $(now_ms) - t ))
  kill -0 "${DAEMON_PIDS[r1]}" 2>/dev/null && kill -0 "${DAEMON_PIDS[r2]}" 2>/dev/null || alive=no
  echo "$counts $one $arp $alive"
  stop_all
}
for fault in loss flap; do
  read -r changes two one arp alive <<<"$(disturbed start_vipd $fault)"
  read -r ka_changes ka_two ka_one ka_arp ka_alive <<<"$(disturbed start_keepalived $fault)"
  echo "     $fault: vipd $changes holder changes, ${two} ms with two holders; after: one holder in ${one} ms, the client's ARP in ${arp} ms | keepalived 2.2.7: $ka_changes changes, ${ka_two} ms with two; one holder in ${ka_one} ms, ARP in ${ka_arp} ms"
  check "$fault: once it stops, r1 alone holds the VIP within 3 s" [ "$one" != none ]
  check "$fault: ... and the client's ARP entry names it within garp_master_delay (5 s) + 3 s" \
    [ "$arp" != none ]
  check "$fault: both daemons live" [ "$alive" = yes ]
done

# ---------------------------------------------------------------- left behind, never answering
# A vrrp_script run every second that starts a daemon out of its process group (setsid)
# unless one runs, and a short-lived one each time; and two checkers (HTTP_GET, SSL_GET)
# whose target accepts connections and never answers. Over 8 s: r1's adverts leave as due,
# no transition, no zombie of ours outlives a scan (one a second), vipd's descriptors do not
# grow, the real servers go DOWN and stay checked; after stop nothing the script started is
# left, nor a VIP or an nftables table. keepalived (the VRRP part) printed for contrast.
cat >"$WORK/forker.sh" <<'SH'
#!/bin/sh
# Starts a daemon unless one runs, and a short-lived one each time; both leave this script's
# process group (setsid) before it exits.
pgrep -f "sleep 1003" >/dev/null || setsid sleep 1003 </dev/null >/dev/null 2>&1 &
setsid sleep 0.3 </dev/null >/dev/null 2>&1 &
sleep 0.2
exit 0
SH
chmod 755 "$WORK/forker.sh"
cat >"$WORK/mute.py" <<'PY'
# Accepts connections on 8080 and 8443 and never answers (nor closes them); a line each.
import selectors, socket, sys
sel, held = selectors.DefaultSelector(), []
for port in (8080, 8443):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("10.77.0.100", port))
    s.listen(128)
    sel.register(s, selectors.EVENT_READ)
while True:
    for key, _ in sel.select():
        held.append(key.fileobj.accept()[0])
        print(key.fileobj.getsockname()[1], flush=True)
PY
# tracked_conf FILE SCRIPT: r1's instance (priority 150) tracking SCRIPT, run every second.
tracked_conf() {
  cat >"$1" <<CONF
vrrp_script tracked {
  script $2
  interval 1
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 77
  priority 150
  version 3
  advert_int 0.1
  track_script {
    tracked
  }
  virtual_ipaddress {
    $VIP/24
  }
}
CONF
}
forker_conf() {  # forker_conf WITH_VS: r1's config, with the virtual server when "yes"
  local f=$WORK/forker-$1.conf real
  tracked_conf "$f" "$WORK/forker.sh"
  if [ "$1" = yes ]; then
    echo "virtual_server $VIP 80 {"
    echo "  delay_loop 1"
    echo "  lb_kind NAT"
    echo "  protocol TCP"
    for real in HTTP_GET:8080 SSL_GET:8443; do
      echo "  real_server 10.77.0.100 ${real#*:} {"
      echo "    ${real%:*} {"
      printf '      %s\n' "url {" "  path /" "  status_code 200" "}"
      echo "      connect_timeout 1"
      echo "      retry 0"
      echo "    }"
      echo "  }"
    done
    echo "}"
  fi >>"$f"
  echo "$f"
}
daemons() { pgrep -f "sleep 1003" | wc -l; }
zombies_of() {  # zombies_of PID: its children that have exited and are not reaped
  local n=0 f
  for f in /proc/[0-9]*/stat; do
    awk -v p="$1" '{sub(/^.*\) /, ""); if ($1 == "Z" && $2 == p) exit 0; exit 1}' "$f" 2>/dev/null &&
      n=$((n + 1))
  done
  echo "$n"
}
fds_of() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
nsx c /usr/bin/python3 "$WORK/mute.py" >"$WORK/mute.txt" &
MUTE=$!
: >"$WORK/r1.log"
: >"$WORK/r2.log"
start_vipd r1 "$(forker_conf yes)"
start_vipd r2 "$(vrrp_conf r2 100 "${V3[@]}" "${VIPS[@]}")"
wait_for 5 "r1 master" holder_is r1 $VIP r1 r2 >/dev/null
wait_for 5 "the daemon" bash -c "[ \$(pgrep -f 'sleep 1003' | wc -l) -ge 1 ]"
sleep 2
before=$(transitions)
fds0=$(fds_of "${DAEMON_PIDS[r1]}")
conns0=$(wc -l <"$WORK/mute.txt")
max_z=0
nsx c timeout 4 tcpdump -i eth0 -n -l 'ip proto 112 and src 10.77.0.1' >"$WORK/left.txt" 2>/dev/null &
td=$!
for k in $(seq 12); do  # ~6 s: two samples a second
  z=$(zombies_of "${DAEMON_PIDS[r1]}")
  [ "$z" -gt "$max_z" ] && max_z=$z
  sleep 0.5
done
wait "$td"
fds1=$(fds_of "${DAEMON_PIDS[r1]}")
conns=$(( $(wc -l <"$WORK/mute.txt") - conns0 ))
adverts=$(wc -l <"$WORK/left.txt")
adopted_exits=$(grep -ac "adopted process .* has exited" "$WORK/r1.log")
echo "     vipd: $adverts adverts in 4 s, $(( $(transitions) - before )) transition(s), $(daemons) daemon(s) running, at most $max_z zombie(s), $adopted_exits adopted exits reaped; the mute target got $conns connections, vipd's descriptors $fds0 -> $fds1"
check "left behind: the adverts left as due (36 to 44 in 4 s)" \
  bash -c "[ $adverts -ge 36 ] && [ $adverts -le 44 ]"
check "left behind: no transition" [ "$(( $(transitions) - before ))" = 0 ]
check "left behind: one daemon runs (it does not accumulate)" [ "$(daemons)" -eq 1 ]
check "left behind: the adopted daemon is logged with its command" \
  grep -aq "process [0-9]* (sleep 1003) was left running by a script" "$WORK/r1.log"
check "left behind: the short-lived ones are reaped (at most 2 zombies at a time, 4+ reaped)" \
  bash -c "[ $max_z -le 2 ] && [ $adopted_exits -ge 4 ]"
check "never answering: both real servers DOWN (a timeout each)" bash -c "
  [ \$(grep -ac 'timeout .* -> DOWN' $WORK/r1.log) -eq 2 ] &&
  [ \$(grep -ac 'Disabling service' $WORK/r1.log) -eq 2 ]"
# delay_loop 1 + connect_timeout 1: each checker connects about every 2 s.
check "never answering: still checked ($conns connections in ~6 s)" \
  [ "$conns" -ge 3 ]
check "never answering: vipd's descriptors do not grow ($fds0 -> $fds1)" [ "$fds1" -le $((fds0 + 2)) ]
stop_daemon r1 TERM
check "left behind: after stop no daemon the script started is left" [ "$(daemons)" -eq 0 ]
check "left behind: the stop says what it stopped" \
  grep -aq "stopping process [0-9]* (sleep 1003), left running by a script" "$WORK/r1.log"
check "left behind: after stop no VIP, no nftables table on r1" \
  bash -c "! ip -n $P-r1 -o addr | grep -qw $VIP && [ -z \"\$(ip netns exec $P-r1 nft list tables)\" ]"
stop_all
pkill -9 -f "sleep 1003" 2>/dev/null
cp "$WORK/r1.log" "$WORK/r1-left.log"  # kept with the logs on failure
: >"$WORK/r1.log"
start_keepalived r1 "$(forker_conf no)"
wait_for 5 "the daemon" bash -c "[ \$(pgrep -f 'sleep 1003' | wc -l) -ge 1 ]"
sleep 3
ka_z=$(zombies_of "${DAEMON_PIDS[r1]}")
stop_daemon r1 TERM
sleep 0.5
echo "     keepalived 2.2.7, the same vrrp_script: $ka_z zombie(s) ; after stop $(daemons) daemon(s) left"
pkill -9 -f "sleep 1003" 2>/dev/null
kill "$MUTE" 2>/dev/null
wait "$MUTE" 2>/dev/null

# ---------------------------------------------------------------- descriptor exhaustion
# The master's open-files limit lowered at run time to what it holds (prlimit: no descriptor
# left) for 4 s, while a vrrp_script, a TCP_CHECK and control requests need new ones; then
# put back. Asserted: adverts as due, no transition, the daemon lives and does not spin
# (a pending control connection is closed unanswered, logged); the script and the checker
# say they cannot run and keep their state (keepalived counts a checker's failed socket as
# the server's failure); after, both run again. A start under `ulimit -n 12`: a clear error
# naming the limit, exit 1. keepalived's VRRP process under the same limit printed.
cat >"$WORK/true.sh" <<'SH'
#!/bin/sh
exit 0
SH
chmod 755 "$WORK/true.sh"
fd_conf() {  # fd_conf WITH_VS
  local f=$WORK/fd-$1.conf
  tracked_conf "$f" "$WORK/true.sh"
  if [ "$1" = yes ]; then
    printf '%s\n' "virtual_server $VIP 80 {" "  delay_loop 1" "  lb_algo rr" "  lb_kind NAT" \
      "  protocol TCP" "  real_server 10.77.0.100 8080 {" "    TCP_CHECK {" \
      "      connect_timeout 1" "      retry 0" "    }" "  }" "}"
  fi >>"$f"
  echo "$f"
}
lowest_free_fd() { local n=0; while [ -e "/proc/$1/fd/$n" ]; do n=$((n + 1)); done; echo "$n"; }
cpu_ticks() { awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$1/stat"; }
# starve PID: "ADVERTS TRANSITIONS CPU_TICKS" over 4 s with PID out of descriptors; three
# control connections tried meanwhile (for vipd).
starve() {
  local pid=$1 before td t0
  before=$(transitions)
  prlimit --pid "$pid" --nofile="$(lowest_free_fd "$pid")":
  nsx c timeout 4 tcpdump -i eth0 -n -l 'ip proto 112 and src 10.77.0.1' >"$WORK/fd.txt" 2>/dev/null &
  td=$!
  t0=$(cpu_ticks "$pid")
  sleep 1
  for k in 1 2 3; do socat -u OPEN:/dev/null "UNIX-CONNECT:$WORK/r1.sock" 2>/dev/null; done
  wait "$td"
  echo "$(wc -l <"$WORK/fd.txt") $(( $(transitions) - before )) $(( $(cpu_ticks "$pid") - t0 ))"
  prlimit --pid "$pid" --nofile=1024:
}
nsx c /usr/bin/python3 -m http.server --bind 10.77.0.100 8080 >/dev/null 2>&1 &
WEB=$!
: >"$WORK/r1.log"
: >"$WORK/r2.log"
start_vipd r1 "$(fd_conf yes)"
start_vipd r2 "$(vrrp_conf r2 100 "${V3[@]}" "${VIPS[@]}")"
wait_for 5 "r1 master" holder_is r1 $VIP r1 r2 >/dev/null
wait_for 5 "the real server up" grep -aq "load balancer: VS .*10.77.0.100:8080 weight 1" "$WORK/r1.log"
sleep 1
read -r adverts moved ticks <<<"$(starve "${DAEMON_PIDS[r1]}")"
echo "     vipd out of descriptors for 4 s: $adverts adverts, $moved transition(s), $ticks CPU ticks"
check "no descriptor left: the adverts left as due (36 to 44 in 4 s)" \
  bash -c "[ $adverts -ge 36 ] && [ $adverts -le 44 ]"
check "no descriptor left: no transition" [ "$moved" = 0 ]
check "no descriptor left: the daemon lives and does not spin (under 1 s of CPU)" \
  bash -c "kill -0 ${DAEMON_PIDS[r1]} && [ $ticks -lt 100 ]"
check "no descriptor left: the script cannot start, its state stays up" \
  grep -aq "VRRP_Script(tracked) cannot start: Too many open files; its state stays up" "$WORK/r1.log"
check "no descriptor left: the checker is not run, no verdict" \
  grep -aq "TCP_CHECK .*Too many open files; not a verdict on the server" "$WORK/r1.log"
check "no descriptor left: the real server was never disabled" bash -c "! grep -aq 'Disabling service' $WORK/r1.log"
check "no descriptor left: the refused control connection is logged" \
  grep -aq "control socket: a connection closed unanswered: this process has no descriptor left" "$WORK/r1.log"
check "descriptors back: the script and the checker run again" wait_for 5 "both run" bash -c "
  grep -aq 'VRRP_Script(tracked) runs again' $WORK/r1.log && grep -aq 'TCP_CHECK .*runs again' $WORK/r1.log"
check "descriptors back: the control socket answers" \
  bash -c "echo '{\"v\":1,\"cmd\":\"status\"}' | socat -t 2 - UNIX-CONNECT:$WORK/r1.sock | grep -q result"
cp "$WORK/r1.log" "$WORK/r1-fd.log"  # kept with the logs on failure
stop_all
: >"$WORK/r1.log"
ip netns exec "$P-r1" bash -c "ulimit -n 12; exec $VIPD -n -l -f $(fd_conf yes) -p $WORK/low.pid --control-socket $WORK/low.sock" >"$WORK/low.log" 2>&1
rc=$?
check "ulimit -n 12 at start: exit 1" [ "$rc" = 1 ]
check "ulimit -n 12 at start: the error names the limit" \
  grep -aq "fatal: .*Too many open files (the open-files limit is 12" "$WORK/low.log"
check "ulimit -n 12 at start: no VIP left behind" bash -c "! ip -n $P-r1 -o addr | grep -qw $VIP"
pair start_keepalived
sleep 1
read -r ka_adverts ka_moved ka_ticks <<<"$(starve "$(cat "$WORK/r1.kav.pid")")"
echo "     keepalived 2.2.7's VRRP process out of descriptors for 4 s: $ka_adverts adverts, $ka_moved transition(s)"
stop_all
kill "$WEB" 2>/dev/null
wait "$WEB" 2>/dev/null

# ---------------------------------------------------------------- CPU starvation
# Both routers and two busy loops pinned to one core for 5 s: the loops at normal priority,
# then at SCHED_FIFO 10 with the daemons at vrrp_rt_priority 50 (above them; vipd's default
# is SCHED_RR 1, keepalived's is no real-time priority: a FIFO loop at the same priority
# would own the core). The master's adverts are timed on the wire (capture timestamps,
# tcpdump on the other core): count and the longest gap. Asserted for vipd: 45 to 55
# adverts, no gap over 200 ms (the kernel's real-time throttling gives normal tasks 50 ms
# of each second: a gap of up to ~150 ms is the kernel's), no transition. keepalived
# printed for contrast.
# Both routers share one machine, so the wire between them is this kernel's softirq work on
# CORE, and that work can be handed to ksoftirqd/CORE, a normal task the FIFO loops starve
# for up to 950 ms of each second: measured here, ksoftirqd/1 waited 1.0 s within one 5 s
# window and keepalived showed a 749 ms gap; a CI run saw vipd's adverts 362 ms apart and
# the backup take over. Real routers' wire is not on the master's core, so for the FIFO case
# ksoftirqd/CORE runs at SCHED_FIFO 20 (above the loops, below the daemons), and is put back
# to SCHED_OTHER after, or by test_cleanup if the test ends early.
CORE=$(( $(nproc) - 1 ))
KSOFTIRQD=$(pgrep -x "ksoftirqd/$CORE")
test_cleanup() { [ -n "$KSOFTIRQD" ] && chrt -o -p 0 "$KSOFTIRQD" 2>/dev/null; }
pin() {  # pin NS: the daemon started in NS (and keepalived's children), all threads, on CORE
  local p
  for p in "${DAEMON_PIDS[$1]}" $(cat "$WORK/$1".ka?.pid 2>/dev/null); do
    taskset -a -p -c "$CORE" "$p" >/dev/null
  done
}
rt_conf() {  # rt_conf NAME PRIO: vrrp_conf with vrrp_rt_priority 50
  local f
  f=$(vrrp_conf "$1" "$2" "${V3[@]}" "${VIPS[@]}")
  { printf '%s\n' "global_defs {" "  vrrp_rt_priority 50" "}"; cat "$f"; } >"$f.rt"
  echo "$f.rt"
}
starve_cpu() {  # starve_cpu START_FN other|fifo: "ADVERTS MAX_GAP_MS TRANSITIONS"
  local start=$1 kind=$2 before td k
  : >"$WORK/r1.log"
  : >"$WORK/r2.log"
  if [ "$kind" = fifo ]; then
    $start r1 "$(rt_conf r1 150)"
    $start r2 "$(rt_conf r2 100)"
  else
    $start r1 "$(vrrp_conf r1 150 "${V3[@]}" "${VIPS[@]}")"
    $start r2 "$(vrrp_conf r2 100 "${V3[@]}" "${VIPS[@]}")"
  fi
  wait_for 5 "r1 master" holder_is r1 $VIP r1 r2 >/dev/null || { echo "0 - -"; stop_all; return; }
  sleep 0.5
  [ "$kind" = fifo ] && [ -n "$KSOFTIRQD" ] && chrt -f -p 20 "$KSOFTIRQD"
  pin r1
  pin r2
  before=$(transitions)
  local loops=()
  for k in 1 2; do
    if [ "$kind" = fifo ]; then
      taskset -c 0 timeout 6 taskset -c "$CORE" chrt -f 10 sh -c 'while :; do :; done' &
    else
      taskset -c 0 timeout 6 taskset -c "$CORE" sh -c 'while :; do :; done' &
    fi
    loops+=($!)
  done
  sleep 0.5
  nsx c taskset -c 0 timeout 5 tcpdump -tt -i eth0 -n -l 'ip proto 112 and src 10.77.0.1' \
    >"$WORK/cpu.txt" 2>/dev/null &
  td=$!
  wait "$td"
  wait "${loops[@]}"  # they end by themselves (timeout 6)
  test_cleanup
  echo "$(wc -l <"$WORK/cpu.txt") $(awk 'NR > 1 { g = ($1 - t) * 1000; if (g > m) m = g } { t = $1 }
    END { printf "%d", m }' "$WORK/cpu.txt") $(( $(transitions) - before ))"
  stop_all
}
for kind in other fifo; do
  read -r adverts gap moved <<<"$(starve_cpu start_vipd $kind)"
  read -r ka_adverts ka_gap ka_moved <<<"$(starve_cpu start_keepalived $kind)"
  what="two busy loops at normal priority"
  [ $kind = fifo ] && what="two SCHED_FIFO 10 busy loops, daemons at vrrp_rt_priority 50"
  echo "     $what, on the routers' core for 5 s: vipd $adverts adverts, longest gap $gap ms, $moved transition(s) | keepalived 2.2.7: $ka_adverts adverts, longest gap $ka_gap ms, $ka_moved transition(s)"
  check "CPU starvation ($kind): the adverts left as due (45 to 55 in 5 s)" \
    bash -c "[ ${adverts:-0} -ge 45 ] && [ ${adverts:-0} -le 55 ]"
  check "CPU starvation ($kind): no gap between adverts over 200 ms ($gap)" [ "${gap:-999}" -le 200 ]
  check "CPU starvation ($kind): no transition" [ "$moved" = 0 ]
done

# ---------------------------------------------------------------- one socket, one pid file
# A second daemon never takes over a live control socket or pid file; a pid file that only
# names some other live process (no daemon holds its lock) does not block a start.
exits_refused() {  # exits_refused NS: the daemon started in NS exits by itself, non-zero
  local pid=${DAEMON_PIDS[$1]} rc
  wait_for 5 "it exits" bash -c "! kill -0 $pid" || return 1
  wait "$pid"; rc=$?
  unset "DAEMON_PIDS[$1]"
  [ "$rc" -ne 0 ]
}
: >"$WORK/r1.log"
: >"$WORK/r2.log"
start_vipd r1 "$(vrrp_conf r1 150 "${V3[@]}" "${VIPS[@]}")"
wait_for 5 "r1's socket" socat -u OPEN:/dev/null "UNIX-CONNECT:$WORK/r1.sock"
VIPD_ARGS=(--control-socket "$WORK/r1.sock")
start_vipd r2 "$(vrrp_conf r2 100 "${V3[@]}" "${VIPS[@]}")"
check "control socket: a second daemon on the same socket refuses to start" exits_refused r2
check "control socket: ... and says whose it is" grep -aq "belongs to a running daemon" "$WORK/r2.log"
check "control socket: the first daemon's socket still answers" \
  socat -u OPEN:/dev/null "UNIX-CONNECT:$WORK/r1.sock"
VIPD_ARGS=(-p "$WORK/r1.pid")
start_vipd r2 "$(vrrp_conf r2 100 "${V3[@]}" "${VIPS[@]}")"
check "pid file: a second daemon with the same pid file refuses to start" exits_refused r2
check "pid file: ... and says who holds it" grep -aq "holds the lock on $WORK/r1.pid" "$WORK/r2.log"
check "pid file: it still names the first daemon" [ "$(cat "$WORK/r1.pid")" = "${DAEMON_PIDS[r1]}" ]
stop_daemon r1 TERM
echo $$ >"$WORK/other.pid"  # this shell: alive, but holding no lock
VIPD_ARGS=(-p "$WORK/other.pid")
: >"$WORK/r1.log"
start_vipd r1 "$(vrrp_conf r1 150 "${V3[@]}" "${VIPS[@]}")"
check "pid file: one naming another live process does not block a start" \
  wait_for 5 "r1 starts" grep -aq "Entering BACKUP" "$WORK/r1.log"
check "pid file: it now names the new daemon" \
  wait_for 2 "pid written" bash -c "[ \"\$(cat $WORK/other.pid)\" = ${DAEMON_PIDS[r1]} ]"
stop_daemon r1 TERM
VIPD_ARGS=()
finish
