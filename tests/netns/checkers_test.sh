#!/usr/bin/env bash
# Health checkers against real servers in namespaces (issue 13): every checker type goes
# DOWN when its server fails and back UP when it returns, with the reason in the log;
# notify_up/notify_down, quorum_up/quorum_down and the LVS FIFO carry keepalived's
# arguments and lines; servers that misbehave (accept and never answer, headers without
# end, a stalled TLS handshake, a body without end) end as DOWN with a named reason.
#   tests/netns/checkers_test.sh VIPD GENHASH
VIPD=$(realpath "$1")
GENHASH=$(realpath "$2")
source "$(dirname "$0")/lib.sh"
netns_lan 2  # r1: the director running vipd; r2: the real servers
S=10.77.0.2
S6=fd00:77::2
nsx r2 ip addr add 10.77.0.23/24 dev eth0  # PING_CHECK's target, removed to fail it
chmod 711 "$WORK"

BAD=$(dirname "$(realpath "$0")")/bad_server.py
SERVER_PIDS=()
# ip netns exec execs the server: $! is the server itself, so kill stops it.
bg_r2() { ip netns exec "$P-r2" "$@" >>"$WORK/servers.log" 2>&1 & SERVER_PIDS+=($!); echo $!; }
cleanup_servers() {
  for p in "${SERVER_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  [ -f "$WORK/nginx-r2.pid" ] && kill "$(cat "$WORK/nginx-r2.pid")" 2>/dev/null
}
trap 'cleanup_servers; cleanup' EXIT

# ---------------------------------------------------------------- the real servers
mkdir -p "$WORK/www"
echo "healthy" >"$WORK/www/health"
HTTP_PID=$(bg_r2 python3 -m http.server 8080 --bind $S --directory "$WORK/www")
DIGEST=$(md5sum <"$WORK/www/health" | cut -d' ' -f1)

# nginx over TLS with a self-signed certificate.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" \
  -days 2 -subj "/CN=rs.test" >/dev/null 2>&1
mkdir -p "$WORK/nginx-r2"
cat >"$WORK/nginx-r2.conf" <<EOF
user root;
worker_processes 1;
pid $WORK/nginx-r2.pid;
error_log $WORK/nginx-r2/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx-r2/body;
  proxy_temp_path $WORK/nginx-r2/proxy;
  fastcgi_temp_path $WORK/nginx-r2/fastcgi;
  uwsgi_temp_path $WORK/nginx-r2/uwsgi;
  scgi_temp_path $WORK/nginx-r2/scgi;
  server {
    listen $S:8443 ssl;
    listen [$S6]:8443 ssl;
    ssl_certificate $WORK/cert.pem;
    ssl_certificate_key $WORK/key.pem;
    location /health { return 200 "tls ok\n"; }
    location / { return 404; }
  }
}
EOF
nginx_up() { nsx r2 nginx -c "$WORK/nginx-r2.conf"; }
nginx_down() { nsx r2 nginx -c "$WORK/nginx-r2.conf" -s stop; }
nginx_up

tcp_up() { TCP_PID=$(bg_r2 socat TCP-LISTEN:9000,bind=$S,fork,reuseaddr SYSTEM:true); }
tcp6_up() { TCP6_PID=$(bg_r2 socat "TCP6-LISTEN:9001,bind=[$S6],fork,reuseaddr" SYSTEM:true); }
udp_up() { UDP_PID=$(bg_r2 "$BAD" udp-pong $S 7777); }
dns_up() {
  DNS_PID=$(bg_r2 dnsmasq -k --conf-file=/dev/null --no-resolv --no-hosts --port=53 \
    --listen-address=$S --bind-interfaces --address=/svc.test/10.9.9.9 \
    --pid-file="$WORK/dnsmasq.pid")
}
smtp_up() {
  SMTP_PID=$(bg_r2 /usr/bin/python3 -W ignore -c "
import asyncore, smtpd
smtpd.SMTPServer(('$S', 2525), None)
asyncore.loop()")
}
tcp_up; tcp6_up; udp_up; dns_up; smtp_up
# Where the SMTP alerts go: prints each message it receives.
bg_r2 /usr/bin/python3 -u -W ignore -c "
import asyncore, smtpd
smtpd.DebuggingServer(('$S', 2526), None)
asyncore.loop()" >/dev/null
# Misbehaving servers: accepts and never answers; sends headers without end; accepts TLS
# and never speaks (SSL_GET); an endless body (digest).
bg_r2 "$BAD" silent $S 9100 >/dev/null
bg_r2 "$BAD" headers $S 9101 >/dev/null
bg_r2 "$BAD" silent $S 9102 >/dev/null
bg_r2 "$BAD" body $S 9103 >/dev/null
CERT=$WORK/cert.pem KEY=$WORK/key.pem bg_r2 "$BAD" tls-reset $S 9104 >/dev/null

wait_for 5 "the HTTP server answers" nsx r1 curl -sf -m 1 -o /dev/null http://$S:8080/health
wait_for 5 "nginx answers over TLS" nsx r1 curl -skf -m 1 -o /dev/null https://$S:8443/health
wait_for 5 "the TCP listener is up" nsx r1 bash -c "exec 3<>/dev/tcp/$S/9000"
wait_for 5 "the SMTP listener is up" nsx r1 bash -c "exec 3<>/dev/tcp/$S/2525"

echo "== genhash: the same digest as keepalived's genhash, HTTP and HTTPS"
for args in "-s $S -p 8080 -u /health" "-S -s $S -p 8443 -u /health" \
            "-s $S -p 8080 -u /missing -P 1.1" "-S -I -V rs.test -s $S6 -p 8443 -u /health"; do
  ours=$(nsx r1 "$GENHASH" $args 2>&1)
  theirs=$(nsx r1 genhash $args 2>&1)
  check "genhash $args: $ours (keepalived: $theirs)" [ -n "$ours" ] && [ "$ours" = "$theirs" ]
done
check "genhash: the HTTP digest is the body's md5sum" [ "$(nsx r1 "$GENHASH" -s $S -p 8080 -u /health)" = "$DIGEST" ]
nsx r1 "$GENHASH" -s $S -p 8999 -u / >/dev/null 2>&1
check "genhash: a refused connection exits 1" [ $? -eq 1 ]

# ---------------------------------------------------------------- the director's config
echo 1 >"$WORK/misc_ok"
echo 0 >"$WORK/track_value"
cat >"$WORK/notify.sh" <<EOF
#!/bin/sh
echo "\$*" >>$WORK/notify.out
EOF
cat >"$WORK/misc.sh" <<EOF
#!/bin/sh
[ -f $WORK/misc_ok ] || exit 1
exit \$(cat $WORK/misc_exit 2>/dev/null || echo 0)
EOF
chmod 755 "$WORK/notify.sh" "$WORK/misc.sh"
T="delay_loop 0.3
    connect_timeout 1
    retry 1
    delay_before_retry 0.2
    warmup 0"
rs() {  # rs ADDR PORT CHECKER-BLOCK
  echo "  real_server $1 $2 {
    notify_up \"$WORK/notify.sh up $1:$2\"
    notify_down \"$WORK/notify.sh down $1:$2\"
    $3
  }"
}
cat >"$WORK/r1.conf" <<EOF
global_defs {
  router_id director
  lvs_notify_fifo $WORK/lvs.fifo
  smtp_server $S 2526
  notification_email {
    ops@example.test
  }
  notification_email_from vipd@example.test
}
track_file tf_weight {
  file $WORK/track_value
}
virtual_server 10.77.0.200 80 {
  protocol TCP
  $T
  quorum 2
  omega
  quorum_up "$WORK/notify.sh quorum_up"
  quorum_down "$WORK/notify.sh quorum_down"
$(rs $S 8080 "HTTP_GET {
      url {
        path /health
        digest $DIGEST
      }
    }")
$(rs $S 8443 "SSL_GET {
      url {
        path /health
        status_code 200
      }
      enable_sni
      virtualhost rs.test
    }")
$(rs $S 9000 "TCP_CHECK { }")
}
virtual_server 10.77.0.201 53 {
  protocol UDP
  $T
$(rs $S 53 "DNS_CHECK {
      type A
      name svc.test
    }")
$(rs $S 7777 "UDP_CHECK {
      payload 70696e67
      require_reply 706f6eXX
      min_reply_length 4
    }")
$(rs 10.77.0.23 7 "PING_CHECK { }")
}
virtual_server 10.77.0.202 25 {
  protocol TCP
  $T
$(rs $S 2525 "SMTP_CHECK {
      helo_name director.test
    }")
$(rs $S 1 "MISC_CHECK {
      misc_path \"$WORK/misc.sh\"
      misc_timeout 2
      misc_dynamic
    }")
$(rs $S 2 "FILE_CHECK {
      track_file tf_weight
      weight 0
    }")
}
virtual_server fd00:77::200 443 {
  protocol TCP
  $T
$(rs $S6 8443 "SSL_GET {
      url {
        path /health
      }
    }")
$(rs $S6 9001 "TCP_CHECK { }")
$(rs $S6 7 "PING_CHECK { }")
}
virtual_server 10.77.0.203 80 {
  protocol TCP
  delay_loop 5
  connect_timeout 1
  warmup 0
$(rs $S 9100 "HTTP_GET {
      url {
        path /
      }
    }")
$(rs $S 9101 "HTTP_GET {
      url {
        path /
      }
    }")
$(rs $S 9102 "SSL_GET {
      url {
        path /
      }
    }")
$(rs $S 9103 "HTTP_GET {
      url {
        path /
        digest 00000000000000000000000000000000
      }
    }")
}
virtual_server 10.77.0.206 443 {
  protocol TCP
  $T
$(rs $S 9104 "SSL_GET {
      url {
        path /
      }
    }")
}
EOF

echo "== vipd -t on the checkers' config"
"$VIPD" -t -f "$WORK/r1.conf" >"$WORK/t.out" 2>&1
rc=$?
check "vipd -t accepts it (exit 0)" [ $rc -eq 0 ]
check "vipd -t names the line where keepalived's default wlc becomes wrr on nftables" \
  grep -q "r1.conf:[0-9]*:1: warning: lb_algo wlc (keepalived's default)" "$WORK/t.out"

LOG=$WORK/r1.log
nsx r1 sh -c "cat $WORK/lvs.fifo >$WORK/fifo.out" 2>/dev/null &
SERVER_PIDS+=($!)
mkfifo "$WORK/lvs.fifo" 2>/dev/null
start_vipd r1 "$WORK/r1.conf"
logged() { grep -a -- "$1" "$LOG" >/dev/null; }
notified() { grep -Fx -- "$1" "$WORK/notify.out" >/dev/null 2>&1; }
fifo_has() { grep -Fx -- "$1" "$WORK/fifo.out" >/dev/null 2>&1; }

# Every checker's first attempt passes (1 s bootstrap): no transition is logged.
alive() { kill -0 "${DAEMON_PIDS[r1]}" 2>/dev/null || { echo "vipd died"; tail -40 "$LOG"; exit 1; }; }
wait_for 5 "checks started" logged "Health checking 17 real server(s) of 6 virtual server(s)"
sigign=$(awk '/^SigIgn/ {print $2}' "/proc/${DAEMON_PIDS[r1]}/status")
check "SIGPIPE is ignored (a server closing mid-write is an error, not a kill)" \
  [ $((0x$sigign & 0x1000)) -ne 0 ]
sleep 2
check "no working server is marked DOWN at start" \
  bash -c "! grep -a -- '-> DOWN' $LOG | grep -v ':910[0-4]' | grep -v '10.77.0.23' >/dev/null"

# down_up NAME LABEL-PATTERN REASON-PATTERN BREAK-CMD MEND-CMD
# The checker's last transition is not DOWN (two checkers share a server: breaking it for
# one may leave the other DOWN until its next check).
is_up() { ! grep -a -- "$1" "$LOG" | grep -aE -- '-> DOWN|succeeded -> UP' | tail -1 | grep -q -- '-> DOWN'; }
down_up() {
  local name=$1 label=$2 reason=$3 brk=$4 mend=$5 since
  alive
  wait_for 10 "$name is UP before the test" is_up "$label"
  since=$(wc -l <"$LOG")
  eval "$brk"
  wait_for 10 "$name goes DOWN" bash -c "tail -n +$since $LOG | grep -a -- '$label.*-> DOWN' >/dev/null"
  check "$name: DOWN with the reason ($reason)" \
    bash -c "tail -n +$since $LOG | grep -a -- '$label' | grep -a -- '$reason' >/dev/null"
  since=$(wc -l <"$LOG")
  eval "$mend"
  wait_for 10 "$name comes back UP" bash -c "tail -n +$since $LOG | grep -a -- '$label: succeeded -> UP' >/dev/null"
  check "$name: back UP" bash -c "tail -n +$since $LOG | grep -a -- '$label: succeeded -> UP' >/dev/null"
}

cat >"$WORK/drop_echo6.nft" <<EOF
table ip6 vt_drop {
  chain in { type filter hook input priority 0; icmpv6 type echo-request drop; }
}
EOF

echo "== each checker type down and up against its real server"
down_up HTTP_GET "HTTP_GET \[$S\]:tcp:8080" "status 404 not in 200-299" \
  "mv $WORK/www/health $WORK/www/gone" "mv $WORK/www/gone $WORK/www/health"
down_up "HTTP_GET digest" "HTTP_GET \[$S\]:tcp:8080" "digest .* != expected $DIGEST" \
  "echo changed >$WORK/www/health" "echo healthy >$WORK/www/health"
check "notify_down ran with its configured arguments" notified "down $S:8080"
check "notify_up ran with its configured arguments" notified "up $S:8080"
check "the LVS FIFO got the RS DOWN line" fifo_has "RS [$S]:tcp:8080 [10.77.0.200]:tcp:80 DOWN"
check "the LVS FIFO got the RS UP line" fifo_has "RS [$S]:tcp:8080 [10.77.0.200]:tcp:80 UP"
mailed() { grep -aF -- "$1" "$WORK/servers.log" >/dev/null; }
wait_for 5 "the DOWN alert is mailed" mailed "Subject: [director] Realserver [$S]:tcp:8080 of virtual server [10.77.0.200]:tcp:80 - DOWN"
check "smtp_alert: the real server's DOWN is mailed" \
  mailed "Subject: [director] Realserver [$S]:tcp:8080 of virtual server [10.77.0.200]:tcp:80 - DOWN"
check "smtp_alert: the reason is in the mail" mailed "status 404 not in 200-299"
down_up SSL_GET "SSL_GET \[$S\]:tcp:8443" "connection refused" nginx_down nginx_up
down_up "SSL_GET over IPv6" "SSL_GET \[$S6\]:tcp:8443" "connection refused" nginx_down nginx_up
down_up TCP_CHECK "TCP_CHECK \[$S\]:tcp:9000" "connection refused" 'kill $TCP_PID' tcp_up
down_up "TCP_CHECK over IPv6" "TCP_CHECK \[$S6\]:tcp:9001" "connection refused" 'kill $TCP6_PID' tcp6_up
down_up DNS_CHECK "DNS_CHECK \[$S\]:udp:53" "port unreachable" 'kill $DNS_PID' dns_up
down_up UDP_CHECK "UDP_CHECK \[$S\]:udp:7777" "port unreachable" 'kill $UDP_PID' udp_up
down_up PING_CHECK "PING_CHECK \[10.77.0.23\]:udp:7" "no echo reply" \
  "nsx r2 ip addr del 10.77.0.23/24 dev eth0" "nsx r2 ip addr add 10.77.0.23/24 dev eth0"
down_up "PING_CHECK over IPv6" "PING_CHECK \[$S6\]:tcp:7" "no echo reply" \
  "nsx r2 nft -f $WORK/drop_echo6.nft" "nsx r2 nft delete table ip6 vt_drop"
down_up SMTP_CHECK "SMTP_CHECK \[$S\]:tcp:2525" "connection refused" 'kill $SMTP_PID' smtp_up
down_up MISC_CHECK "MISC_CHECK \[$S\]:tcp:1" "exited with status 1" \
  "rm $WORK/misc_ok" "echo 1 >$WORK/misc_ok"
down_up FILE_CHECK "FILE_CHECK \[$S\]:tcp:2" "holds 1" \
  "echo 1 >$WORK/track_value" "echo 0 >$WORK/track_value"

echo "== misc_dynamic sets the weight from the exit status"
echo 7 >"$WORK/misc_exit"
wait_for 5 "weight 5 from exit 7" logged "Changing weight to 5 for service \[$S\]:tcp:1 of VS \[10.77.0.202\]:tcp:25"
check "misc_dynamic: exit 7 -> weight 5" logged "Changing weight to 5 for service \[$S\]:tcp:1"
rm -f "$WORK/misc_exit"

echo "== quorum"
since=$(wc -l <"$LOG")
nginx_down
kill $TCP_PID
wait_for 10 "quorum lost" bash -c "tail -n +$since $LOG | grep -a 'Lost quorum 2-0=2 > 1 for VS \[10.77.0.200\]:tcp:80' >/dev/null"
check "quorum lost when the live weight drops below 2" \
  bash -c "tail -n +$since $LOG | grep -a 'Lost quorum' >/dev/null"
wait_for 5 "quorum_down ran" notified "quorum_down"
check "quorum_down ran" notified "quorum_down"
check "the LVS FIFO got the VS DOWN line" fifo_has "VS [10.77.0.200]:tcp:80 DOWN"
nginx_up
tcp_up
wait_for 10 "quorum gained" logged "Gained quorum 2+0=2 <= [23] for VS \[10.77.0.200\]:tcp:80"
check "quorum gained back" logged "Gained quorum"
wait_for 5 "quorum_up ran" notified "quorum_up"
check "quorum_up ran" notified "quorum_up"

echo "== reload"
cp "$WORK/r1.conf" "$WORK/r1.conf.orig"
cat >>"$WORK/r1.conf" <<EOF
virtual_server 10.77.0.204 80 {
  protocol TCP
  $T
$(rs $S 9000 "TCP_CHECK {
    }")
}
EOF
since=$(wc -l <"$LOG")
kill -HUP "${DAEMON_PIDS[r1]}"
wait_for 10 "the checks restart with the new virtual server" \
  bash -c "tail -n +$since $LOG | grep -a 'Health checking 18 real server(s) of 7 virtual server(s)' >/dev/null"
check "SIGHUP: the checkers take the new configuration and keep the 17 unchanged ones" \
  bash -c "tail -n +$since $LOG | grep -a 'Health checking 18 real server(s) of 7 virtual server(s) with 18 checker(s), 17 kept' >/dev/null"
sleep 3  # more than the first attempt of a checker that had started over would take
check "a server that was DOWN stays DOWN across the reload (no new transition)" \
  bash -c "! tail -n +$since $LOG | grep -a -- ':910[0-4]' | grep -a -- '-> \|Enabling' >/dev/null"
cat >>"$WORK/r1.conf" <<EOF
virtual_server 10.77.0.205 80 {
  protocol TCP
  real_server $S 8080 {
    HTTP_GET {
      url {
        path /
        regex "(unclosed"
      }
    }
  }
}
EOF
since=$(wc -l <"$LOG")
kill -HUP "${DAEMON_PIDS[r1]}"
wait_for 10 "a bad regex is refused" bash -c "tail -n +$since $LOG | grep -a 'Reload refused' >/dev/null"
check "SIGHUP with a regex that does not compile: refused at its line, the running config stays" \
  bash -c "tail -n +$since $LOG | grep -a \"r1.conf:.*regex '(unclosed'\" >/dev/null"
"$VIPD" -t -f "$WORK/r1.conf" >/dev/null 2>&1
check "vipd -t refuses the bad regex (exit 5)" [ $? -eq 5 ]
cp "$WORK/r1.conf.orig" "$WORK/r1.conf"
alive

echo "== misbehaving servers end DOWN with a named reason"
check "accepts and never answers: timeout" \
  logged "HTTP_GET \[$S\]:tcp:9100: /: timeout waiting for the reply"
check "headers without end: bounded and refused" \
  logged "HTTP_GET \[$S\]:tcp:9101: /: headers longer than 65536 bytes"
check "TLS handshake that never completes: timeout" \
  logged "SSL_GET \[$S\]:tcp:9102: /: timeout in the TLS handshake"
check "TLS reset right after the handshake: DOWN, and the daemon lives" \
  logged "SSL_GET \[$S\]:tcp:9104: /: .*-> DOWN"
check "a body without end: timeout, not memory" \
  logged "HTTP_GET \[$S\]:tcp:9103: /: timeout waiting for the reply"
# An unbounded reader would take gigabytes by now (the endless body streams at veth speed).
# The bound is ASan's: its quarantine keeps up to 256 MB of freed memory resident.
rss=$(awk '/VmRSS/ {print $2}' /proc/"${DAEMON_PIDS[r1]}"/status)
check "the daemon's memory stays bounded (RSS ${rss} kB < 320 MB)" [ "${rss:-999999}" -lt 327680 ]

echo "== stop"
before=$(wc -l <"$WORK/notify.out")
stop_daemon r1 TERM
check "vipd exits on SIGTERM" [ -z "${DAEMON_PIDS[r1]:-}" ]
# omega (on 10.77.0.200): its real servers that were up, and its quorum, are said down.
after_stop() { tail -n +$((before + 1)) "$WORK/notify.out" | grep -Fx -- "$1" >/dev/null; }
wait_for 3 "omega: quorum_down at shutdown" after_stop "quorum_down"
check "omega: quorum_down ran at shutdown" after_stop "quorum_down"
check "omega: notify_down ran at shutdown for a server that was up" after_stop "down $S:8080"
check "omega: nothing said for the virtual servers without it" \
  bash -c "! tail -n +$((before + 1)) $WORK/notify.out | grep -Fxq 'down $S:53'"
no_misc() { ! pgrep -f "^/bin/sh $WORK/misc.sh" >/dev/null; }
check "no MISC_CHECK script is left behind" no_misc
finish
