#!/usr/bin/env bash
# Records what keepalived 2.2.7 programs into IPVS for each config in tests/vm/configs, in a
# VM with Debian's cloud kernel (scripts/ipvs-vm.sh; about 55 s under TCG), as
# tests/vm/expected/NAME.txt: `ipvsadm -Sn`, sorted (the rules as ipvsadm commands: every
# service and real server with all its settings) and the connection thresholds. These are what vipd's IPVS backend must program for the same configs (issue 15).
#   tests/vm/record.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp)
trap 'rm -f "$out"' EXIT
scripts/ipvs-vm.sh tests/vm/keepalived_reference.sh tests/vm/listings.sh tests/vm/traffic.sh /usr/bin/ip tests/vm/configs >"$out"
mkdir -p tests/vm/expected
# keepalived's own log lines reach the console too: keep the listings.
awk '/^### / { f = "tests/vm/expected/" $2 ".txt"; printf "" >f; next }
  f && /^(-[Aa]|thresholds|master sync|backup sync|split) / { print >>f }' "$out"
ls tests/vm/expected
