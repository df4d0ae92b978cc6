# The load-balancing topology (source it after lib.sh), shared by tests/netns/lb_test.sh and
# scripts/demo-lb.sh:
#   client c --br0-- r1, r2 (directors: VRRP sync group with the outside VIP and the inside
#                    gateway VIP) --br1-- s1, s2, s3 (real servers) and s9 (sorry server)
# The real servers route back through the inside VIP (lb_kind NAT, seed 003's layout).
# d1 and d2 sit on the client's segment with the VIP on their loopback (lb_kind DR): the
# director hands them the client's packets unchanged and they answer the client directly.
#   lb_topology                 builds it and starts the servers
#   director_conf NAME PRIO     writes the directors' keepalived.conf, prints its path
#   split HOST PORT N           N new connections from the client: {"s1": n, ...}
CLIENT="/usr/bin/python3 $(dirname "$(realpath "${BASH_SOURCE[0]}")")/lb_client.py"
VIP=10.77.0.10
VIP6=fd00:77::10
SERVER_PIDS=()
cleanup_servers() { for p in "${SERVER_PIDS[@]}"; do kill "$p" 2>/dev/null; done; }
trap 'cleanup_servers; cleanup' EXIT

# real_server NAME N: a namespace on br1 at 10.78.0.N / fd00:78::N, routing through the
# inside VIP, serving /name, /health and /big on 8080 (IPv4 and IPv6) and DNS on 53.
real_server() {
  local name=$1 n=$2
  new_ns "$name"
  ip link add eth0 netns "$P-$name" type veth peer name "p1-$name" netns "$P-sw"
  nsx sw ip link set "p1-$name" master br1 up
  nsx "$name" ip link set eth0 up
  nsx "$name" ip addr add "10.78.0.$n/24" dev eth0
  nsx "$name" ip addr add "fd00:78::$n/64" dev eth0 nodad
  nsx "$name" ip route add default via 10.78.0.254
  # Small send buffers: a download is paced by the client, not parked whole in the kernel,
  # so "a connection survives a change" is about a live transfer.
  nsx "$name" sysctl -qw net.ipv4.tcp_wmem="4096 16384 65536"
  nsx "$name" ip -6 route add default via fd00:78::254
  mkdir -p "$WORK/www-$name"
  echo "$name" >"$WORK/www-$name/name"
  echo ok >"$WORK/www-$name/health"
  head -c 4000000 /dev/zero >"$WORK/www-$name/big"
  ip netns exec "$P-$name" python3 -m http.server 8080 --bind :: --directory "$WORK/www-$name" \
    >>"$WORK/http-$name.log" 2>&1 &
  SERVER_PIDS+=($!)
  ip netns exec "$P-$name" dnsmasq -k --conf-file=/dev/null --no-resolv --no-hosts --port=53 \
    --listen-address="10.78.0.$n" --bind-interfaces --address="/svc.test/10.9.9.$n" \
    --pid-file="$WORK/dnsmasq-$name.pid" >>"$WORK/dns-$name.log" 2>&1 &
  SERVER_PIDS+=($!)
}
# dr_server NAME N: a namespace on br0 at 10.77.0.N / fd00:77::N with the VIPs on its
# loopback (not answering ARP/ND for them), serving /name and /health on 8080.
dr_server() {
  local name=$1 n=$2
  new_ns "$name"
  attach "$name"
  nsx "$name" sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2
  nsx "$name" ip addr add "10.77.0.$n/24" dev eth0
  nsx "$name" ip addr add "fd00:77::$n/64" dev eth0 nodad
  nsx "$name" ip addr add "$VIP/32" dev lo
  nsx "$name" ip addr add "$VIP6/128" dev lo
  mkdir -p "$WORK/www-$name"
  echo "$name" >"$WORK/www-$name/name"
  echo ok >"$WORK/www-$name/health"
  ip netns exec "$P-$name" python3 -m http.server 8080 --bind :: --directory "$WORK/www-$name" \
    >>"$WORK/http-$name.log" 2>&1 &
  SERVER_PIDS+=($!)
}
lb_topology() {
  netns_lan 2
  segment 1 r1 r2
  nsx c sysctl -qw net.ipv4.tcp_rmem="4096 65536 131072"
  for r in r1 r2; do
    nsx $r sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
    nsx $r ip addr add "fd00:78::${r#r}/64" dev eth1 nodad
  done
  chmod 711 "$WORK"
  real_server s1 11
  real_server s2 12
  real_server s3 13
  real_server s9 99
  dr_server d1 21
  dr_server d2 22
  for s in s1 s2 s3 s9 d1 d2; do
    wait_for 5 "$s serves" nsx $s curl -sf -m 1 -o /dev/null "http://127.0.0.1:8080/name"
  done
}

# ---------------------------------------------------------------- the directors
check_block() {  # the HTTP check every real server of the web services carries
  echo "HTTP_GET {
      url {
        path /health
        status_code 200
      }
      connect_timeout 1
      retry 1
      delay_before_retry 0.2
    }"
}
director_conf() {  # director_conf NAME PRIORITY
  cat >"$WORK/$1.conf" <<CONF
global_defs {
  router_id $1
  vrrp_version 3
  runtime_state_file $WORK/$1.state
}
vrrp_sync_group G {
  group {
    OUT
    IN
  }
}
vrrp_instance OUT {
  interface eth0
  virtual_router_id 10
  priority $2
  advert_int 0.1
  virtual_ipaddress {
    $VIP/24
  }
  virtual_ipaddress_excluded {
    $VIP6/64
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
  virtual_ipaddress_excluded {
    fd00:78::254/64
  }
}
virtual_server $VIP 80 {
  delay_loop 0.3
  lb_algo wrr
  lb_kind NAT
  protocol TCP
  sorry_server 10.78.0.99 8080
  real_server 10.78.0.11 8080 {
    weight 1
    $(check_block)
  }
  real_server 10.78.0.12 8080 {
    weight 2
    rise 2
    $(check_block)
  }
  real_server 10.78.0.13 8080 {
    weight 3
    slowstart 3
    $(check_block)
  }
}
virtual_server $VIP 81 {
  delay_loop 0.3
  lb_algo rr
  lb_kind NAT
  protocol TCP
  persistence_timeout 60
  real_server 10.78.0.11 8080 {
  }
  real_server 10.78.0.12 8080 {
  }
  real_server 10.78.0.13 8080 {
  }
}
virtual_server $VIP 53 {
  lb_algo rr
  lb_kind NAT
  protocol UDP
  real_server 10.78.0.11 53 {
  }
  real_server 10.78.0.12 53 {
  }
  real_server 10.78.0.13 53 {
  }
}
virtual_server $VIP6 80 {
  delay_loop 0.3
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server fd00:78::11 8080 {
    $(check_block)
  }
  real_server fd00:78::12 8080 {
    $(check_block)
  }
}
virtual_server $VIP 8080 {
  delay_loop 0.3
  lb_algo rr
  lb_kind DR
  protocol TCP
  ha_suspend
  real_server 10.77.0.21 8080 {
    $(check_block)
  }
  real_server 10.77.0.22 8080 {
    $(check_block)
  }
}
virtual_server $VIP6 8080 {
  lb_algo rr
  lb_kind DR
  protocol TCP
  real_server fd00:77::21 8080 {
  }
  real_server fd00:77::22 8080 {
  }
}
CONF
  echo "$WORK/$1.conf"
}
split() { nsx c $CLIENT split "$@"; }
share() {  # share JSON NAME: NAME's count
  /usr/bin/python3 -c "import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2], 0))" "$1" "$2"
}
all_three() { local j; j=$(split $VIP 80 30); [ "$(share "$j" s1)" -gt 0 ] && [ "$(share "$j" s2)" -gt 0 ] && [ "$(share "$j" s3)" -gt 0 ]; }
# Polled conditions (for wait_for): NAME answers / never answers 12 new connections; only
# the sorry server answers.
serves() { local j; j=$(split $VIP 80 12); [ "$(share "$j" "$1")" -gt 0 ]; }
never_serves() { local j; j=$(split $VIP 80 12); [ "$(share "$j" "$1")" -eq 0 ] && [ "$(share "$j" error)" -eq 0 ]; }
dr_both() { local j; j=$(split $VIP 8080 10); [ "$(share "$j" d1)" -eq 5 ] && [ "$(share "$j" d2)" -eq 5 ]; }
dr_never() { local j; j=$(split $VIP 8080 10); [ "$(share "$j" "$1")" -eq 0 ] && [ "$(share "$j" error)" -eq 0 ]; }
only_sorry() { local j; j=$(split $VIP 80 6); [ "$(share "$j" s9)" -eq 6 ]; }
