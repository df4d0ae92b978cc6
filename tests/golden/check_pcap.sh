#!/usr/bin/env bash
# tshark must decode every advert vipd writes with a good checksum and nothing malformed, and
# scapy must read the same fields back.
set -u
writer=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$writer" "$dir" || { echo "FAIL: writer"; exit 1; }
fail=0 pass=0
check() {  # name, expected, actual
  if [ "$2" = "$3" ]; then pass=$((pass + 1)); else
    echo "FAIL $1: expected [$2] got [$3]"; fail=$((fail + 1)); fi
}
fields=$(tshark -r "$dir/adverts.pcap" -T fields -E separator=, -e vrrp.version -e vrrp.virt_rtr_id \
  -e vrrp.prio -e vrrp.addr_count -e vrrp.checksum.status 2>/dev/null)
check "tshark fields" "2,51,100,1,1
2,51,100,1,1
2,51,0,1,1
2,7,255,3,1
3,52,150,1,1
3,52,150,1,1
3,53,200,2,1" "$fields"
bad=$(tshark -r "$dir/adverts.pcap" -Y '_ws.malformed or _ws.expert.severity >= 6291456' 2>/dev/null | wc -l)
check "tshark malformed or warnings" 0 "$bad"
# The RFC 9568 message-only form, with Wireshark told to expect it.
mo=$(tshark -r "$dir/v3_message_only.pcap" -o vrrp.v3_checksum_as_in_v2:TRUE -T fields \
  -e vrrp.checksum.status 2>/dev/null)
check "tshark v3 message-only checksum" 1 "$mo"
# keepalived's AH: tshark decodes the AH (SPI = source, sequence) and the VRRP inside it.
ah=$(tshark -r "$dir/ah.pcap" -T fields -E separator=, -e ip.proto -e ah.spi -e ah.sequence \
  -e vrrp.auth_type -e vrrp.checksum.status 2>/dev/null)
check "tshark AH" "51,0xc0a8010a,9,2,1" "$ah"
bad=$(tshark -r "$dir/ah.pcap" -Y '_ws.malformed or _ws.expert.severity >= 6291456' 2>/dev/null | wc -l)
check "tshark AH malformed or warnings" 0 "$bad"
scapy=$(/usr/bin/python3 - "$dir/adverts.pcap" <<'PY' 2>&1
import sys, warnings
warnings.filterwarnings("ignore")
from scapy.all import rdpcap, IP, IPv6
from scapy.layers.vrrp import VRRP, VRRPv3
from scapy.utils import checksum
for p in rdpcap(sys.argv[1]):
    v = p[VRRP] if VRRP in p else p[VRRPv3]
    src = p[IP].src if IP in p else p[IPv6].src
    addrs = v.addrlist
    # scapy recomputes the checksum when the field is deleted and the packet rebuilt.
    orig = v.chksum
    del v.chksum
    rebuilt = (p.__class__(bytes(p)))
    r = rebuilt[VRRP] if VRRP in rebuilt else rebuilt[VRRPv3]
    print(v.version, v.vrid, v.priority, len(addrs), src, int(orig == r.chksum))
PY
)
check "scapy fields" "2 51 100 1 192.168.1.10 1
2 51 100 1 192.168.1.10 1
2 51 0 1 192.168.1.10 1
2 7 255 3 192.168.1.10 1
3 52 150 1 192.168.1.10 1
3 52 150 1 192.168.1.10 1
3 53 200 2 fe80::1 1" "$scapy"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
