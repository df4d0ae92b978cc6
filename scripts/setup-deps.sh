#!/usr/bin/env bash
# Installs everything vipd needs to build, test and run its demo on Debian 12 (as root).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  build-essential g++ clang libclang-rt-14-dev cmake ninja-build ccache pkg-config \
  libfmt-dev libssl-dev libnftables-dev libgtest-dev libgmock-dev libbenchmark-dev \
  iproute2 iputils-ping nftables keepalived frr tcpdump tshark python3-scapy procps \
  nginx-light ethtool curl python3-prometheus-client nlohmann-json3-dev libcli11-dev libpcre2-dev dnsmasq-base socat \
  debhelper dpkg-dev fakeroot lintian man-db qemu-system-x86 binutils conntrack conntrackd \
  >/dev/null
# conntrackd is for the tests (vipd runs its own, per namespace): not the package's service
# in the host's namespace with its sample configuration.
if [ -d /run/systemd/system ]; then
  $SUDO systemctl disable --now conntrackd.service >/dev/null 2>&1 || true
fi
echo "dependencies installed"
