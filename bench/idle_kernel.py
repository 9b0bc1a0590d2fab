#!/usr/bin/env python3
"""Linux kernel baseline for idle connections: hold N established TCP connections on
loopback (client and server ends in this one process), then report the kernel memory they
cost and the CPU used while they sit idle. Prints one JSON object on stdout.

Run it inside a network namespace of its own (bench/run.py does: `ip netns exec NS ...`)
so that the port range and accept backlog can be raised without touching the host.

Kernel memory is the growth of Slab in /proc/meminfo (sockets, inodes, dentries, files,
epoll-free: plain fds) plus the TCP buffer pages of /proc/net/sockstat. Slab is
machine-wide, so other activity on the machine adds noise; the figure is approximate.
The Python objects holding the fds are user memory of this test program, reported apart
(a C server would hold just the fd).

The open-files limit may not be raisable (a container without CAP_SYS_RESOURCE): the
connections are spread over child processes of at most PER_PROC pairs each, which all
report ready before the memory is read.

Usage: idle_kernel.py N [--idle-seconds S] [--timeout S]
"""
import argparse
import json
import os
import re
import resource
import socket
import sys
import time

PORT = 18090
PER_DST = 45000  # source ports per destination; the namespace's range is 20000..65535,
                 # above the listening ports PORT + k


def meminfo():
    with open('/proc/meminfo') as f:
        return {k: int(v) * 1024 for k, v in re.findall(r'^(\w+):\s+(\d+) kB', f.read(), re.M)}


def sockstat_tcp_mem_bytes():
    with open('/proc/net/sockstat') as f:
        m = re.search(r'TCP:.*\bmem (\d+)', f.read())
    return int(m.group(1)) * os.sysconf('SC_PAGE_SIZE') if m else 0


def rss_of(pid):
    with open(f'/proc/{pid}/status') as f:
        m = re.search(r'VmRSS:\s+(\d+) kB', f.read())
    return int(m.group(1)) * 1024 if m else 0


def children_cpu_s(pids):
    """utime + stime of the holding processes, seconds."""
    tot = 0
    for pid in pids:
        with open(f'/proc/{pid}/stat') as f:
            fields = f.read().rsplit(')', 1)[1].split()
        tot += int(fields[11]) + int(fields[12])
    return tot / os.sysconf('SC_CLK_TCK')


def open_pairs(n, deadline, port):
    """Non-blocking connects in batches no larger than the accept backlog, accepting after
    each batch; destinations 127.0.0.1, .2, ... so that N can exceed one port range."""
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(('0.0.0.0', port))
    ls.listen(65535)
    ls.setblocking(False)
    clients, servers = [], []
    while len(servers) < n and time.time() < deadline:
        for _ in range(min(1000, n - len(clients))):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            i = len(clients)
            s.connect_ex((f'127.0.0.{1 + i // PER_DST}', port))
            clients.append(s)
        while len(servers) < len(clients) and time.time() < deadline:
            try:
                c, _ = ls.accept()
                servers.append(c)
            except BlockingIOError:
                time.sleep(0.001)
    return ls, clients, servers


def child(n, port, deadline, wfd):
    """Open n pairs, report how many on wfd, hold them until the parent closes stdin."""
    ls, clients, servers = open_pairs(n, deadline, port)
    os.write(wfd, f'{len(servers)}\n'.encode())
    os.close(wfd)
    sys.stdin.buffer.read()  # EOF when the parent is done (or dies)
    for s in clients + servers:
        s.close()
    ls.close()
    os._exit(0)


def spawn(n, deadline):
    """Children of at most PER_PROC pairs each; returns (pids, read fds, stdin write fds)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    per = max(1, (hard - 100) // 2)
    kids = []
    for k, lo in enumerate(range(0, n, per)):
        r, w = os.pipe()
        ir, iw = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            os.close(iw)
            for _, kr, kw in kids:  # the earlier children's pipes: their EOF is not ours
                os.close(kr)
                os.close(kw)
            os.dup2(ir, 0)
            child(min(per, n - lo), PORT + k, deadline, w)
        os.close(w)
        os.close(ir)
        kids.append((pid, r, iw))
    return kids


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('n', type=int)
    ap.add_argument('--idle-seconds', type=float, default=2.0)
    ap.add_argument('--timeout', type=float, default=60.0)
    a = ap.parse_args()

    m0, tcp0 = meminfo(), sockstat_tcp_mem_bytes()
    t0 = time.time()
    kids = spawn(a.n, t0 + a.timeout)
    held = 0
    for _, r, _ in kids:
        with os.fdopen(r) as f:
            held += int(f.readline() or 0)
    t_open = time.time() - t0
    time.sleep(0.5)  # let the final ACKs and slab frees settle
    m1, tcp1 = meminfo(), sockstat_tcp_mem_bytes()
    rss = sum(rss_of(pid) for pid, _, _ in kids)
    c0, w0 = children_cpu_s([p for p, _, _ in kids]), time.time()
    time.sleep(a.idle_seconds)
    c1, w1 = children_cpu_s([p for p, _, _ in kids]), time.time()
    for pid, _, iw in kids:
        os.close(iw)
        os.waitpid(pid, 0)
    slab = m1['Slab'] - m0['Slab']
    res = {
        'connections': held, 'requested': a.n, 'processes': len(kids),
        'open_seconds': round(t_open, 3),
        'opens_per_s': round(held / t_open, 1) if t_open > 0 else 0,
        'slab_delta_bytes': slab, 'tcp_buffer_delta_bytes': tcp1 - tcp0,
        'kernel_bytes_per_connection': round((slab + tcp1 - tcp0) / held, 1) if held else None,
        'kernel_bytes_per_endpoint': round((slab + tcp1 - tcp0) / held / 2, 1) if held else None,
        'harness_rss_bytes_per_connection': round(rss / held, 1) if held else None,
        'idle_cpu_percent': round(100 * (c1 - c0) / (w1 - w0), 2),
    }
    json.dump(res, sys.stdout)
    print()
    return 0 if held == a.n else 1


if __name__ == '__main__':
    sys.exit(main())
