# Runs inside the VM (scripts/ipvs-vm.sh): vipd (/work/vipd, lb_backend auto: IPVS here) on
# each config in configs/, listed as keepalived_reference.sh lists keepalived's, and after
# vipd stops, what it left in IPVS. The same listeners, and the same real server failing and
# coming back during nat_wrr_persistence.
for p in 8081 8083 8084 8089; do httpd -p 127.0.0.1:$p -h /tmp; done
httpd -f -p 127.0.0.1:8082 -h /tmp &
web=$!
httpd -p [::1]:8084 -h /tmp
for conf in /work/configs/*.conf; do
  name=$(basename "$conf" .conf)
  vipd -n -l -f "$conf" -p /run/vipd.pid --control-socket /run/vipd.sock >/tmp/vipd.log 2>&1 &
  pid=$!
  sleep 5
  echo "### $name"
  ipvsadm -Sn | sort
  ipvsadm -Ln --sort --thresholds | awk '/^(TCP|UDP|SCTP|FWM) / { svc = $1 " " $2 }
    $1 == "->" && $2 != "RemoteAddress:Port" && ($3 != 0 || $4 != 0) {
      print "thresholds " svc " " $2 " " $3 " " $4 }'
  # nat_wrr_persistence: 127.0.0.1:8082 fails its check, then comes back.
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
  grep -a "load balancer" /tmp/vipd.log | sed 's/^/log: /'
  kill $pid
  wait $pid
  echo "### $name after stop: $(ipvsadm -Sn | wc -l) rule(s)"
  ipvsadm -C
done
