# Sourced by listings.sh inside the VM: real traffic through the IPVS director. The VM is
# the director; a client and two real servers are network namespaces behind veths (Debian's
# ip, passed in as /work/ip: busybox's has no netns):
#   c (10.2.0.2) -- vc 10.2.0.1, VIP 10.2.0.10 -- vr1 10.3.1.1 -- rs1 (10.3.1.11, httpd)
#                                              -- vr2 10.3.2.1 -- rs2 (10.3.2.11, httpd)
# The real servers route back through the director (lb_kind NAT). By its path: busybox's
# shell runs its own applets before looking in PATH.
IP=/work/ip
traffic_setup() {
  echo 1 >/proc/sys/net/ipv4/ip_forward
  $IP netns add c
  $IP link add vc type veth peer name eth0 netns c
  $IP addr add 10.2.0.1/24 dev vc
  $IP addr add 10.2.0.10/32 dev vc
  $IP link set vc up
  $IP -n c addr add 10.2.0.2/24 dev eth0
  $IP -n c link set eth0 up
  $IP -n c link set lo up
  $IP -n c route add default via 10.2.0.1
  for n in 1 2; do
    $IP netns add rs$n
    $IP link add vr$n type veth peer name eth0 netns rs$n
    $IP addr add 10.3.$n.1/24 dev vr$n
    $IP link set vr$n up
    $IP -n rs$n addr add 10.3.$n.11/24 dev eth0
    $IP -n rs$n link set eth0 up
    $IP -n rs$n link set lo up
    $IP -n rs$n route add default via 10.3.$n.1
    mkdir -p /tmp/rs$n
    echo rs$n >/tmp/rs$n/name
  done
  $IP netns exec rs1 httpd -f -p 10.3.1.11:80 -h /tmp/rs1 &
  rs1_web=$!
  $IP netns exec rs2 httpd -p 10.3.2.11:80 -h /tmp/rs2
}

# split N: N new connections from the client to the VIP; which real server answered each.
split() {
  for i in $(seq "$1"); do
    # nc, not busybox's static wget: its service lookup crashes without NSS modules.
    printf 'GET /name HTTP/1.0\r\n\r\n' | $IP netns exec c nc -w 2 10.2.0.10 80 |
      tail -1 | grep rs || echo none
  done | sort | uniq -c | awk '{ printf "split %s %s\n", $2, $1 }'
}

# After the listing of the traffic config: the split over 10 connections (round robin: 5 and
# 5), then rs1's server stops and the split once its check has failed (all to rs2).
traffic_phases() {
  echo "### traffic_split"
  split 10
  if command -v after_split >/dev/null; then after_split; fi
  kill "$rs1_web"
  sleep 4
  echo "### traffic_down"
  split 4
  ipvsadm -Sn | sort
  $IP netns exec rs1 httpd -f -p 10.3.1.11:80 -h /tmp/rs1 &
  rs1_web=$!
}
