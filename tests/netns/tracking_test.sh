#!/usr/bin/env bash
# Tracking, sync groups and notifications on real namespaces (issue 5): nginx (Debian's
# nginx-light) tracked by a script moves the VIP when it stops and back when it returns (or
# not, under nopreempt); a weighted interface, a track_file and a vrrp_track_process hand
# over; a sync group moves its members together; notify scripts and FIFO lines carry
# keepalived's arguments in its order; an SMTP alert reaches a real SMTP listener; an unsafe
# script is refused.
#   tests/netns/tracking_test.sh VIPD
VIPD=$(realpath "$1")
source "$(dirname "$0")/lib.sh"
VIP=10.77.0.200
VIP2=10.77.0.201
netns_lan 2
chmod 711 "$WORK"

# ---------------------------------------------------------------- nginx in r1 and r2
nginx_conf r1
nginx_conf r2
nginx_start r1
nginx_start r2
cleanup_nginx() { for r in r1 r2; do [ -f "$WORK/nginx-$r.pid" ] && kill "$(cat "$WORK/nginx-$r.pid")" 2>/dev/null; done; }
trap 'cleanup_nginx; cleanup' EXIT
wait_for 5 "nginx answers in r1" nsx r1 curl -sf -m 1 -o /dev/null http://127.0.0.1/
served_by() { [ "$(nsx c curl -s -m 1 "http://$VIP/")" = "$1" ]; }

# chk_nginx every 200 ms; 2 failures to fall, 2 successes to rise.
nginx_instance() {  # nginx_instance NAME PRIO WEIGHT [LINES...]
  local name=$1 prio=$2 weight=$3; shift 3
  cat >"$WORK/$name.conf" <<EOF
vrrp_script chk_nginx {
  script "/usr/bin/curl -sf -m 0.5 -o /dev/null http://127.0.0.1/"
  interval 0.2
  timeout 1
  fall 2
  rise 2
  weight $weight
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 77
  priority $prio
  version 3
  advert_int 0.1
  virtual_ipaddress { $VIP/24 }
  track_script { chk_nginx }
$(for l in "$@"; do echo "  $l"; done)
}
EOF
  echo "$WORK/$name.conf"
}

echo "== nginx tracked by a weighted script (preempt)"
start_vipd r1 "$(nginx_instance r1 150 -60)"
start_vipd r2 "$(nginx_instance r2 100 -60)"
wait_for 5 "r1 holds the VIP" holder_is r1 $VIP r1 r2
check "nginx: r1 (150) is master and serves the VIP" served_by r1
t0=$(now_ms)
nginx_stop r1
wait_for 5 "r2 takes over when nginx dies on r1" holder_is r2 $VIP r1 r2
took=$(( $(now_ms) - t0 ))
# fall x interval (2 x 200 ms) + one run's latency + Master_Down_Interval (3 x 100 + 60.9
# ms), plus 300 ms for scheduling and the sampling above.
bound=$(( 400 + 200 + 361 + 300 ))
echo "     nginx stopped on r1: VIP on r2 after ${took} ms (bound ${bound} ms)"
check "nginx stopped: VIP moves to r2 within fall x interval + the protocol bound" [ "$took" -le "$bound" ]
check "nginx stopped: r1 logged its priority change 150 -> 90" grep -q "Changing effective priority from 150 to 90" "$WORK/r1.log"
check "nginx stopped: the client is served by r2" served_by r2
nginx_start r1
wait_for 5 "r1 preempts back when nginx returns" holder_is r1 $VIP r1 r2
check "nginx back: r1 holds the VIP again (preempt)" stays_holder r1 $VIP r1 r2
check "nginx back: the client is served by r1" served_by r1
stop_daemon r1
stop_daemon r2

echo "== nginx tracked by a fault script (weight 0) under nopreempt"
: >"$WORK/r1.log"
start_vipd r1 "$(nginx_instance r1 150 0 nopreempt)"
wait_for 5 "r1 master alone" holder_is r1 $VIP r1 r2
start_vipd r2 "$(nginx_instance r2 100 0 nopreempt)"
sleep 0.5
check "nopreempt: r1 stays master" holder_is r1 $VIP r1 r2
nginx_stop r1
wait_for 5 "r1 goes FAULT and r2 takes over" holder_is r2 $VIP r1 r2
check "weight 0 script failing: r1 enters FAULT with the script as reason" grep -q "Entering FAULT STATE.*script chk_nginx" "$WORK/r1.log"
nginx_start r1
wait_for 5 "r1 leaves FAULT" grep -q "Entering BACKUP STATE" "$WORK/r1.log"
check "nginx back under nopreempt: r2 keeps the VIP" stays_holder r2 $VIP r1 r2
stop_daemon r1
stop_daemon r2

echo "== a weighted interface, a track_file and a vrrp_track_process"
# A second link in each router whose carrier we control from its peer end.
for r in r1 r2; do
  nsx $r ip link add up1 type veth peer name up1p
  nsx $r ip link set up1 up
  nsx $r ip link set up1p up
done
echo 0 >"$WORK/prio"
cp /bin/sleep "$WORK/vipdtrk$$"
"$WORK/vipdtrk$$" 600 &
TRK_PID=$!
weighted_conf() {  # weighted_conf NAME PRIO
  cat >"$WORK/$1.conf" <<EOF
track_file prio_file {
  file "$WORK/prio"
  weight 1
}
vrrp_track_process trk {
  process vipdtrk$$
  weight -60
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 77
  priority $2
  version 3
  advert_int 0.1
  virtual_ipaddress { $VIP/24 }
  track_interface { up1 weight -60 }
$( [ "$1" = r1 ] && printf '  track_file { prio_file }\n  track_process { trk }\n')
}
EOF
  echo "$WORK/$1.conf"
}
: >"$WORK/r1.log"
start_vipd r1 "$(weighted_conf r1 150)"
start_vipd r2 "$(weighted_conf r2 100)"
wait_for 5 "r1 master" holder_is r1 $VIP r1 r2
nsx r1 ip link set up1p down
wait_for 5 "interface down on r1: r2 takes over" holder_is r2 $VIP r1 r2
check "weighted interface down: priority 150 -> 90 and r2 holds the VIP" grep -q "Changing effective priority from 150 to 90" "$WORK/r1.log"
check "weighted interface down: r1 did not go FAULT" bash -c "! grep -q 'Entering FAULT' '$WORK/r1.log'"
nsx r1 ip link set up1p up
wait_for 5 "interface up: r1 preempts" holder_is r1 $VIP r1 r2
check "weighted interface back up: r1 master again" holder_is r1 $VIP r1 r2
echo -60 >"$WORK/prio.tmp" && mv "$WORK/prio.tmp" "$WORK/prio"
wait_for 5 "track_file -60 (written by rename): r2 takes over" holder_is r2 $VIP r1 r2
check "track_file value x weight applied (150 -> 90)" grep -q "track_file prio_file .* now -60" "$WORK/r1.log"
echo 0 >"$WORK/prio"
wait_for 5 "track_file 0: r1 back" holder_is r1 $VIP r1 r2
check "track_file back to 0: r1 master again" holder_is r1 $VIP r1 r2
kill "$TRK_PID"; wait "$TRK_PID" 2>/dev/null
wait_for 5 "tracked process gone: r2 takes over" holder_is r2 $VIP r1 r2
check "vrrp_track_process: quorum lost seen (by /proc scan: no process connector in a namespace)" grep -q "vrrp_track_process trk: quorum lost" "$WORK/r1.log"
"$WORK/vipdtrk$$" 600 &
TRK_PID=$!
wait_for 5 "tracked process back: r1 back" holder_is r1 $VIP r1 r2
check "vrrp_track_process: quorum reached again, r1 master" holder_is r1 $VIP r1 r2
kill "$TRK_PID"; wait "$TRK_PID" 2>/dev/null
stop_daemon r1
stop_daemon r2

echo "== sync group, notify scripts, FIFO, SMTP"
cat >"$WORK/smtp.py" <<'EOF'
# A minimal SMTP listener (RFC 5321 server side) that stores each message.
import socket, sys
out = sys.argv[1]
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("10.77.0.100", 2525)); srv.listen(8)
while True:
    c, _ = srv.accept(); f = c.makefile("rwb")
    def say(s): f.write(s.encode() + b"\r\n"); f.flush()
    say("220 test ESMTP"); env = []
    while True:
        line = f.readline().decode().rstrip("\r\n")
        if not line: break
        cmd = line.upper()
        if cmd.startswith(("HELO", "EHLO", "MAIL FROM", "RCPT TO")): env.append(line); say("250 ok")
        elif cmd == "DATA":
            say("354 go"); body = []
            while True:
                l = f.readline().decode()
                if l in (".\r\n", ".\n", ""): break
                body.append(l)
            with open(out, "a") as o: o.write("\n".join(env) + "\n" + "".join(body) + "=====\n")
            say("250 queued"); env = []
        elif cmd == "QUIT": say("221 bye"); break
        else: say("502 no")
    c.close()
EOF
# In the client namespace: the routers reach it over the LAN.
nsx c /usr/bin/python3 "$WORK/smtp.py" "$WORK/smtp.out" >"$WORK/smtp.log" 2>&1 &
SMTP_PID=$!
cat >"$WORK/note.sh" <<'EOF'
#!/bin/sh
echo "$*" >>"$(dirname "$0")/notify.log"
EOF
chmod 755 "$WORK/note.sh"
mkfifo "$WORK/fifo"
cat "$WORK/fifo" >"$WORK/fifo.out" &
FIFO_READER=$!
group_conf() {  # group_conf NAME PRIO
  cat >"$WORK/$1.conf" <<EOF
global_defs {
  router_id $1
  notification_email { ops@example.test "Second <second@example.test>" }
  notification_email_from vipd@$1.example.test
  smtp_server 10.77.0.100 2525
  smtp_connect_timeout 5
  $( [ "$1" = r1 ] && echo "vrrp_notify_fifo $WORK/fifo")
}
vrrp_sync_group G {
  group { VI_1 VI_2 }
  notify_master "$WORK/note.sh group-master"
  notify "$WORK/note.sh group-any"
  smtp_alert
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 77
  priority $2
  version 3
  advert_int 0.1
  virtual_ipaddress { $VIP/24 }
  notify_master "$WORK/note.sh $1-VI_1-master"
  notify "$WORK/note.sh $1-VI_1-any"
  smtp_alert
}
vrrp_instance VI_2 {
  interface eth0
  virtual_router_id 78
  priority $2
  version 3
  advert_int 0.1
  virtual_ipaddress { $VIP2/24 }
  track_interface { up1 }
}
EOF
  echo "$WORK/$1.conf"
}
: >"$WORK/r1.log"
start_vipd r1 "$(group_conf r1 150)"
wait_for 5 "r1 holds both VIPs" bash -c "[ \"\$(ip netns exec $P-r1 ip -o addr show dev eth0 | grep -cw -e $VIP -e $VIP2)\" = 2 ]"
# r2 joins once r1 is master of both (started together, which one's timer fires first is a
# race the protocol settles, but it would add lines to the FIFO sequence asserted below).
start_vipd r2 "$(group_conf r2 100)"
wait_for 5 "r2 backup of both" bash -c "grep -q 'VRRP_Group(G) Entering BACKUP' '$WORK/r2.log'"
check "sync group: r1 holds both VIPs" holder_is r1 $VIP2 r1 r2
# VI_2 tracks up1 unweighted: its failure puts the whole group in FAULT on r1.
nsx r1 ip link set up1p down
wait_for 5 "the group moves to r2" holder_is r2 $VIP r1 r2
check "sync group: VI_2's interface fault moved VI_1 too (both on r2)" holder_is r2 $VIP2 r1 r2
check "sync group: r1 logs VI_1 in FAULT because of its group" grep -q "(VI_1) Entering FAULT STATE.*sync group G" "$WORK/r1.log"
nsx r1 ip link set up1p up
wait_for 5 "the group comes back to r1" holder_is r1 $VIP r1 r2
check "sync group: both members back on r1" holder_is r1 $VIP2 r1 r2
wait_for 10 "a mail arrived" grep -q "Entering MASTER state" "$WORK/smtp.out"
stop_daemon r1
stop_daemon r2
wait "$FIFO_READER" 2>/dev/null
kill $SMTP_PID 2>/dev/null

expected='INSTANCE "VI_1" BACKUP 150
INSTANCE "VI_2" BACKUP 150
GROUP "G" BACKUP 0
INSTANCE "VI_?" MASTER 150
INSTANCE "VI_?" MASTER 150
GROUP "G" MASTER 0
INSTANCE "VI_2" FAULT 150
INSTANCE "VI_1" FAULT 150
GROUP "G" FAULT 0
INSTANCE "VI_?" BACKUP 150
INSTANCE "VI_?" BACKUP 150
GROUP "G" BACKUP 0
INSTANCE "VI_?" MASTER 150
INSTANCE "VI_?" MASTER 150
GROUP "G" MASTER 0
INSTANCE "VI_1" STOP 150
INSTANCE "VI_2" STOP 150
GROUP "G" STOP 0'
fifo_matches() {
  local got want
  # A preemption can overlap one advert of the old master: MASTER_RX_LOWER_PRI lines are
  # legitimate there and timing-dependent, so the sequence is compared without them.
  got=$(grep -v MASTER_RX_LOWER_PRI "$WORK/fifo.out")
  [ "$(echo "$got" | wc -l)" = "$(echo "$expected" | wc -l)" ] || return 1
  paste -d'\n' <(echo "$expected") <(echo "$got") | while IFS= read -r want && IFS= read -r line; do
    # shellcheck disable=SC2053
    [[ "$line" == $want ]] || { echo "     FIFO: got '$line', wanted '$want'"; exit 1; }
  done
}
check "FIFO: keepalived's lines in keepalived's order (members, then the group)" fifo_matches
[ "$fail" -eq 0 ] || { echo "     FIFO output:"; sed 's/^/       /' "$WORK/fifo.out"; }
check "notify: generic script got INSTANCE VI_1 MASTER 150 appended" grep -qx "r1-VI_1-any INSTANCE VI_1 MASTER 150" "$WORK/notify.log"
check "notify: generic script got INSTANCE VI_1 STOP 150 at shutdown" grep -qx "r1-VI_1-any INSTANCE VI_1 STOP 150" "$WORK/notify.log"
check "notify: notify_master ran with only its own arguments" grep -qx "r1-VI_1-master" "$WORK/notify.log"
check "notify: the group's generic script got GROUP G MASTER 0" grep -qx "group-any GROUP G MASTER 0" "$WORK/notify.log"
check "notify: the group's notify_master ran" grep -qx "group-master" "$WORK/notify.log"
check "notify: r2's instance notify saw MASTER while r1 was in FAULT" grep -qx "r2-VI_1-any INSTANCE VI_1 MASTER 100" "$WORK/notify.log"
check "SMTP: alert for r1's instance with subject, sender and both recipients" bash -c "
  grep -q 'Subject: \[r1\] VRRP Instance VI_1 - Entering MASTER state' '$WORK/smtp.out' &&
  grep -q 'MAIL FROM:<vipd@r1.example.test>' '$WORK/smtp.out' &&
  grep -q 'RCPT TO:<ops@example.test>' '$WORK/smtp.out' &&
  grep -q 'RCPT TO:<second@example.test>' '$WORK/smtp.out'"
check "SMTP: alert for the sync group" grep -q 'Subject: \[r1\] VRRP Group G - Entering MASTER state' "$WORK/smtp.out"
check "SMTP: r1's FAULT alert names the reason" grep -q 'Reason: fault: sync group G' "$WORK/smtp.out"

echo "== split brain heal, priority changes and a deleted instance on the FIFO"
rm -f "$WORK/fifo" && mkfifo "$WORK/fifo"
cat "$WORK/fifo" >"$WORK/fifo2.out" &
FIFO_READER=$!
echo 0 >"$WORK/prio9"
cat >"$WORK/r1-9.conf" <<EOF
global_defs {
  vrrp_notify_fifo $WORK/fifo
  vrrp_notify_priority_changes
}
track_file p9 { file "$WORK/prio9" }
vrrp_instance VI_9 {
  interface eth0
  virtual_router_id 99
  priority 150
  version 3
  advert_int 0.1
  virtual_ipaddress { 10.77.0.209/24 }
  track_file { p9 }
  notify_master_rx_lower_pri "$WORK/note.sh rx-lower"
  notify_deleted "$WORK/note.sh deleted"
}
EOF
# r2: the global notify_fifo with a reader script vipd starts (the FIFO's name is its last
# argument).
printf '#!/bin/sh\nwhile read -r line; do echo "$line" >>"$(dirname "$0")/reader.out"; done <"$1"\n' \
  >"$WORK/fiforeader.sh"
chmod 755 "$WORK/fiforeader.sh"
sed -e 's/priority 150/priority 100/' \
  -e "s|vrrp_notify_fifo .*|notify_fifo $WORK/fifo-r2\n  notify_fifo_script $WORK/fiforeader.sh|" \
  "$WORK/r1-9.conf" >"$WORK/r2-9.conf"
: >"$WORK/r1.log"
start_vipd r1 "$WORK/r1-9.conf"
start_vipd r2 "$WORK/r2-9.conf"
wait_for 5 "r1 master of VI_9" holder_is r1 10.77.0.209 r1 r2
# r2 stops hearing VRRP (its link stays up): it becomes master too, and r1 hears it.
nsx r2 nft add table ip vt
nsx r2 nft add chain ip vt in '{ type filter hook input priority 0; }'
nsx r2 nft add rule ip vt in ip protocol 112 drop
wait_for 5 "r2 deaf: both are masters" has_addr r2 10.77.0.209
wait_for 5 "r1 reports the lower priority it heard" grep -q MASTER_RX_LOWER_PRI "$WORK/fifo2.out"
nsx r2 nft delete table ip vt
wait_for 5 "the split brain heals to r1" holder_is r1 10.77.0.209 r1 r2
wait_for 5 "notify_master_rx_lower_pri ran" grep -qx "rx-lower" "$WORK/notify.log"
check "split brain heal: FIFO line INSTANCE \"VI_9\" MASTER_RX_LOWER_PRI 150" grep -qx 'INSTANCE "VI_9" MASTER_RX_LOWER_PRI 150' "$WORK/fifo2.out"
check "split brain heal: notify_master_rx_lower_pri ran" grep -qx "rx-lower" "$WORK/notify.log"
echo -10 >"$WORK/prio9"
wait_for 5 "priority change on the FIFO" grep -q MASTER_PRIORITY "$WORK/fifo2.out"
check "vrrp_notify_priority_changes: INSTANCE \"VI_9\" MASTER_PRIORITY 140" grep -qx 'INSTANCE "VI_9" MASTER_PRIORITY 140' "$WORK/fifo2.out"
# A reload that drops VI_9: DELETED (notify_deleted) instead of keepalived's default FAULT.
sed -e 's/VI_9/VI_8/' -e 's/virtual_router_id 99/virtual_router_id 98/' -e 's/10.77.0.209/10.77.0.208/' \
  -e '/notify_deleted/d' "$WORK/r1-9.conf" >"$WORK/r1-8.conf"
cp "$WORK/r1-8.conf" "$WORK/r1-9.conf"
kill -HUP "${DAEMON_PIDS[r1]}"
wait_for 5 "VI_9 deleted by the reload" grep -q '"VI_9" DELETED' "$WORK/fifo2.out"
wait_for 5 "notify_deleted ran" grep -qx "deleted" "$WORK/notify.log"
check "reload removing VI_9: FIFO line INSTANCE \"VI_9\" DELETED 140" grep -qx 'INSTANCE "VI_9" DELETED 140' "$WORK/fifo2.out"
check "reload removing VI_9: notify_deleted ran" grep -qx "deleted" "$WORK/notify.log"
check "reload removing VI_9: its VIP is gone from r1" lacks_addr r1 10.77.0.209
check "notify_fifo_script: started by vipd on the FIFO, it got r2's lines" grep -qx 'INSTANCE "VI_9" BACKUP 100' "$WORK/reader.out"
stop_daemon r1
stop_daemon r2
wait "$FIFO_READER" 2>/dev/null
wait_for 2 "the FIFO reader script ends" bash -c "! pgrep -f '^/bin/sh $WORK/fiforeader.sh' >/dev/null"
check "notify_fifo_script: stopped with the daemon (SIGTERM)" bash -c "! pgrep -f '^/bin/sh $WORK/fiforeader.sh' >/dev/null"

echo "== script timeout, script user, shell syntax, scheduling"
# The VRRP loop runs SCHED_RR by default; its scripts must not inherit that.
printf '#!/bin/sh\nchrt -p $$ >>%s\n' "$WORK/sched.out" >"$WORK/sched.sh"
chmod 755 "$WORK/sched.sh"
cat >"$WORK/r1.conf" <<EOF
vrrp_script chk_sched {
  script "$WORK/sched.sh"
  interval 0.5
}
vrrp_script chk_hang {
  script "/bin/sleep 7.77"
  interval 0.5
  timeout 0.3
}
vrrp_script chk_user {
  script "/bin/sh -c 'test \$(id -u) = 65534'"
  interval 0.5
  user nobody
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 77
  priority 150
  advert_int 0.1
  virtual_ipaddress { $VIP/24 }
  track_script { chk_hang }
}
vrrp_instance VI_2 {
  interface eth0
  virtual_router_id 78
  priority 150
  advert_int 0.1
  virtual_ipaddress { $VIP2/24 }
  track_script { chk_user }
}
vrrp_instance VI_3 {
  interface eth0
  virtual_router_id 79
  priority 150
  advert_int 0.1
  virtual_ipaddress { 10.77.0.213/24 }
  track_script { chk_sched }
}
EOF
: >"$WORK/r1.log"
start_vipd r1 "$WORK/r1.conf"
wait_for 5 "the hanging script times out" grep -q "Entering FAULT STATE.*script chk_hang timed out" "$WORK/r1.log"
check "timeout: a hanging script is a failure and its instance goes FAULT" grep -q "VRRP_Script(chk_hang) failed (timed out)" "$WORK/r1.log"
sleepers() { pgrep -fc '^/bin/sleep 7.77'; }
check "timeout: each hanging run is killed (at most the current one alive)" [ "$(sleepers)" -le 1 ]
wait_for 5 "VI_2 master" has_addr r1 $VIP2
check "user nobody: the script ran as uid 65534 (under sh for its \$(...))" has_addr r1 $VIP2
check "the daemon survives its scripts" kill -0 "${DAEMON_PIDS[r1]}"
check "the VRRP loop runs SCHED_RR (the default)" bash -c "chrt -p ${DAEMON_PIDS[r1]} | grep -q SCHED_RR"
wait_for 5 "chk_sched ran" test -s "$WORK/sched.out"
check "scripts run at normal priority (SCHED_RESET_ON_FORK)" bash -c "grep -q SCHED_OTHER $WORK/sched.out && ! grep -q SCHED_RR $WORK/sched.out"
stop_daemon r1
check "stop: no check script outlives the daemon" [ "$(sleepers)" -eq 0 ]

echo "== script security"
cat >"$WORK/unsafe.sh" <<EOF
#!/bin/sh
touch $WORK/unsafe.ran
EOF
chmod 777 "$WORK/unsafe.sh"
cat >"$WORK/unsafe.conf" <<EOF
global_defs {
  enable_script_security
  script_user root
}
vrrp_script chk_unsafe {
  script "$WORK/unsafe.sh"
  interval 0.2
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 77
  priority 150
  advert_int 1
  virtual_ipaddress { $VIP/24 }
  track_script { chk_unsafe }
  notify "$WORK/unsafe.sh"
}
EOF
"$VIPD" -t -f "$WORK/unsafe.conf" >"$WORK/unsafe-t.out" 2>&1
rc=$?
check "vipd -t refuses the world-writable root script (exit 6) and says why" bash -c "[ $rc = 6 ] && grep -q 'unsafe.sh is writable by everyone' '$WORK/unsafe-t.out'"
: >"$WORK/r1.log"
start_vipd r1 "$WORK/unsafe.conf"
wait_for 5 "r1 refuses the script" grep -q "VRRP_Script(chk_unsafe) not run: unsafe script" "$WORK/r1.log"
check "unsafe track script refused: the instance stays in FAULT" bash -c "sleep 0.5; grep -q 'Entering FAULT STATE.*script chk_unsafe' '$WORK/r1.log'"
check "unsafe script never executed (track and notify)" [ ! -e "$WORK/unsafe.ran" ]
check "the daemon kept running" kill -0 "${DAEMON_PIDS[r1]}"
stop_daemon r1
finish
