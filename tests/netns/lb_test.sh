#!/usr/bin/env bash
# Load balancing through nftables (issue 14), with real servers and two directors:
#   client c --br0-- r1, r2 (vipd, VRRP sync group: outside VIP + inside gateway VIP)
#                    --br1-- s1, s2, s3 (python http.server, dnsmasq) and s9 (sorry server)
# The real servers route back through the inside VIP (lb_kind NAT, seed 003's layout).
# Checked: the split over 1,000 new connections follows the weights; a server failing its
# HTTP check stops getting connections within delay_loop x (retry+1) + connect_timeout and
# comes back; an established download to another server is never cut by a change or a
# reload; losing quorum sends everything to the sorry server; persistence keeps a client on
# one server; UDP (DNS); IPv6; direct routing (lb_kind DR, the VIP on the real servers'
# loopback, answers straight to the client), IPv4 and IPv6; ha_suspend (no checks where the
# VIP is not); the master director dies and the backup serves; a restart
# after kill -9 replaces the stale table; nothing is left after SIGTERM.
# vipctl: `vs` shows what the checkers and the rules say; `rs drain` stops new connections
# while an established download through the server completes, survives a reload, and
# `rs enable` / `rs weight` undo and reweigh at run time.
#   tests/netns/lb_test.sh VIPD VIPCTL
VIPD=$(realpath "$1")
VIPCTL=$(realpath "$2")
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lb_lib.sh"
lb_topology

VIPD_ARGS=(--metrics-listen 127.0.0.1:9650)
start_vipd r1 "$(director_conf r1 150)"
VIPD_ARGS=()
start_vipd r2 "$(director_conf r2 100)"
wait_for 5 "r1 holds the outside VIP" has_addr r1 $VIP || { fail=$((fail + 1)); finish; exit 1; }
wait_for 5 "r1 holds the inside VIP" bash -c "ip -n $P-r1 -o addr show dev eth1 | grep -w 10.78.0.254"
for r in r1 r2; do
  wait_for 5 "$r wrote its table" bash -c "ip netns exec $P-$r nft list table inet vipd_lb >/dev/null 2>&1"
done
check "both directors hold the rules (traffic goes where the VIP is)" \
  bash -c "ip netns exec $P-r2 nft list chain inet vipd_lb nat_pre >/dev/null"

# ---------------------------------------------------------------- the split
wait_for 10 "all three real servers answer through the VIP" all_three
nsx r1 curl -sf http://127.0.0.1:9650/metrics >"$WORK/metrics-before.txt"
j=$(split $VIP 80 1000)
echo "     1000 connections, weights 1:2:3 -> $j"
nsx r1 curl -sf http://127.0.0.1:9650/metrics >"$WORK/metrics-after.txt"
check "keepalived_lvs_* counters follow the 1,000 connections sent (per real server as split)" \
  /usr/bin/python3 - "$WORK/metrics-before.txt" "$WORK/metrics-after.txt" "$VIP:80" "$j" <<'EOF'
import json, sys
from prometheus_client.parser import text_string_to_metric_families
def read(path):
    out = {}
    for f in text_string_to_metric_families(open(path).read()):
        for s in f.samples:  # by family: the parser names a counter's sample ..._total
            out[(f.name, tuple(sorted(s.labels.items())))] = s.value
    return out
a, b, vs, split = read(sys.argv[1]), read(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4])
def delta(name, **labels):
    k = (name, tuple(sorted(labels.items())))
    assert k in b, f"no {name} {labels}"
    return b[k] - a.get(k, 0)
conns = delta("keepalived_lvs_vip_conn", addr=vs, proto="TCP")
assert conns == 1000, conns
ins, outs = delta("keepalived_lvs_vip_in_packets", addr=vs, proto="TCP"), \
    delta("keepalived_lvs_vip_out_packets", addr=vs, proto="TCP")
assert 3000 <= ins <= 15000 and 3000 <= outs <= 15000, (ins, outs)  # a TCP exchange each
assert delta("keepalived_lvs_vip_out_bytes", addr=vs, proto="TCP") > \
    delta("keepalived_lvs_vip_in_bytes", addr=vs, proto="TCP") > 1000 * 3 * 40
for name, rs in (("s1", "10.78.0.11:8080"), ("s2", "10.78.0.12:8080"), ("s3", "10.78.0.13:8080")):
    got = delta("keepalived_lvs_rs_conn", addr=rs, proto="TCP", vs=vs)
    assert got == split.get(name, 0), (name, got, split)
print(f"     metrics: {conns:.0f} connections, {ins:.0f} packets in, {outs:.0f} out", file=sys.stderr)
EOF
within() {  # within COUNT EXPECTED_PERCENT: within 5 points over 1000
  local got=$(( $1 / 10 ))
  [ "$got" -ge $(( $2 - 5 )) ] && [ "$got" -le $(( $2 + 5 )) ]
}
check "wrr: s1 gets 1/6 (+-5 points)" within "$(share "$j" s1)" 17
check "wrr: s2 gets 2/6 (+-5 points)" within "$(share "$j" s2)" 33
check "wrr: s3 gets 3/6 (+-5 points)" within "$(share "$j" s3)" 50
check "wrr: no connection failed" [ "$(share "$j" error)" -eq 0 ]

# ---------------------------------------------------------------- failure and return
# A long download from s1 (rate-limited: ~8 s) runs through every change below.
nsx c curl -s -m 60 --limit-rate 400k -o "$WORK/big.out" -w '%{http_code}' \
  "http://$VIP:80/big" >"$WORK/big.code" 2>&1 &
DL=$!
sleep 0.3
t0=$(now_ms)
rm "$WORK/www-s2/health"
# delay_loop x (retry + 1) + connect_timeout = 0.3 x 2 + 1 = 1.6 s; the test allows 1 s more
# for the client's own polling.
wait_for 3 "s2 leaves the pool" never_serves s2
left=$(( $(now_ms) - t0 ))
down_log=$(log_ms "$WORK/r1.log" "load balancer: VS \[$VIP\]:tcp:80: 10.78.0.11:8080 weight 1, 10.78.0.13" "$t0")
echo "     s2 failed: out of the pool after $(( down_log - t0 )) ms (rule), no connection to it after ${left} ms (bound 1600 ms)"
check "a failing real server gets no new connection within the bound" [ "$(( down_log - t0 ))" -le 1600 ]
check "the log names the failing check" grep -q "HTTP_GET \[10.78.0.12\]:tcp:8080: /health: status 404" "$WORK/r1.log"
vs_json() { "$VIPCTL" -S "$WORK/r1.sock" --json vs; }
rs_field() {  # rs_field VS RS FIELD: one field of a real server in `vipctl vs --json`
  vs_json | /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin)['result']
for v in d['virtual_servers']:
  for r in v['real_servers']:
    if v['name']==sys.argv[1] and r['name']==sys.argv[2]: print(json.dumps(r[sys.argv[3]]))" "$@"
}
rs_is() { [ "$(rs_field "$1" "$2" "$3")" = "$4" ]; }
check "vipctl vs: s2 is down" rs_is $VIP:80 10.78.0.12:8080 state '"down"'
check "vipctl vs: s2 is out of the pool" rs_is $VIP:80 10.78.0.12:8080 in_pool false
check "vipctl vs: its checker's last result names the reason" \
  bash -c "$VIPCTL -S $WORK/r1.sock --json vs | grep -q 'status 404'"
"$VIPCTL" -S "$WORK/r1.sock" vs | sed 's/^/     /' | head -6
nsx r1 curl -sf http://127.0.0.1:9650/metrics >"$WORK/metrics.txt"
check "metrics (parsed by prometheus_client): s2 down and out of the pool, failures by class, durations" \
  /usr/bin/python3 - "$WORK/metrics.txt" "$VIP:80" <<'EOF'
import sys
from prometheus_client.parser import text_string_to_metric_families
fams = {f.name: f for f in text_string_to_metric_families(open(sys.argv[1]).read())}
vs = sys.argv[2]
def val(name, suffix="", **labels):
    for s in fams[name].samples:
        if s.name == name + suffix and all(s.labels.get(k) == v for k, v in labels.items()):
            return s.value
    raise SystemExit(f"no sample {name}{suffix} {labels}")
assert val("vipd_rs_up", vs=vs, rs="10.78.0.12:8080") == 0
assert val("vipd_rs_in_pool", vs=vs, rs="10.78.0.12:8080") == 0
assert val("vipd_rs_up", vs=vs, rs="10.78.0.11:8080") == 1
assert val("vipd_rs_in_pool", vs=vs, rs="10.78.0.11:8080") == 1
assert val("vipd_rs_weight", vs=vs, rs="10.78.0.13:8080") == 3
assert val("vipd_vs_quorum_up", vs=vs) == 1
assert val("vipd_check_failures", "_total", type="HTTP_GET", reason="status") >= 2
assert val("vipd_check_duration_seconds", "_count", type="HTTP_GET") > 0
assert val("vipd_check_duration_seconds", "_bucket", type="HTTP_GET", le="+Inf") == \
    val("vipd_check_duration_seconds", "_count", type="HTTP_GET")
assert val("vipd_lb_pool_changes", "_total") >= 1
assert val("keepalived_up") == 1
EOF
check "the Grafana dashboard queries only metrics vipd exports (both halves)" \
  /usr/bin/python3 - "$WORK/metrics.txt" "$(dirname "$0")/../../packaging/grafana/vipd-dashboard.json" <<'EOF'
import json, re, sys
exported = {line.split()[2] for line in open(sys.argv[1]) if line.startswith("# TYPE ")}
exprs = [t["expr"] for p in json.load(open(sys.argv[2]))["panels"] for t in p["targets"]]
used = {re.sub(r"_(bucket|sum|count)$", "", m)
        for e in exprs for m in re.findall(r"\b(?:keepalived|vipd)_[a-z_]+\b", e)}
assert any(m.startswith("vipd_rs_") for m in used), "no load-balancing panel"
assert used <= exported, sorted(used - exported)
EOF
rm -f /tmp/keepalived_check.data /tmp/keepalived_check.json
kill -USR1 "${DAEMON_PIDS[r1]}"
kill -s RTMIN+2 "${DAEMON_PIDS[r1]}"
wait_for 3 "SIGUSR1 wrote keepalived_check.data" test -s /tmp/keepalived_check.data
check "SIGUSR1: keepalived_check.data has s2 with alive = 0" \
  bash -c "grep -A2 'RS = \[10.78.0.12\]:tcp:8080' /tmp/keepalived_check.data | grep -q 'alive = 0'"
wait_for 3 "the JSON dump wrote keepalived_check.json" test -s /tmp/keepalived_check.json
check "JSON dump: keepalived_check.json has s2 down" \
  /usr/bin/python3 -c "import json; d=json.load(open('/tmp/keepalived_check.json')); import sys; sys.exit(0 if any(r['name']=='10.78.0.12:8080' and r['state']=='down' for v in d['virtual_servers'] for r in v['real_servers']) else 1)"
rm -f /tmp/keepalived_check.data /tmp/keepalived_check.json
"$VIPCTL" -S "$WORK/r1.sock" explain $VIP:80 10.78.0.12:8080 >"$WORK/explain.out"
echo "     vipctl explain $VIP:80 10.78.0.12:8080: $(cat "$WORK/explain.out")"
check "vipctl explain VS RS: DOWN since a time, with the failing check and its reason" \
  grep -Eq '^DOWN since [0-9:]{8} .*HTTP_GET .*/health: status 404.*not in the load balancer' "$WORK/explain.out"
echo ok >"$WORK/www-s2/health"
wait_for 3 "s2 comes back" serves s2
check "s2 is back in the pool" serves s2
check "vipctl vs: s2 is up and in the pool again" rs_is $VIP:80 10.78.0.12:8080 in_pool true
check "rise 2: s2 needed two successes to come back" \
  grep -q "HTTP_GET \[10.78.0.12\]:tcp:8080: succeeded (1 of 2 needed before UP)" "$WORK/r1.log"
check "vipctl vs counts s2's flaps (down, up)" rs_is $VIP:80 10.78.0.12:8080 flaps 2

# ---------------------------------------------------------------- quorum and sorry server
for s in s1 s2 s3; do rm "$WORK/www-$s/health"; done
wait_for 4 "every real server down: the sorry server answers" only_sorry
check "quorum lost: the sorry server takes every connection" only_sorry
check "quorum lost is logged" grep -q "Lost quorum" "$WORK/r1.log"
for s in s1 s2 s3; do echo ok >"$WORK/www-$s/health"; done
wait_for 4 "the real servers are back" all_three
# slowstart 3 on s3: back at weight 1, then ramping to its 3.
check "slowstart: s3 comes back ramping" rs_is $VIP:80 10.78.0.13:8080 ramping true
w=$(rs_field $VIP:80 10.78.0.13:8080 weight)
check "slowstart: s3's weight starts below its own (now $w of 3)" [ "$w" -lt 3 ]
wait_for 5 "s3's slowstart ends" rs_is $VIP:80 10.78.0.13:8080 ramping false
check "slowstart: after 3 s s3 has its whole weight" rs_is $VIP:80 10.78.0.13:8080 weight 3
check "quorum back: the sorry server is out" never_serves s9

# A reload in the middle (SIGHUP; one real server's weight changed): every other real
# server keeps its state, and the download goes on.
sed -i '0,/weight 3/s//weight 4/' "$WORK/r1.conf"
kill -HUP "${DAEMON_PIDS[r1]}"
wait_for 5 "the reload is applied" grep -q "1 kept\|kept, 1 added" "$WORK/r1.log"
check "reload: the changed virtual server is replaced, the others kept" \
  grep -q "programmed, 5 kept, 1 added, 0 removed" "$WORK/r1.log"

# ---------------------------------------------------------------- vipctl rs drain / enable
# A second download, from a known client port; the real server carrying it is drained.
nsx c curl -s -m 60 --local-port 45123 --limit-rate 800k -o "$WORK/big2.out" -w '%{http_code}' \
  "http://$VIP:80/big" >"$WORK/big2.code" 2>&1 &
DL2=$!
carrier() { for s in s1 s2 s3; do nsx $s ss -Htn '( sport = :8080 and dport = :45123 )' | grep . >/dev/null && { echo $s; return 0; }; done; return 1; }
wait_for 3 "the download is established" carrier
D=$(carrier)
DADDR=10.78.0.1${D#s}
check "vipctl rs drain $DADDR:8080" "$VIPCTL" -S "$WORK/r1.sock" rs drain $VIP:80 $DADDR:8080
check "drained: $D gets no new connection" never_serves $D
check "vipctl vs shows it drained" rs_is $VIP:80 $DADDR:8080 drained true
sed -i '0,/weight 4/s//weight 3/' "$WORK/r1.conf"   # the drained server's VS is rewritten
kill -HUP "${DAEMON_PIDS[r1]}"
wait_for 5 "the second reload is applied" bash -c "[ \$(grep -c 'virtual server(s) programmed' $WORK/r1.log) -ge 3 ]"
check "drained across a reload" never_serves $D
# A SIGHUP with the files as they are: read, found the same, nothing parsed or applied.
kill -HUP "${DAEMON_PIDS[r1]}"
wait_for 5 "the no-change reload is done" grep -q "reads the same as the running one" "$WORK/r1.log"
check "no-change reload: nothing applied (no table write)" \
  bash -c "[ \$(grep -c 'virtual server(s) programmed' $WORK/r1.log) -eq 3 ]"
check "no-change reload: still drained" never_serves $D
wait "$DL2"
check "the download through the drained server completed (4000000 bytes, 200)" \
  bash -c "[ \"\$(stat -c %s $WORK/big2.out)\" -eq 4000000 ] && [ \"\$(cat $WORK/big2.code)\" = 200 ]"
check "vipctl rs enable" "$VIPCTL" -S "$WORK/r1.sock" rs enable $VIP:80 $DADDR:8080
check "enabled: $D serves again" serves $D
"$VIPCTL" -S "$WORK/r1.sock" rs drain $VIP:80 10.9.9.9:1 >"$WORK/ctl.err" 2>&1
check "an unknown real server is refused with a clear error (exit 1)" \
  bash -c "[ $? -eq 1 ] && grep -q 'has no real server' $WORK/ctl.err"
# Weights at run time: s1 at 3 with s2 2 and s3 3 (the second reload's): 3:2:3 of 8 slots,
# 80 connections.
"$VIPCTL" -S "$WORK/r1.sock" rs weight $VIP:80 10.78.0.11:8080 3 >/dev/null
j=$(split $VIP 80 80)
echo "     s1 at weight 3 (vipctl), s2 2, s3 3: 80 connections -> $j"
check "vipctl rs weight changes the split (30/20/30)" \
  bash -c "[ $(share "$j" s1) -eq 30 ] && [ $(share "$j" s2) -eq 20 ] && [ $(share "$j" s3) -eq 30 ]"

wait "$DL"
check "the long download through the VIP survived every change (4000000 bytes, 200)" \
  bash -c "[ \"\$(stat -c %s $WORK/big.out)\" -eq 4000000 ] && [ \"\$(cat $WORK/big.code)\" = 200 ]"

# ---------------------------------------------------------------- persistence, UDP, IPv6
j=$(split $VIP 81 20)
echo "     persistent service, 20 connections from one client -> $j"
check "persistence: one client stays on one real server" \
  /usr/bin/python3 -c "import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if len(d)==1 and 'error' not in d else 1)" "$j"
check "persistence: the client is recorded in the map" \
  bash -c "ip netns exec $P-r1 nft list table inet vipd_lb | grep -A8 'map p_' | grep -q '10.77.0.100 '"
j=$(nsx c $CLIENT dns $VIP 30)
echo "     30 DNS queries through the VIP -> $j"
check "UDP: DNS queries spread over the three real servers" \
  /usr/bin/python3 -c "import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if sorted(d)==['10.9.9.11','10.9.9.12','10.9.9.13'] else 1)" "$j"
wait_for 5 "r1 answers ND for the IPv6 VIP" nsx c ping -6 -c1 -W1 $VIP6
j=$(split $VIP6 80 40)
echo "     IPv6, 40 connections -> $j"
check "IPv6: rr over the two real servers" bash -c "[ $(share "$j" s1) -eq 20 ] && [ $(share "$j" s2) -eq 20 ]"

# ---------------------------------------------------------------- direct routing
j=$(split $VIP 8080 40)
echo "     DR, 40 connections -> $j"
check "DR: rr over the two real servers" bash -c "[ $(share "$j" d1) -eq 20 ] && [ $(share "$j" d2) -eq 20 ]"
# Each answer comes from a real server's own MAC address: not through the director.
nsx c nft -f - <<NFT
table inet vipd_test {
  chain in {
    type filter hook input priority 0;
    ip saddr $VIP tcp sport 8080 ether saddr $(nsx d1 cat /sys/class/net/eth0/address) counter
    ip saddr $VIP tcp sport 8080 ether saddr $(nsx d2 cat /sys/class/net/eth0/address) counter
    ip saddr $VIP tcp sport 8080 counter
  }
}
NFT
split $VIP 8080 10 >/dev/null
counts=$(nsx c nft list chain inet vipd_test in | grep -o 'packets [0-9]*' | awk '{print $2}' | xargs)
echo "     answers to 10 connections seen by the client, from d1's MAC, d2's MAC, all: $counts"
check "DR: the real servers answer the client directly" \
  bash -c "set -- $counts; [ \$1 -gt 0 ] && [ \$2 -gt 0 ] && [ \$((\$1 + \$2)) -eq \$3 ]"
check "DR: the director recorded the client's flows" \
  bash -c "ip netns exec $P-r1 nft list table ip vipd_dr | grep -A12 'map f_' | grep -q '10.77.0.100 . '"
rm "$WORK/www-d1/health"
wait_for 3 "DR: d1 fails its check and leaves" dr_never d1
check "DR: a failing real server gets no new connection" dr_never d1
echo ok >"$WORK/www-d1/health"
wait_for 3 "DR: d1 comes back" dr_both
j=$(split $VIP6 8080 20)
echo "     DR over IPv6, 20 connections -> $j"
# IPv6 DR records the client's address (docs/design/load-balancing.md): one client, one server.
check "DR over IPv6: the client's connections all reach one real server" \
  /usr/bin/python3 -c "import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if len(d)==1 and list(d.values())[0]==20 and 'error' not in d else 1)" "$j"

# ha_suspend (on the DR service): the backup, without the VIP, does not check its servers
# (d1's server logs each request's source, "::ffff:10.77.0.2" for r2).
check "ha_suspend: the backup suspended the DR service's checkers" \
  grep -q "Suspending health checkers of VS \[$VIP\]:tcp:8080" "$WORK/r2.log"
check "ha_suspend: the master checks them (its VIP is here)" \
  grep -q "Activating health checkers of VS \[$VIP\]:tcp:8080" "$WORK/r1.log"
check "ha_suspend: no check from the backup reached d1" \
  bash -c "! grep -Eq '(^|:)10[.]77[.]0[.]2 .*GET /health' $WORK/http-d1.log"

# ---------------------------------------------------------------- the master director dies
# kill -9 and its links cut: a dead machine. r2 takes both VIPs and serves.
stop_daemon r1 KILL
nsx r1 ip link set eth0 down
nsx r1 ip link set eth1 down
wait_for 5 "r2 takes the outside VIP" has_addr r2 $VIP
wait_for 10 "the backup director serves" all_three
check "the master died: the backup director serves all three" all_three
wait_for 5 "the backup director serves DR" dr_both
check "the master died: the backup director serves DR" dr_both
check "ha_suspend: the new master activated the checkers" \
  grep -q "Activating health checkers of VS \[$VIP\]:tcp:8080" "$WORK/r2.log"
wait_for 3 "r2 checks d1" bash -c "grep -Eq '(^|:)10[.]77[.]0[.]2 .*GET /health' $WORK/http-d1.log"
check "ha_suspend: the new master's checks reach d1" \
  bash -c "grep -Eq '(^|:)10[.]77[.]0[.]2 .*GET /health' $WORK/http-d1.log"

# r1 comes back: its daemon restarts over the table the killed one left.
nsx r1 ip link set eth0 up
nsx r1 ip link set eth1 up
start_vipd r1 "$WORK/r1.conf"
wait_for 10 "r1 is master again" has_addr r1 $VIP
wait_for 5 "r1 rewrote its table" grep -q "programmed, 0 kept, 6 added" "$WORK/r1.log"
sleep 0.5
check "restart after kill -9: one table, each service once" \
  bash -c "[ \$(ip netns exec $P-r1 nft list table inet vipd_lb | grep -c '^	chain vs_') -eq 4 ]"
check "restart after kill -9: the DR services once each (ip and ip6)" \
  bash -c "[ \$(ip netns exec $P-r1 nft list table ip vipd_dr | grep -c '^	chain vs_') -eq 1 ] && [ \$(ip netns exec $P-r1 nft list table ip6 vipd_dr | grep -c '^	chain vs_') -eq 1 ]"
wait_for 10 "r1 serves again" all_three
check "r1 serves again" all_three
check "runtime_state_file: the weight set by vipctl survived the restart" \
  rs_is $VIP:80 10.78.0.11:8080 weight_set 3

for r in r1 r2; do stop_daemon $r TERM; done
check "SIGTERM: no table left on r1" bash -c "! ip netns exec $P-r1 nft list table inet vipd_lb >/dev/null 2>&1"
check "SIGTERM: no table left on r2" bash -c "! ip netns exec $P-r2 nft list table inet vipd_lb >/dev/null 2>&1"
check "SIGTERM: no DR tables left on r1" \
  bash -c "! ip netns exec $P-r1 nft list tables | grep -q vipd_dr"
finish
