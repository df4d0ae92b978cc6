# Sourced by the scale benchmarks: gen_instances N PRIO INTERVAL prints N vrrp_instance
# blocks, 250 per segment (interface ethK, VRID 1..250), one VIP each (10.(100+K/256).K.J).
gen_instances() {
  local n=$1 prio=$2 interval=$3 i=0 k j
  for k in $(seq 0 $(( (n + 249) / 250 - 1 ))); do
    for j in $(seq 1 250); do
      [ $i -lt "$n" ] || break
      i=$((i + 1))
      printf 'vrrp_instance VI_%s_%s {\n  interface eth%s\n  virtual_router_id %s\n  priority %s\n  version 3\n  advert_int %s\n  virtual_ipaddress { 10.%s.%s.%s/32 }\n}\n' \
        "$k" "$j" "$k" "$j" "$prio" "$interval" "$((100 + k / 256))" "$((k % 256))" "$j"
    done
  done
}
