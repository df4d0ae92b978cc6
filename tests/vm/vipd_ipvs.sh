# Runs inside the VM (scripts/ipvs-vm.sh): vipd (/work/vipd, lb_backend auto: IPVS here) on
# each config in configs/, listed by listings.sh as keepalived's programming was.
start_daemon() {
  vipd -n -l -f "$1" -p /run/vipd.pid --control-socket /run/vipd.sock >/tmp/daemon.log 2>&1 &
}
. /work/listings.sh
