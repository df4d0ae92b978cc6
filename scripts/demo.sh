#!/usr/bin/env bash
# vipd's main job. Installs dependencies, builds, and shows vipd reading a keepalived.conf:
# the check result and the normalized config it will run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-deps.sh
scripts/build.sh release
vipd=build-release/src/daemon/vipd
conf=${1:-examples/keepalived.conf}
echo "== vipd -t -f $conf"
"$vipd" -t -f "$conf"
echo
echo "== vipd --dump-conf -f $conf (normalized; parses back to the same model)"
"$vipd" --dump-conf -f "$conf"
