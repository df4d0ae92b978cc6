#!/usr/bin/python3
"""The client side of the load-balancing tests: lb_client.py MODE ...
  split HOST PORT N        N new TCP connections, each asking GET /name; prints
                           {"s1": n1, ...} (JSON; "error" counts failed connections;
                           5 failures in a row end the run)
  dns HOST N               N DNS queries for svc.test, each from a new source port; prints
                           the answers' counts as JSON, by answered address
  get HOST PORT PATH       one request; prints the body
Bounded: every connection has a 2 s timeout, and N is the caller's."""
import json
import socket
import struct
import sys


def get(host, port, path, timeout=2.0):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(fam, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect((host, port))
        s.sendall(f"GET {path} HTTP/1.0\r\nHost: vip\r\n\r\n".encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.") or b" 200 " not in head.split(b"\r\n")[0]:
        raise OSError("bad answer: " + head[:40].decode(errors="replace"))
    return body.decode().strip()


def split(host, port, n):
    counts = {}
    failed_in_a_row = 0
    for _ in range(n):
        try:
            name = get(host, port, "/name")
            failed_in_a_row = 0
        except OSError:
            name = "error"
            failed_in_a_row += 1
        counts[name] = counts.get(name, 0) + 1
        if failed_in_a_row == 5:  # the service is not there: say so, do not wait N x 2 s
            break
    return counts


def dns(host, n):
    counts = {}
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    for i in range(n):
        q = struct.pack(">HHHHHH", i & 0xFFFF, 0x0100, 1, 0, 0, 0)
        q += b"".join(bytes([len(p)]) + p.encode() for p in "svc.test".split(".")) + b"\0"
        q += struct.pack(">HH", 1, 1)
        with socket.socket(fam, socket.SOCK_DGRAM) as s:
            s.settimeout(2.0)
            try:
                s.sendto(q, (host, 53))
                r, _ = s.recvfrom(512)
                # The last 4 bytes of a one-answer A reply are the address.
                key = socket.inet_ntoa(r[-4:]) if len(r) >= len(q) + 16 else "short"
            except OSError:
                key = "error"
        counts[key] = counts.get(key, 0) + 1
    return counts


mode = sys.argv[1]
if mode == "split":
    print(json.dumps(split(sys.argv[2], int(sys.argv[3]), int(sys.argv[4])), sort_keys=True))
elif mode == "dns":
    print(json.dumps(dns(sys.argv[2], int(sys.argv[3])), sort_keys=True))
elif mode == "get":
    print(get(sys.argv[2], int(sys.argv[3]), sys.argv[4]))
else:
    sys.exit("unknown mode " + mode)
