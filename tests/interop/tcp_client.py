#!/usr/bin/env python3
"""Kernel-side TCP peer for the interop tests (runs inside the test namespace).

  echo HOST PORT NBYTES        send NBYTES of random data, half-close, read the echo,
                               print "sent=<sha256> got=<sha256> bytes=<n>"
  keepalive HOST PORT IDLE_S   connect with SO_KEEPALIVE (TCP_KEEPIDLE=1, INTVL=1, CNT=3),
                               stay idle IDLE_S seconds, then echo 5 bytes; prints
                               "alive" when the connection survived its probes
  source HOST PORT NBYTES      read until the server closes; print "bytes=<n> pattern=ok|bad"
                               (byte k of the stream must be k mod 256)
  listen PORT NBYTES           accept one connection, send NBYTES of random data, read
                               until EOF, print "sent=<sha256> got=<sha256>"
"""
import hashlib
import os
import socket
import sys


def echo(host, port, n):
    data = os.urandom(n)
    s = socket.create_connection((host, port), timeout=20)
    got = bytearray()
    view = memoryview(data)
    s.setblocking(True)
    # interleave sending and reading so neither side's buffers fill up
    sent = 0
    while sent < n:
        k = s.send(view[sent:sent + 65536])
        sent += k
        s.settimeout(0.0)
        try:
            while True:
                b = s.recv(1 << 20)
                if not b:
                    break
                got += b
        except (BlockingIOError, socket.timeout):
            pass
        s.settimeout(20)
    s.shutdown(socket.SHUT_WR)
    while True:
        b = s.recv(1 << 20)
        if not b:
            break
        got += b
    s.close()
    print(f"sent={hashlib.sha256(data).hexdigest()} got={hashlib.sha256(got).hexdigest()} "
          f"bytes={len(got)}")


def keepalive(host, port, idle):
    s = socket.create_connection((host, port), timeout=20)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 3)
    import time
    time.sleep(idle)
    s.sendall(b"hello")
    got = s.recv(5)
    print("alive" if got == b"hello" else f"dead {got!r}")
    s.close()


def source(host, port, n):
    s = socket.create_connection((host, port), timeout=20)
    got = bytearray()
    while True:
        b = s.recv(1 << 20)
        if not b:
            break
        got += b
    s.close()
    pattern = (bytes(range(256)) * (len(got) // 256 + 1))[:len(got)]
    print(f"bytes={len(got)} pattern={'ok' if got == pattern else 'bad'}")


def listen(port, n):
    data = os.urandom(n)
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", port))
    ls.listen(1)
    ls.settimeout(30)
    c, _ = ls.accept()
    c.settimeout(30)
    c.sendall(data)
    got = bytearray()
    while True:
        b = c.recv(1 << 20)
        if not b:
            break
        got += b
    c.close()
    print(f"sent={hashlib.sha256(data).hexdigest()} got={hashlib.sha256(got).hexdigest()}")


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "echo":
        echo(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif cmd == "keepalive":
        keepalive(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
    elif cmd == "source":
        source(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif cmd == "listen":
        listen(int(sys.argv[2]), int(sys.argv[3]))
    else:
        sys.exit(__doc__)
