# Sourced inside the VM by keepalived_reference.sh and vipd_ipvs.sh, which define
# `start_daemon CONF` (it starts the daemon in the background, its log in /tmp/daemon.log).
# For each config in configs/: the daemon's IPVS programming once its checks have settled,
# `ipvsadm -Sn` sorted (every service and real server with its settings as ipvsadm options)
# and the real servers' connection thresholds, which -S leaves out; then what is left in
# IPVS after the daemon stops. Listeners: 127.0.0.1 ports 8081-8084 and 8089, ::1 port 8084;
# 9091-9093 have none (their checks fail). With nat_wrr_persistence, the listener on 8082
# then goes away and comes back ("_down", "_back"). With flush (lvs_flush and
# lvs_flush_on_stop), a service not configured is there before the start (10.9.9.9:99) and
# another one is added while the daemon runs (10.9.9.8:98). With syncd (lvs_sync_daemon
# following an instance on the dummy d0, alone: it becomes master after ~3.6 s), the sync
# daemons soon after the start ("_start") and once master; after a stop nothing may
# be left, sync daemons included. With traffic, connections from a client namespace
# through the VIP to real server namespaces (traffic.sh): "_split", "_down".
. /work/traffic.sh
traffic_setup
for p in 8081 8083 8084 8089; do httpd -p 127.0.0.1:$p -h /tmp; done
httpd -f -p 127.0.0.1:8082 -h /tmp &
web=$!
httpd -p [::1]:8084 -h /tmp
for conf in /work/configs/*.conf; do
  name=$(basename "$conf" .conf)
  [ "$name" = flush ] && ipvsadm -A -t 10.9.9.9:99 -s rr
  start_daemon "$conf"
  pid=$!
  if [ "$name" = syncd ]; then
    # Up to 3 s (the instance becomes master after 3.6 s): a sanitizer build starts slowly.
    for i in $(seq 30); do
      [ -n "$(ipvsadm -Ln --daemon)" ] && break
      sleep 0.1
    done
    echo "### ${name}_start"
    ipvsadm -Ln --daemon
  fi
  sleep 5
  echo "### $name"
  ipvsadm -Sn | sort
  ipvsadm -Ln --daemon
  ipvsadm -Ln --sort --thresholds | awk '/^(TCP|UDP|SCTP|FWM) / { svc = $1 " " $2 }
    $1 == "->" && $2 != "RemoteAddress:Port" && ($3 != 0 || $4 != 0) {
      print "thresholds " svc " " $2 " " $3 " " $4 }'
  if [ "$name" = nat_wrr_persistence ]; then
    kill $web
    sleep 3
    echo "### ${name}_down"
    ipvsadm -Sn | sort
    httpd -f -p 127.0.0.1:8082 -h /tmp &
    web=$!
    sleep 3
    echo "### ${name}_back"
    ipvsadm -Sn | sort
  fi
  [ "$name" = flush ] && ipvsadm -A -t 10.9.9.8:98 -s rr
  [ "$name" = traffic ] && traffic_phases
  grep -a "load balancer\|IPVS\|sync daemon" /tmp/daemon.log | sed 's/^/log: /'
  kill $pid
  wait $pid
  echo "### $name after stop: $(( $(ipvsadm -Sn | wc -l) + $(ipvsadm -Ln --daemon | wc -l) )) rule(s)"
  ipvsadm -C
done
