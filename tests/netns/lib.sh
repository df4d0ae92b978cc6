# Shared helpers for the namespace tests (source it). Everything created here carries the
# prefix $P (unique per run) and is removed on exit, even on failure or interruption.
#
#   netns_lan N           a switch namespace with a bridge, N routers r1..rN (eth0,
#                         10.77.0.K/24, fd00:77::K/64) and a client c (10.77.0.100)
#   start_vipd NS CONF    runs vipd in NS in the foreground (logs in $WORK/NS.log)
#   wait_for SECS DESC CMD...   polls CMD every 20 ms until it succeeds or SECS pass
#   check DESC CMD...     counts a pass or a failure
set -uo pipefail
P=${P:-vt$$}
WORK=$(mktemp -d /tmp/vipd-netns.XXXXXX)
VIPD=${VIPD:-vipd}
pass=0
fail=0
declare -A DAEMON_PIDS=()
VIPD_ARGS=()  # extra flags for start_vipd

cleanup() {
  # A test that changes something outside its namespaces defines test_cleanup to undo it.
  declare -F test_cleanup >/dev/null && test_cleanup
  for pid in "${DAEMON_PIDS[@]}"; do kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  # Anything still running in our namespaces (keepalived's VRRP child, FRR, tcpdump) goes too.
  for ns in $(ip netns list | awk '{print $1}' | grep "^$P-"); do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
    ip netns del "$ns"
  done
  [ "$fail" -eq 0 ] && rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

nsx() { local ns=$1; shift; ip netns exec "$P-$ns" "$@"; }

new_ns() {
  ip netns add "$P-$1"
  # No DAD: link-locals are usable at once (VRRPv3/IPv6 sources from them).
  nsx "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
  nsx "$1" ip link set lo up
}

# attach NS: a veth from NS to the switch's bridge.
attach() {
  local ns=$1
  ip link add eth0 netns "$P-$ns" type veth peer name "p-$ns" netns "$P-sw"
  nsx sw ip link set "p-$ns" master br0 up
  nsx "$ns" ip link set eth0 up
}

# segment K ROUTERS...: another bridge brK in the switch and an ethK in each router.
segment() {
  local k=$1; shift
  nsx sw ip link add "br$k" type bridge mcast_snooping 0
  nsx sw ip link set "br$k" up
  for ns in "$@"; do
    ip link add "eth$k" netns "$P-$ns" type veth peer name "p$k-$ns" netns "$P-sw"
    nsx sw ip link set "p$k-$ns" master "br$k" up
    nsx "$ns" ip link set "eth$k" up
    nsx "$ns" ip addr add "10.$((77 + k)).0.${ns#r}/24" dev "eth$k"
  done
}

netns_lan() {
  local n=$1
  new_ns sw
  # No multicast snooping: the bridge floods VRRP multicast like a simple switch.
  nsx sw ip link add br0 type bridge mcast_snooping 0
  nsx sw ip link set br0 up
  for k in $(seq 1 "$n"); do
    new_ns "r$k"
    attach "r$k"
    nsx "r$k" ip addr add "10.77.0.$k/24" dev eth0
    nsx "r$k" ip addr add "fd00:77::$k/64" dev eth0 nodad
  done
  new_ns c
  attach c
  nsx c ip addr add 10.77.0.100/24 dev eth0
  nsx c ip addr add fd00:77::100/64 dev eth0 nodad
}

start_vipd() {
  local ns=$1 conf=$2
  # ip netns exec execs the daemon, so $! is the daemon itself (kill -9 reaches it).
  ip netns exec "$P-$ns" "$VIPD" -n -l -G -f "$conf" -p "$WORK/$ns.pid" \
    --control-socket "$WORK/$ns.sock" "${VIPD_ARGS[@]}" >>"$WORK/$ns.log" 2>&1 &
  DAEMON_PIDS[$ns]=$!
}

stop_daemon() {  # stop_daemon NS [SIGNAL]
  local pid=${DAEMON_PIDS[$1]:-}
  [ -n "$pid" ] || return 0
  # keepalived's VRRP work is done by a child; -9 to the parent alone would orphan it.
  if [ "${2:-TERM}" = KILL ] && [ -f "$WORK/$1.kav.pid" ]; then
    kill -9 "$(cat "$WORK/$1.kav.pid")" 2>/dev/null
  fi
  kill "-${2:-TERM}" "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  unset "DAEMON_PIDS[$1]"
}

wait_for() {
  local secs=$1 desc=$2; shift 2
  local deadline=$(( $(date +%s%N) + secs * 1000000000 ))
  while [ "$(date +%s%N)" -lt "$deadline" ]; do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.02
  done
  echo "timeout after ${secs}s: $desc" >&2
  return 1
}

check() {
  local desc=$1; shift
  if "$@"; then
    pass=$((pass + 1)); echo "ok   $desc"
  else
    fail=$((fail + 1)); echo "FAIL $desc"
  fi
}

# No grep -q: it exits at the first match and, with pipefail, ip's SIGPIPE fails the pipe.
has_addr() { nsx "$1" ip -o addr show dev eth0 | grep -w -- "$2" >/dev/null; }
lacks_addr() { ! has_addr "$@"; }

# Exactly one of the given routers holds ADDR.
holders() {
  local addr=$1; shift
  local out=""
  for ns in "$@"; do has_addr "$ns" "$addr" && out+="$ns "; done
  echo "${out% }"
}

finish() {
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ] || { echo "logs kept in $WORK"; for f in "$WORK"/*.log; do echo "== $f"; tail -30 "$f"; done; }
  [ "$fail" -eq 0 ]
}

# The client pings ADDR every 10 ms in the background; max_gap_ms reports the longest time
# between two replies, i.e. the outage a user of the VIP saw.
ping_start() {
  nsx c ping -D -n -i 0.01 -W 0.2 "$1" >"$WORK/ping.out" 2>&1 &
  PING_PID=$!
}
ping_stop_gap_ms() {
  kill -INT "$PING_PID" 2>/dev/null
  wait "$PING_PID" 2>/dev/null
  grep -ao '^\[[0-9.]*\] [0-9]* bytes from' "$WORK/ping.out" | tr -d '[]' |
    awk 'NR > 1 { g = ($1 - prev) * 1000; if (g > max) max = g } { prev = $1 }
         END { printf "%d\n", max }'
}

# vrrp_conf NAME PRIORITY [LINES...]: a one-instance config for router NAME.
vrrp_conf() {
  local name=$1 prio=$2; shift 2
  {
    echo "vrrp_instance VI_1 {"
    echo "  interface eth0"
    echo "  virtual_router_id ${VRID:-77}"
    echo "  priority $prio"
    for l in "$@"; do echo "  $l"; done
    echo "}"
  } >"$WORK/$name.conf"
  echo "$WORK/$name.conf"
}

reach() { nsx c ping -c1 -W1 "$1" >/dev/null 2>&1; }

now_ms() { date +%s%3N; }
# log_ms FILE PATTERN [AFTER_MS]: the time (epoch ms) of the first log line matching PATTERN
# stamped at or after AFTER_MS.
log_ms() {
  local file=$1 pattern=$2 after=${3:-0} line t
  while IFS= read -r line; do
    t=$(date -d "${line%%: *}" +%s%3N 2>/dev/null) || continue
    [ "$t" -ge "$after" ] && { echo "$t"; return 0; }
  done < <(grep -a -- "$pattern" "$file")
  return 1
}
any_holder() { [ -n "$(holders "$@")" ]; }
# holder_is "r1 r2" ADDR ROUTERS...: exactly these hold ADDR (for wait_for).
holder_is() { local want=$1 addr=$2; shift 2; [ "$(holders "$addr" "$@")" = "$want" ]; }

# start_keepalived NS CONF: Debian's keepalived as a peer, VRRP only, in the foreground.
start_keepalived() {
  local ns=$1 conf=$2
  rm -f "$WORK/$ns".ka*.pid
  ip netns exec "$P-$ns" keepalived -n -l -D -P -f "$conf" -p "$WORK/$ns.ka.pid" \
    -r "$WORK/$ns.kav.pid" -c "$WORK/$ns.kac.pid" -b "$WORK/$ns.kab.pid" >>"$WORK/$ns.log" 2>&1 &
  DAEMON_PIDS[$ns]=$!
}
# stays_holder WANT ADDR ROUTERS...: WANT is the only holder over the next second (sampled
# every 100 ms); prints the samples when it is not. STAY_SECS makes the watch longer.
stays_holder() {
  local want=$1 addr=$2; shift 2
  local n=$(( ${STAY_SECS:-1} * 10 )) seen="" h i
  for i in $(seq $n); do
    h=$(holders "$addr" "$@")
    seen+="[$h]"
    sleep 0.1
  done
  [ "$seen" = "$(printf "[$want]%.0s" $(seq $n))" ] && return 0
  echo "     holders over ${STAY_SECS:-1} s: $seen"
  return 1
}

# nginx (Debian's nginx-light) in a router namespace, answering its own name on port 80.
nginx_conf() {  # nginx_conf NS
  mkdir -p "$WORK/nginx-$1"
  cat >"$WORK/nginx-$1.conf" <<EOF
user root;
worker_processes 1;
pid $WORK/nginx-$1.pid;
error_log $WORK/nginx-$1/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx-$1/body;
  proxy_temp_path $WORK/nginx-$1/proxy;
  fastcgi_temp_path $WORK/nginx-$1/fastcgi;
  uwsgi_temp_path $WORK/nginx-$1/uwsgi;
  scgi_temp_path $WORK/nginx-$1/scgi;
  server { listen 80; location / { return 200 "$1\n"; } }
}
EOF
}
nginx_start() { nsx "$1" nginx -c "$WORK/nginx-$1.conf"; }
nginx_stop() { nsx "$1" nginx -c "$WORK/nginx-$1.conf" -s stop; }
