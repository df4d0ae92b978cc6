#!/usr/bin/python3
"""Records real rtnetlink traffic as seeds for netlink_fuzz (tests/fuzz/corpus/netlink_fuzz).

  unshare -n tests/fuzz/record_netlink.py OUTDIR     (root; a namespace of its own)

Makes a bridge, a veth pair, a macvlan and IPv4/IPv6 addresses (primary, secondary,
labelled, /32 and /128), then saves: the link dump, the address dump, and the event
buffers the monitor socket reads while an address and a link are added and removed.
"""
import os
import socket
import struct
import subprocess
import sys

RTM_GETLINK, RTM_GETADDR = 18, 22
NLM_F_REQUEST, NLM_F_DUMP = 1, 0x300
GROUPS = 0x1 | 0x10 | 0x100  # RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True)


def dump(kind: int, family: int) -> bytes:
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    body = struct.pack("BBHiII", family, 0, 0, 0, 0, 0) if kind == RTM_GETLINK \
        else struct.pack("BBBBI", family, 0, 0, 0, 0)
    s.send(struct.pack("IHHII", 16 + len(body), kind, NLM_F_REQUEST | NLM_F_DUMP, 1, 0) + body)
    out = b""
    while True:
        chunk = s.recv(65536)
        out += chunk
        if struct.unpack_from("IH", chunk)[1] == 3:  # NLMSG_DONE
            return out


def main() -> None:
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    ip("link", "set", "lo", "up")
    ip("link", "add", "br0", "type", "bridge")
    ip("link", "add", "v0", "type", "veth", "peer", "name", "v1")
    ip("link", "set", "v0", "master", "br0")
    ip("link", "add", "mv0", "link", "v1", "type", "macvlan", "mode", "bridge")
    for dev in ("br0", "v0", "v1", "mv0"):
        ip("link", "set", dev, "up")
    ip("addr", "add", "10.1.0.1/24", "dev", "br0")
    ip("addr", "add", "10.1.0.2/24", "dev", "br0", "label", "br0:vip")
    ip("addr", "add", "192.168.7.7/32", "dev", "mv0")
    ip("addr", "add", "fd00::1/64", "dev", "br0", "nodad")
    ip("addr", "add", "fd00::7/128", "dev", "mv0")
    with open(f"{out}/link_dump", "wb") as f:
        f.write(dump(RTM_GETLINK, 0))
    with open(f"{out}/addr_dump", "wb") as f:
        f.write(dump(RTM_GETADDR, 0))
    mon = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    mon.bind((0, GROUPS))
    ip("addr", "add", "10.1.0.9/24", "dev", "br0")
    ip("addr", "del", "10.1.0.9/24", "dev", "br0")
    ip("link", "add", "v2", "type", "veth", "peer", "name", "v3")
    ip("link", "del", "v2")
    mon.setblocking(False)
    events = b""
    try:
        while True:
            events += mon.recv(65536)
    except BlockingIOError:
        pass
    with open(f"{out}/events", "wb") as f:
        f.write(events)


if __name__ == "__main__":
    main()
