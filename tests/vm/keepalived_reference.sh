# Runs inside the VM (scripts/ipvs-vm.sh): keepalived 2.2.7's checker process on each config
# in configs/, and what it programmed once its checks have settled: `ipvsadm -Sn`, sorted
# (every service and real server with its settings as ipvsadm options), and the real
# servers' connection thresholds, which -S leaves out. Listeners: 127.0.0.1 ports 8081-8084
# and 8089, ::1 port 8084; 9091-9093 have none (their checks fail). With
# nat_wrr_persistence, the listener on 8082 then goes away and comes back ("_down",
# "_back").
for p in 8081 8083 8084 8089; do httpd -p 127.0.0.1:$p -h /tmp; done
httpd -f -p 127.0.0.1:8082 -h /tmp &
web=$!
httpd -p [::1]:8084 -h /tmp
for conf in /work/configs/*.conf; do
  name=$(basename "$conf" .conf)
  keepalived -n -l -C -f "$conf" -p /run/ka.pid -c /run/kac.pid >/tmp/ka.log 2>&1 &
  ka=$!
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
  kill $ka
  wait $ka
  ipvsadm -C
done
