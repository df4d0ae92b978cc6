#!/usr/bin/env bash
# The kernel's share of a master's CPU: bench/send_floor.cc sends adverts through a raw
# socket with sendmmsg on the same wire as the other benchmarks (router namespace, veth,
# bridge, threaded NAPI) and reports the CPU per advert; times the advert rate, that is the
# least CPU any daemon needs, before any work of its own.
#   bench/floor.sh [COUNT]      prints µs per advert and CPU-s/min at 1000 x 100 ms
set -uo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-200000}
source tests/netns/lib.sh
source bench/instances.sh
P=vipd-floor-$$
netns_lan 2
wire_threads || exit 1
g++ -O2 -std=c++20 -o "$WORK/send_floor" bench/send_floor.cc || exit 1
runs=()
for _ in 1 2 3; do runs+=("$(nsx r1 "$WORK/send_floor" eth0 "$COUNT")"); done
us=$(printf '%s\n' "${runs[@]}" | sort -g | sed -n 2p)
echo "bare raw-socket sendmmsg: ${us} us of CPU per advert (median of ${runs[*]});"
echo "at 1000 x 100 ms (10000 adverts/s): $(awk -v u="$us" 'BEGIN { printf "%.2f", u * 0.6 }') CPU-s/min"
[ -z "${RESULTS:-}" ] || echo "floor $us" >>"$RESULTS"
