#!/usr/bin/env bash
# Least privilege (issue 17): vipd runs as packaging/vipd.service confines it, and the
# control socket and notify scripts give nothing away.
#   - Both routers run with only the capabilities the unit's CapabilityBoundingSet names
#     (setpriv --bounding-set, as systemd applies it), in a mount namespace with
#     ProtectSystem=full and ProtectHome=read-only reproduced (read-only /usr, /boot, /etc,
#     /home, /root): election, VIP, gratuitous ARP, notify script, failover on SIGTERM and
#     the VIP's removal all work; /proc says the daemon holds exactly that set.
#   - Without CAP_NET_RAW the daemon says so and takes no VIP.
#   - The control socket: a real unprivileged user (nobody) is refused by the socket's
#     mode, then by the daemon itself (SO_PEERCRED) when the mode is opened up; with
#     control_socket_group, a member of that group is let in.
#   - A notify script's arguments never reach a shell: `;`, `$(...)` and backquotes in the
#     configured command line arrive as literal arguments.
#   tests/netns/privilege_test.sh VIPD VIPCTL
VIPD=$(realpath "$1")
VIPCTL=$(realpath "$2")
source "$(dirname "$0")/lib.sh"
UNIT="$(dirname "$0")/../../packaging/vipd.service"
netns_lan 2
chmod 755 "$WORK"  # the unprivileged user must reach the socket for the daemon to judge
# ... and run vipctl, wherever the build tree is (CI's clone is in a 0700 directory).
cp "$VIPCTL" "$WORK/vipctl"
chmod 755 "$WORK/vipctl"
as_nobody() { runuser -u nobody -- "$WORK/vipctl" "$@"; }

# The unit's bounding set, as setpriv writes it: "-all,+net_admin,+net_raw,...".
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT" | tr ' ' '\n' | grep . |
  sed 's/^CAP_//' | tr 'A-Z' 'a-z' | sed 's/^/+/' | paste -sd, -)
echo "     the unit's CapabilityBoundingSet: $caps"
check "the unit names a bounding set" [ -n "$caps" ]
grep -q '^ProtectSystem=full' "$UNIT" && grep -q '^ProtectHome=read-only' "$UNIT"
check "the unit protects the system and home directories" [ $? -eq 0 ]

# start_confined NS CONF [BOUNDING]: the daemon as the unit runs it.
start_confined() {
  local ns=$1 conf=$2 bounding=${3:-$caps}
  ip netns exec "$P-$ns" unshare -m sh -c '
    for d in /usr /boot /etc /home /root; do
      [ -d "$d" ] && mount --bind "$d" "$d" && mount -o remount,bind,ro "$d"
    done
    exec setpriv --bounding-set "-all,$0" --inh-caps -all "$@"' "$bounding" \
    "$VIPD" -n -l -G -f "$conf" -p "$WORK/$ns.pid" --control-socket "$WORK/$ns.sock" \
    >>"$WORK/$ns.log" 2>&1 &
  DAEMON_PIDS[$ns]=$!
}
daemon_pid() { cat "$WORK/$1.pid" 2>/dev/null; }

cat >"$WORK/argv.sh" <<EOF
#!/bin/sh
# Writes its arguments, one per line, to argv.out.
for a in "\$@"; do printf '%s\n' "\$a"; done >"$WORK/argv.out"
EOF
chmod 755 "$WORK/argv.sh"
conf() {  # conf NAME PRIORITY [GLOBAL LINES]
  {
    echo "global_defs {"
    echo "  script_user root"
    for l in "${@:3}"; do echo "  $l"; done
    echo "}"
    echo "vrrp_instance VI_1 {"
    echo "  interface eth0"
    echo "  virtual_router_id 61"
    echo "  priority $2"
    echo "  version 3"
    echo "  advert_int 0.1"
    echo "  virtual_ipaddress { 10.77.0.61/24 }"
    echo "  notify_master \"$WORK/argv.sh a;touch $WORK/pwned \$(touch $WORK/pwned2) \`id\` 'two words'\""
    echo "}"
  } >"$WORK/$1.conf"
  echo "$WORK/$1.conf"
}

start_confined r1 "$(conf r1 150)"
start_confined r2 "$(conf r2 100 "control_socket_group nogroup")"
wait_for 5 "r1 holds the VIP" has_addr r1 10.77.0.61
check "confined: r1 becomes master and holds the VIP" has_addr r1 10.77.0.61
check "confined: r2 stays backup" lacks_addr r2 10.77.0.61
want=$(setpriv --bounding-set "-all,$caps" grep CapBnd /proc/self/status | awk '{print $2}')
check "confined: the daemon's capabilities are exactly the unit's set ($want)" \
  bash -c "grep -q \"CapEff:[[:space:]]*$want\" /proc/$(daemon_pid r1)/status"
check "confined: the client reaches the VIP" reach 10.77.0.61
wait_for 3 "the notify script ran" test -s "$WORK/argv.out"
echo "     notify_master's arguments: $(paste -sd'|' "$WORK/argv.out" 2>/dev/null)"
printf '%s\n' 'a;touch' "$WORK/pwned" '$(touch' "$WORK/pwned2)" '`id`' 'two words' >"$WORK/argv.want"
check "notify script: the configured words arrive as literal arguments, no shell" \
  diff -u "$WORK/argv.want" "$WORK/argv.out"
check "notify script: nothing in the arguments was run" \
  bash -c "[ ! -e $WORK/pwned ] && [ ! -e $WORK/pwned2 ]"

# ---------------------------------------------------------------- the control socket
check "control socket: root gets the status" "$VIPCTL" -S "$WORK/r1.sock" status
as_nobody -S "$WORK/r1.sock" status >"$WORK/nobody1.out" 2>&1
rc=$?
echo "     nobody, socket mode $(stat -c %A "$WORK/r1.sock"): exit $rc: $(head -1 "$WORK/nobody1.out")"
check "control socket: nobody is refused by the socket's mode" \
  bash -c "[ $rc -ne 0 ] && grep -q 'cannot connect to .*: Permission denied' $WORK/nobody1.out"
chmod 666 "$WORK/r1.sock"
as_nobody -S "$WORK/r1.sock" status >"$WORK/nobody2.out" 2>&1
rc=$?
echo "     nobody, socket opened to all: exit $rc: $(head -1 "$WORK/nobody2.out")"
check "control socket opened to all: the daemon itself refuses nobody (SO_PEERCRED)" \
  bash -c "[ $rc -ne 0 ] && grep -qx 'vipctl: permission denied' $WORK/nobody2.out && ! grep -q VI_1 $WORK/nobody2.out"
echo "     r2's socket (control_socket_group nogroup): $(stat -c '%A %U:%G' "$WORK/r2.sock")"
check "control_socket_group: a member of the group (nobody) gets the status" \
  bash -c "runuser -u nobody -- $WORK/vipctl -S $WORK/r2.sock status | grep -q VI_1"

# ---------------------------------------------------------------- failover, confined
stop_daemon r1
wait_for 3 "r2 takes over" has_addr r2 10.77.0.61
check "confined: r1 stopped and removed its VIP" lacks_addr r1 10.77.0.61
check "confined: r2 took over" has_addr r2 10.77.0.61
stop_daemon r2
check "confined: r2 removed its VIP on stop" lacks_addr r2 10.77.0.61

# ---------------------------------------------------------------- too little privilege
noraw=$(echo "$caps" | tr ',' '\n' | grep -v '^+net_raw$' | paste -sd, -)
rm -f "$WORK/argv.out"
start_confined r1 "$(conf r1 150)" "$noraw"
wait_for 5 "r1 says what it lacks" grep -qi "operation not permitted" "$WORK/r1.log"
grep -i "not permitted" "$WORK/r1.log" | tail -1 | sed 's/^/     without CAP_NET_RAW: /'
check "without CAP_NET_RAW: the instance is in FAULT and the log says why" \
  grep -q "Entering FAULT STATE.*CAP_NET_RAW" "$WORK/r1.log"
sleep 1  # well past the master-down interval (3 x 100 ms + skew)
check "without CAP_NET_RAW: no VIP is taken" lacks_addr r1 10.77.0.61
stop_daemon r1
finish
