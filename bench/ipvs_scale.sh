#!/usr/bin/env bash
# IPVS at scale, vipd and keepalived 2.2.7 side by side in the same VM (issue 15; this
# machine's kernel has no IPVS): N virtual servers x R real servers with TCP_CHECKs, both
# daemons programming the same IPVS in turn (bench/vm/ipvs_scale_vm.sh says what is
# measured). Under qemu TCG the VM's one CPU is emulated: absolute times are many times a
# real host's; the ratios are what carries over.
#   bench/ipvs_scale.sh [VIPD] [N] [R]      default build-release's vipd, 1000, 10
set -euo pipefail
cd "$(dirname "$0")/.."
N=${2:-1000}
R=${3:-10}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
strip -o "$work/vipd" "$(realpath "${1:-build-release/src/daemon/vipd}")"
{
  for i in $(seq 0 $((N - 1))); do
    echo "virtual_server 10.10.$((i / 250)).$((i % 250 + 1)) 80 {"
    echo "  delay_loop 10"
    echo "  lb_algo wrr"
    echo "  lb_kind NAT"
    echo "  protocol TCP"
    for p in $(seq 1 "$R"); do
      echo "  real_server 127.0.0.1 $((9000 + p)) {"
      echo "    TCP_CHECK {"
      echo "      connect_timeout 2"
      echo "    }"
      echo "  }"
    done
    echo "}"
  done
} >"$work/scale.conf"
scripts/ipvs-vm.sh bench/vm/ipvs_scale_vm.sh "$work/vipd" "$work/scale.conf" | tee "$work/out"
echo
echo "IPVS, $N virtual servers x $R real servers, in the VM (keepalived 2.2.7 | vipd | ratio):"
awk '$1 == "bench" { v[$2 " " $3] = $4; k[$3] = 1 }
  END {
    split("startup_s start_cpu_s rss_kib steady_cpu down_first_s down_all_s stop_s", order, " ")
    for (i = 1; i in order; i++) {
      m = order[i]; a = v["keepalived " m]; b = v["vipd " m]
      r = (a + 0 > 0 && b != "none" && a != "none") ? sprintf("%.2f", b / a) : "-"
      printf "  %-13s %10s %10s %8s\n", m, a, b, r
    }
  }' "$work/out"
grep "^vipd: Health checking" "$work/out" || true
awk '$1 == "verdict" { printf "vipd, verdict to IPVS over %d changes: median %s ms, worst %s ms\n", $5, $3, $4 }' "$work/out"
