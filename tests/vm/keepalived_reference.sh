# Runs inside the VM (scripts/ipvs-vm.sh): keepalived 2.2.7 on each config in configs/,
# listed by listings.sh (its VRRP process too: it runs lvs_sync_daemon).
start_daemon() {
  keepalived -n -l -f "$1" -p /run/ka.pid -c /run/kac.pid -r /run/kav.pid >/tmp/daemon.log 2>&1 &
}
. /work/listings.sh
