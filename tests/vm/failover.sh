# Runs inside the VM (scripts/ipvs-vm.sh; Debian's ip as /work/ip, vipd as /work/vipd): long
# downloads through an IPVS director pair (lb_kind DR) while the master director dies, with
# and without lvs_sync_daemon, vipd and keepalived 2.2.7 side by side. One bridge:
#   c 10.4.0.2 -- d1 10.4.0.11 (priority 150), d2 10.4.0.12 (100), VIP 10.4.0.10
#              -- s1 10.4.0.21 (the VIP on lo, arp_ignore: a DR real server)
# s1 streams 100 numbered lines, one every 100 ms, then "end", to each of 4 clients; 2 s in,
# d1's daemon is killed (-9, with everything else in d1) and its link goes down. Without
# the backup's copy of IPVS's connections, d2 (now holding the VIP) has no entry for the
# clients' ACKs, which are not SYNs: they reach d2's own stack, which resets them.
# Prints "### failover RUN complete N/4 lines A,B,C,D synced S takeover MS" per run.
IP=/work/ip
STREAMS=4
LINES=100

now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
# wait_for SECONDS CMD...: polls CMD every 100 ms until it succeeds or the time is up.
wait_for() {
  local end=$(($(now_ms) + $1 * 1000))
  shift
  until "$@"; do
    [ "$(now_ms)" -lt "$end" ] || return 1
    sleep 0.1
  done
}

cat >/tmp/stream.sh <<'SH'
#!/bin/sh
# LINES numbered lines, one every 100 ms, then "end".
i=1
while [ $i -le 100 ]; do echo "line $i"; i=$((i + 1)); sleep 0.1; done
echo end
SH
chmod 755 /tmp/stream.sh

# node R NAME ADDR: a namespace R$NAME on R's bridge.
node() {
  $IP netns add "$1$2"
  $IP link add "v$1$2" type veth peer name eth0 netns "$1$2"
  $IP link set "v$1$2" master "br$1" up
  $IP -n "$1$2" addr add "$3/24" dev eth0
  $IP -n "$1$2" link set eth0 up
  $IP -n "$1$2" link set lo up
}

director_conf() {  # director_conf NAME PRIORITY SYNC
  cat <<EOF
global_defs {
  router_id $1
  vrrp_version 3
EOF
  [ "$3" = sync ] && echo "  lvs_sync_daemon eth0 VI_1"
  cat <<EOF
}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 50
  priority $2
  advert_int 0.2
  virtual_ipaddress {
    10.4.0.10/24
  }
}
virtual_server 10.4.0.10 80 {
  lb_algo rr
  lb_kind DR
  protocol TCP
  real_server 10.4.0.21 80 {
    weight 1
  }
}
EOF
}

start_director() {  # start_director R NAME PRIORITY DAEMON SYNC
  local ns=$1$2
  director_conf "$2" "$3" "$5" >"/tmp/$ns.conf"
  if [ "$4" = vipd ]; then
    $IP netns exec "$ns" /work/vipd -n -l -f "/tmp/$ns.conf" -p "/run/$ns.pid" \
      --control-socket "/run/$ns.sock" >"/tmp/$ns.log" 2>&1 &
  else
    $IP netns exec "$ns" keepalived -n -l -f "/tmp/$ns.conf" -p "/run/$ns.pid" \
      -c "/run/$ns-c.pid" -r "/run/$ns-v.pid" >"/tmp/$ns.log" 2>&1 &
  fi
}

has_vip() { $IP -n "$1" -o addr show dev eth0 | grep -q ' 10.4.0.10/'; }
{ seq $LINES | sed 's/^/line /'; echo end; } >/tmp/expected
complete() { [ "$(cat "$1" 2>/dev/null)" = "$(cat /tmp/expected)" ]; }  # every line, in order
# The backup's copies of the clients' connections (ipvsadm -Lnc: the ESTABLISHED ones).
synced() { $IP netns exec "$1" ipvsadm -Lnc | grep -c ESTABLISHED; }
no_client() { [ -z "$($IP netns pids "$1")" ]; }
synced_all() { [ "$(synced "$1")" -ge "$STREAMS" ]; }

# stuck NS: where each thread of the processes in NS waits (a daemon that stopped answering).
stuck() {
  local p t
  for p in $($IP netns pids "$1"); do
    for t in /proc/"$p"/task/*; do
      echo "--- $1: pid $p thread ${t##*/} $(cat "$t/comm") $(awk '{ print $3 }' "$t/stat") in $(cat "$t/wchan")"
      cat "$t/stack" 2>/dev/null | head -12
    done
  done
}

run() {  # run R DAEMON SYNC
  local r=$1 k got="" killed done=0 t takeover=none before
  $IP link add "br$r" type bridge
  echo 0 >"/sys/class/net/br$r/bridge/multicast_snooping"
  $IP link set "br$r" up
  node "$r" c 10.4.0.2
  node "$r" d1 10.4.0.11
  node "$r" d2 10.4.0.12
  node "$r" s1 10.4.0.21
  $IP -n "${r}s1" addr add 10.4.0.10/32 dev lo
  $IP netns exec "${r}s1" sh -c 'echo 1 >/proc/sys/net/ipv4/conf/all/arp_ignore;
    echo 2 >/proc/sys/net/ipv4/conf/all/arp_announce'
  $IP netns exec "${r}s1" nc -ll -p 80 -e /tmp/stream.sh &
  start_director "$r" d1 150 "$2" "$3"
  start_director "$r" d2 100 "$2" "$3"
  wait_for 30 has_vip "${r}d1" || echo "$r: d1 never took the VIP"
  sleep 1  # d2 settled as backup, its sync daemon (if any) listening
  for k in $(seq $STREAMS); do
    # stdin held open: the client does not half-close; it exits when the stream ends or dies.
    (sleep 39 | $IP netns exec "${r}c" nc 10.4.0.10 80 >"/tmp/$r.got$k" 2>&1) &
  done
  sleep 2
  [ "$3" = sync ] && wait_for 5 synced_all "${r}d2"
  before=$(synced "${r}d2")
  has_vip "${r}d1" || echo "$r: the VIP was not on d1 when it died"
  killed=0
  for k in $($IP netns pids "${r}d1"); do kill -9 "$k" && killed=$((killed + 1)); done
  $IP link set "v${r}d1" down
  echo "$r: d1 killed ($killed process(es)), its link down: $($IP -o link show "v${r}d1" | grep -o 'state [A-Z]*')"
  t=$(now_ms)
  wait_for 10 has_vip "${r}d2" && takeover=$(($(now_ms) - t))
  wait_for 30 no_client "${r}c"
  for k in $(seq $STREAMS); do
    complete "/tmp/$r.got$k" && done=$((done + 1))
    got="$got${got:+,}$(grep -c '^line' "/tmp/$r.got$k")"
  done
  echo "### failover $r complete $done/$STREAMS lines $got synced $before takeover $takeover"
  for k in $($IP netns pids "${r}d2") $($IP netns pids "${r}s1") $($IP netns pids "${r}c"); do
    kill "$k" 2>/dev/null
  done
  killall sleep 2>/dev/null
  sleep 1
  if [ "$done" -ne "$STREAMS" ] || [ "$takeover" = none ] ||
    { [ "$3" = sync ] && [ "$before" -lt "$STREAMS" ]; }; then
    for k in d1 d2; do
      echo "--- $r: $k's log"
      $IP netns exec "$r$k" ipvsadm -Ln --daemon
      tail -25 "/tmp/$r$k.log"
    done
    stuck "${r}d2"
  fi
}

run a vipd sync
run b vipd none
run c keepalived sync
