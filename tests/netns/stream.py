#!/usr/bin/python3
"""Long TCP transfers through a VIP, to see what a failover does to them.

  stream.py serve PORT LOG        counts what each connection brings; at its end writes
                                  "CLIENT_IP:PORT BYTES eof|ERROR" to LOG (and at EOF
                                  answers the count)
  stream.py syns SRC NET16 COUNT  COUNT TCP SYNs from SRC to distinct addresses and ports
                                  of NET16 (e.g. 10.99): connections a director tracks
                                  (half-open, 120 s) and conntrackd shares, to make its
                                  table big
  stream.py send HOST PORT N SECS RATE LOG...
                                  N connections, each sending RATE bytes/s for SECS; then
                                  reads the servers' LOGs and prints a JSON summary:
                                  connections, survived (the server got every byte and
                                  answered), reset, stalled, sent, delivered, lost bytes
"""
import json
import os
import socket
import struct
import sys
import threading
import time

CHUNK = 1400


def serve(port, log):
    lock = threading.Lock()

    def handle(conn, peer):
        got, how = 0, "eof"
        try:
            while True:
                data = conn.recv(65536)
                if not data:
                    break
                got += len(data)
            conn.sendall(b"%d\n" % got)
        except OSError as e:
            how = type(e).__name__
        finally:
            conn.close()
        with lock, open(log, "a") as f:
            f.write("%s:%d %d %s\n" % (peer[0], peer[1], got, how))

    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("0.0.0.0", port))
    srv.listen(64)
    while True:
        conn, peer = srv.accept()
        threading.Thread(target=handle, args=(conn, peer), daemon=True).start()


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def syns(src, net, count):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    src_b = socket.inet_aton(src)
    a, b = (int(x) for x in net.split("."))
    for i in range(count):
        dst = "%d.%d.%d.%d" % (a, b, (i >> 8) & 0xFF, i & 0xFF)
        dst_b = socket.inet_aton(dst)
        sport = 10000 + i % 50000
        tcp = struct.pack("!HHIIBBHHH", sport, 80, i, 0, 5 << 4, 0x02, 65535, 0, 0)
        pseudo = src_b + dst_b + struct.pack("!BBH", 0, socket.IPPROTO_TCP, len(tcp))
        tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
        s.sendto(tcp, (dst, 0))


def send_one(host, port, secs, rate, out):
    r = {"port": 0, "sent": 0, "result": "survived"}
    out.append(r)
    payload = b"x" * CHUNK
    try:
        s = socket.create_connection((host, port), timeout=2)
        r["port"] = s.getsockname()[1]
        # A send that cannot go on for 10 s: the connection is stuck (its packets dropped).
        s.settimeout(10)
        start = time.monotonic()
        while True:
            elapsed = time.monotonic() - start
            if elapsed >= secs:
                break
            ahead = r["sent"] - elapsed * rate
            if ahead > 0:
                time.sleep(ahead / rate)
                continue
            s.sendall(payload)
            r["sent"] += CHUNK
        s.shutdown(socket.SHUT_WR)
        answer = b""
        while not answer.endswith(b"\n"):
            data = s.recv(64)
            if not data:
                break
            answer += data
        s.close()
        if not answer or int(answer) != r["sent"]:
            r["result"] = "short"
    except ConnectionResetError:
        r["result"] = "reset"
    except BrokenPipeError:
        r["result"] = "reset"
    except socket.timeout:
        r["result"] = "stalled"
    except OSError as e:
        r["result"] = type(e).__name__


def send(host, port, n, secs, rate, logs):
    results = []
    threads = [threading.Thread(target=send_one, args=(host, port, secs, rate, results))
               for _ in range(n)]
    for t in threads:
        t.start()
        time.sleep(0.01)
    for t in threads:
        t.join()
    ports = {r["port"] for r in results if r["port"]}
    delivered = {}
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        delivered = {}
        for log in logs:
            if not os.path.exists(log):
                continue
            for line in open(log):
                peer, got, _ = line.split()
                p = int(peer.rsplit(":", 1)[1])
                if p in ports:
                    delivered[p] = int(got)
        if len(delivered) == len(ports):
            break
        time.sleep(0.1)
    summary = {"connections": n, "survived": 0, "reset": 0, "stalled": 0, "other": 0}
    for r in results:
        key = r["result"] if r["result"] in ("survived", "reset", "stalled") else "other"
        summary[key] += 1
    sent = sum(r["sent"] for r in results)
    got = sum(delivered.values())
    summary.update({"sent": sent, "delivered": got, "lost": sent - got,
                    "unreported": len(ports) - len(delivered)})
    print(json.dumps(summary, sort_keys=True))


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(int(sys.argv[2]), sys.argv[3])
    elif sys.argv[1] == "syns":
        syns(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]),
             float(sys.argv[6]), sys.argv[7:])
