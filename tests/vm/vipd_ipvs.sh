# Runs inside the VM (scripts/ipvs-vm.sh): vipd (/work/vipd, lb_backend auto: IPVS here) on
# each config in configs/, listed by listings.sh as keepalived's programming was.
start_daemon() {
  vipd -n -l -f "$1" -p /run/vipd.pid --control-socket /run/vipd.sock \
    --metrics-listen 127.0.0.1:9650 >/tmp/daemon.log 2>&1 &
}
# After traffic.sh's 10 connections: what vipd reads back from IPVS's counters (which the
# kernel's estimator folds in every 2 s).
after_split() {
  sleep 3
  echo "### traffic_metrics"
  printf 'GET /metrics HTTP/1.0\r\n\r\n' | nc -w 2 127.0.0.1 9650 | grep '^keepalived_lvs_rs_conn{'
}
. /work/listings.sh
