#!/usr/bin/python3
"""Misbehaving servers for the checker tests: bad_server.py MODE ADDR PORT
  silent   accepts, reads the request, never answers (also a stalled TLS handshake)
  headers  answers a status line, then headers without end
  body     answers a valid header, then a body without end
  udp-pong answers every UDP datagram with "pong" (a well-behaved UDP server)
  tls-reset completes a TLS handshake (CERT and KEY from the environment), then resets
Each connection runs in a thread until the client goes away."""
import os
import socket
import ssl
import struct
import sys
import threading

mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])


def serve(c):
    try:
        if mode == "tls-reset":
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(os.environ["CERT"], os.environ["KEY"])
            t = ctx.wrap_socket(c, server_side=True)
            t.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            t.close()
            return
        c.recv(4096)
        if mode == "headers":
            c.sendall(b"HTTP/1.0 200 OK\r\n")
            pad = b"X-Pad: " + b"a" * 1000 + b"\r\n"
            while True:
                c.sendall(pad)
        elif mode == "body":
            c.sendall(b"HTTP/1.0 200 OK\r\n\r\n")
            chunk = b"\0" * 65536
            while True:
                c.sendall(chunk)
        else:
            while c.recv(4096):
                pass
    except OSError:
        pass
    finally:
        c.close()


family = socket.AF_INET6 if ":" in addr else socket.AF_INET
if mode == "udp-pong":
    u = socket.socket(family, socket.SOCK_DGRAM)
    u.bind((addr, port))
    while True:
        _, peer = u.recvfrom(2048)
        u.sendto(b"pong", peer)

s = socket.socket(family)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((addr, port))
s.listen(64)
while True:
    conn, _ = s.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
