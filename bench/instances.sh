# Sourced by the scale benchmarks: gen_instances N PRIO INTERVAL prints N vrrp_instance
# blocks, 255 per segment (interface ethK, VRID 1..255), one VIP each (10.(100+K/256).K.J).
gen_instances() {
  local n=$1 prio=$2 interval=$3 i=0 k j
  for k in $(seq 0 $(( (n + 254) / 255 - 1 ))); do
    for j in $(seq 1 255); do
      [ $i -lt "$n" ] || break
      i=$((i + 1))
      printf 'vrrp_instance VI_%s_%s {\n  interface eth%s\n  virtual_router_id %s\n  priority %s\n  version 3\n  advert_int %s\n  virtual_ipaddress { 10.%s.%s.%s/32 }\n}\n' \
        "$k" "$j" "$k" "$j" "$prio" "$interval" "$((100 + k / 256))" "$((k % 256))" "$j"
    done
  done
}

# The wire's cost stays out of the daemons' CPU figures. A veth hands a packet to its peer
# and, by default, processes the peer's whole receive path (the bridge, and the other
# router's IP stack and raw socket) in the sending thread, so a router's CPU time would
# include its neighbour's receive work. With GRO on, the switch-side ends run NAPI, and with
# threaded NAPI that work moves to a kernel thread (napi/p-rN-...), as a NIC's interrupt
# would take it on real hardware. WIRE=inline keeps the veth default.
wire_threads() {  # wire_threads: every switch port of $P-sw
  [ "${WIRE:-napi}" = napi ] || return 0
  command -v ethtool >/dev/null || { echo "ethtool is needed for WIRE=napi" >&2; return 1; }
  local dev
  for dev in $(nsx sw ls /sys/class/net); do
    case "$dev" in p*-*) ;; *) continue ;; esac
    # GRO (NAPI) on; rx-gro-list makes the router side's TSO-capable skbs eligible for it.
    nsx sw ethtool -K "$dev" gro on rx-gro-list on >/dev/null
    nsx sw sh -c "echo 1 > /sys/class/net/$dev/threaded"
  done
  # Real-time like a threaded IRQ handler (SCHED_FIFO 50, the kernel's default for those):
  # on hardware the NIC drains its ring whatever user space is doing; a wire thread starved
  # by the busy loops would drop packets in its 256-slot ring instead.
  local pid
  for pid in $(pgrep '^napi/p'); do chrt -f -p 50 "$pid"; done
}

# drop_vips NS...: removes the benchmark VIPs (10.1xx.*) a daemon left behind when it
# stopped (keepalived's parent kills a VRRP child that is slow to exit, and its VIPs stay),
# so that the next daemon starts clean. Prints how many there were.
drop_vips() {
  local ns n total=0
  for ns in "$@"; do
    n=$(nsx "$ns" ip -o -4 addr show | awk '$4 ~ /^10\.1[0-9][0-9]\./ { print "addr del", $4, "dev", $2 }' |
      tee "$WORK/drop-$ns.batch" | wc -l)
    [ "$n" -eq 0 ] || nsx "$ns" ip -batch "$WORK/drop-$ns.batch"
    total=$((total + n))
  done
  echo "$total"
}

# scale_lan N: routers r1 and r2 on as many segments as N instances need (255 per
# segment, $SEGMENTS), the wire threaded.
scale_lan() {
  SEGMENTS=$(( ($1 + 254) / 255 ))
  netns_lan 2
  local k
  for k in $(seq 1 $((SEGMENTS - 1))); do segment "$k" r1 r2; done
  wire_threads
}

# gen_conf NAME PRIO: $N instances advertising every $INTERVAL into $WORK/NAME.conf, after
# $CONF_GLOBAL (default: no delay before the gratuitous ARPs); prints the path.
gen_conf() {
  local global=$'global_defs {\n  vrrp_garp_master_delay 0\n}\n'
  [ -z "${CONF_GLOBAL+set}" ] || global=$CONF_GLOBAL
  { printf '%s' "$global"; gen_instances "$N" "$2" "$INTERVAL"; } >"$WORK/$1.conf"
  echo "$WORK/$1.conf"
}
