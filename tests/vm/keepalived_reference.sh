# Runs inside the VM (scripts/ipvs-vm.sh): keepalived 2.2.7's checker process on each config
# in configs/, listed by listings.sh.
start_daemon() {
  keepalived -n -l -C -f "$1" -p /run/ka.pid -c /run/kac.pid >/tmp/daemon.log 2>&1 &
}
. /work/listings.sh
