#!/usr/bin/python3
"""Floods a LAN with garbage IP protocol 112 packets, as issue 17's fault matrix asks.

  vrrp_flood.py SRC VRID SECONDS RATE

Sent to 224.0.0.18 from SRC, RATE packets per second, in turn:
  random bytes; a valid VRRPv3 advert for another VRID (200); an advert for VRID with
  priority 254 but TTL 64; the same with TTL 255 and a wrong checksum; a VRRPv2 header
  (version 2) for VRID with priority 254.
Every advert that claims VRID would take mastership if it were accepted.
Prints how many packets were sent.
"""
import os
import socket
import struct
import sys
import time


def csum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip_header(src: bytes, dst: bytes, ttl: int, length: int) -> bytes:
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0xC0, 20 + length, 0, 0, ttl, 112, 0, src, dst)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:]


def advert(src: bytes, dst: bytes, version: int, vrid: int, prio: int, good_sum: bool) -> bytes:
    vip = socket.inet_aton("10.77.0.201")
    body = struct.pack("!BBBBHH", (version << 4) | 1, vrid, prio, 1, 10, 0) + vip
    if version == 3:
        pseudo = src + dst + struct.pack("!BBH", 0, 112, len(body))
        c = csum(pseudo + body)
    else:
        c = csum(body)
    if not good_sum:
        c ^= 0x5A5A
    return body[:6] + struct.pack("!H", c) + body[8:]


def main() -> None:
    src = socket.inet_aton(sys.argv[1])
    vrid, seconds, rate = int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
    dst = socket.inet_aton("224.0.0.18")
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, src)
    fixed = [
        (255, advert(src, dst, 3, 200, 254, True)),
        (64, advert(src, dst, 3, vrid, 254, True)),
        (255, advert(src, dst, 3, vrid, 254, False)),
        (255, advert(src, dst, 2, vrid, 254, True)),
    ]
    sent, start = 0, time.monotonic()
    while time.monotonic() - start < seconds:
        for _ in range(100):
            k = sent % 5
            if k == 0:
                payload, ttl = os.urandom(8 + sent % 41), 255
            else:
                ttl, payload = fixed[k - 1]
            s.sendto(ip_header(src, dst, ttl, len(payload)) + payload, ("224.0.0.18", 0))
            sent += 1
        due = start + sent / rate
        now = time.monotonic()
        if due > now:
            time.sleep(due - now)
    print(sent)


if __name__ == "__main__":
    main()
