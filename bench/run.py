#!/usr/bin/env python3
"""Benchmark suite: synack against the Linux kernel and against testpmd, side by side in
one run, with plots.

Scenarios (one server core, one client core; `synack demo` runs its server stack on lcore 0
and its client stack on lcore 1, the kernel baselines pin nginx to core 0 and wrk to
core 1):
  short_conn   HTTP/1.1 GET, 64-byte body, one request per connection (connections/s):
               synack demo --requests 1 vs wrk -H 'Connection: close' -> nginx, over
               loopback and over a veth pair between two namespaces made here
  keepalive    the same with persistent connections (responses/s), 64 B and 1 KiB bodies
  bulk         bench_bulk_2core (sender and receiver stacks on one lcore each, ring pair),
               copy and zero-copy transmit, MTU 1500 and 9000, 1 and 8 connections, vs
               iperf3 -P 1/8 over veth at the same MTU (one core per side); bench_bulk
               (both stacks in one thread) for reference
  idle_conns   memory and CPU of N idle established connections, synack vs the kernel
  micro        bench_timer, bench_flow and bench/packet_path.py, folded in
  cycles       busy cycles per short connection against the PMD's own rx+tx cost for the
               packets of a connection (testpmd io-forwarding on net_null); perf profile

Every load is bounded in time and count; traffic stays on loopback or inside the
namespaces made here; namespaces, veths, processes (by PID) and temp files are removed at
exit, also on SIGINT/SIGTERM.

Usage: bench/run.py [--quick] [--runs N] [--scenario NAME ...] [--build DIR]
Writes bench/results/<date>-<scenario>.json and .png. Needs root (namespaces), wrk, nginx,
dpdk-testpmd and /usr/bin/python3 with matplotlib (apt-get install python3-matplotlib).
"""
import argparse
import atexit
import datetime
import glob
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(BENCH)
sys.path.insert(0, BENCH)
import packet_path as pp  # noqa: E402  (machine facts, EAL memory choice, testpmd run)

SERVER_CORE, CLIENT_CORE = 0, 1
SCENARIOS = ['short_conn', 'keepalive', 'bulk', 'idle_conns', 'micro', 'cycles']
# Short connections close the way wrk -H 'Connection: close' -> nginx does: the client asks
# for close (RFC 9112 9.6) and the server closes first, its FIN on the response.
SHORT_CLOSE = ['--closer', 'server']
TARGETS = {
    'short_conn': 'synack connections/s >= 50x the kernel',
    'keepalive': 'synack responses/s >= 20x the kernel',
    'bulk': 'synack throughput >= 3x iperf3 over veth',
    'idle_conns': '<= 128 bytes per idle connection',
    'cycles': 'busy cycles per short connection <= 3x the PMD rx+tx cost of its packets',
}


# ---------------------------------------------------------------- cleanup of what we made

class Owned:
    """Everything this run created, removed at exit: processes by PID (and their children,
    e.g. nginx workers, by PID), namespaces, temp dirs."""
    procs, netns, dirs = [], [], []
    hugepages = None   # nr_hugepages to put back (idle_conns raises it for a run)

    @classmethod
    def restore_hugepages(cls, total):
        if cls.hugepages is None:
            cls.hugepages = total

    @classmethod
    def proc(cls, p):
        cls.procs.append(p)
        return p

    @staticmethod
    def children(pid):
        try:
            with open(f'/proc/{pid}/task/{pid}/children') as f:
                return [int(x) for x in f.read().split()]
        except OSError:
            return []

    @classmethod
    def stop(cls, p, sig=signal.SIGTERM, wait=10):
        if p.poll() is not None:
            return
        kids = cls.children(p.pid)
        p.send_signal(sig)
        try:
            p.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        for k in kids:
            try:
                os.kill(k, signal.SIGKILL)
            except ProcessLookupError:
                pass

    @classmethod
    def cleanup(cls):
        for p in cls.procs:
            cls.stop(p)
        cls.procs = []
        for ns in cls.netns:
            subprocess.run(['ip', 'netns', 'del', ns], stderr=subprocess.DEVNULL)
        cls.netns = []
        for d in cls.dirs:
            shutil.rmtree(d, ignore_errors=True)
        cls.dirs = []
        if cls.hugepages is not None:
            try:
                with open('/proc/sys/vm/nr_hugepages', 'w') as f:
                    f.write(str(cls.hugepages))
            except OSError:
                pass
            cls.hugepages = None


def on_signal(sig, _frame):
    raise SystemExit(128 + sig)


def tmpdir(tag):
    d = tempfile.mkdtemp(prefix=f'sybench-{tag}-')
    os.chmod(d, 0o755)  # nginx workers and namespaces' programs read from it
    Owned.dirs.append(d)
    return d


def log(msg):
    print(msg, flush=True)


def summary(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {'min': min(values), 'median': statistics.median(values), 'max': max(values),
            'runs': values}


def med(s):
    return s['median'] if s else None


# ---------------------------------------------------------------- synack

class Synack:
    def __init__(self, build):
        self.bin = os.path.join(build, 'app/synack/synack')
        self.build = build

    def demo(self, args, duration, tag='demo'):
        """One `synack demo` run; returns its JSON result."""
        d = tmpdir(tag)
        out = os.path.join(d, 'r.json')
        cmd = [self.bin, 'demo', '--quiet', '--duration', str(duration), '--json', out] + args
        p = Owned.proc(subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, text=True))
        try:
            _, err = p.communicate(timeout=duration + 60)
        except subprocess.TimeoutExpired:
            Owned.stop(p, signal.SIGKILL)
            raise RuntimeError(f'synack demo {args} did not stop')
        if not os.path.exists(out):
            raise RuntimeError(f'synack demo {args} exit {p.returncode}: {err[-800:]}')
        with open(out) as f:
            res = json.load(f)
        res['exit_code'] = p.returncode
        shutil.rmtree(d, ignore_errors=True)
        return res


def steady_rate(res, key, duration):
    """Mean per-second count over the load phase (seconds 1..duration of the series), so
    that EAL start-up and the drain at stop do not dilute the rate."""
    s = [e[key] for e in res['series'] if e['t'] <= duration]
    if not s:
        return None
    return sum(s) / len(s)


def busy_per_conn(res):
    t = res['totals']
    n = t.get('client.conns_established', 0)
    return t['loop.busy_cycles'] / n if n else None


# ---------------------------------------------------------------- kernel: nginx + wrk

NGINX_CONF = """worker_processes 1;
user root;
daemon off;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
worker_rlimit_nofile 16000;
events {{ worker_connections 8000; multi_accept on; }}
http {{
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 120s;
  client_body_temp_path {d}/t; proxy_temp_path {d}/t; fastcgi_temp_path {d}/t;
  uwsgi_temp_path {d}/t; scgi_temp_path {d}/t;
  server {{ listen {addr}:{port} backlog=65535; root {d}; location / {{ }} }}
}}
"""


class Kernel:
    """nginx (worker_processes 1) on SERVER_CORE, wrk -t1 on CLIENT_CORE, over loopback in
    the host namespace or over a veth pair between two namespaces made here."""

    def __init__(self, mode):
        self.mode = mode
        self.port = 18080
        self.srv_ns = self.cli_ns = None
        if mode == 'veth':
            self._veth()
            self.addr = '198.19.0.1'
        else:
            self.addr = '127.0.0.1'
        self.dir = tmpdir('nginx')
        for name, size in (('b64', 64), ('b1024', 1024)):
            with open(os.path.join(self.dir, name), 'w') as f:
                f.write('x' * size)
        os.mkdir(os.path.join(self.dir, 't'))
        conf = os.path.join(self.dir, 'nginx.conf')
        with open(conf, 'w') as f:
            f.write(NGINX_CONF.format(d=self.dir, addr=self.addr, port=self.port))
        cmd = self._ns(self.srv_ns) + ['taskset', '-c', str(SERVER_CORE), 'nginx', '-c', conf,
                                       '-p', self.dir]
        self.nginx = Owned.proc(subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                                 stdout=subprocess.DEVNULL,
                                                 stderr=subprocess.DEVNULL))
        deadline = time.time() + 10
        while not os.path.exists(os.path.join(self.dir, 'nginx.pid')):
            if time.time() > deadline or self.nginx.poll() is not None:
                raise RuntimeError('nginx did not start: ' + self._errlog())
            time.sleep(0.05)
        time.sleep(0.2)

    def _errlog(self):
        try:
            with open(os.path.join(self.dir, 'error.log')) as f:
                return f.read()[-500:]
        except OSError:
            return ''

    @staticmethod
    def _ns(ns):
        return ['ip', 'netns', 'exec', ns] if ns else []

    def _veth(self):
        tag = f'{os.getpid() % 100000}'
        self.srv_ns, self.cli_ns = f'sybench-s{tag}', f'sybench-c{tag}'
        va, vb = f'sybva{tag}', f'sybvb{tag}'
        for ns in (self.srv_ns, self.cli_ns):
            subprocess.run(['ip', 'netns', 'add', ns], check=True)
            Owned.netns.append(ns)
        steps = [
            ['ip', 'link', 'add', va, 'netns', self.srv_ns, 'type', 'veth', 'peer', 'name', vb,
             'netns', self.cli_ns],
            self._ns(self.srv_ns) + ['ip', 'addr', 'add', '198.19.0.1/24', 'dev', va],
            self._ns(self.cli_ns) + ['ip', 'addr', 'add', '198.19.0.2/24', 'dev', vb],
            self._ns(self.srv_ns) + ['ip', 'link', 'set', va, 'up'],
            self._ns(self.cli_ns) + ['ip', 'link', 'set', vb, 'up'],
            self._ns(self.srv_ns) + ['ip', 'link', 'set', 'lo', 'up'],
            self._ns(self.cli_ns) + ['ip', 'link', 'set', 'lo', 'up'],
            # per-namespace sysctls: the host's are untouched
            self._ns(self.srv_ns) + ['sysctl', '-qw', 'net.core.somaxconn=65535'],
            self._ns(self.cli_ns) + ['sysctl', '-qw', 'net.ipv4.ip_local_port_range=1024 65535',
                                     'net.ipv4.tcp_tw_reuse=1'],
        ]
        for s in steps:
            subprocess.run(s, check=True)

    def wrk(self, conns, seconds, body, close):
        """wrk -t1 -cN for `seconds`; returns requests/s (0 on failure) and errors."""
        cmd = self._ns(self.cli_ns) + ['taskset', '-c', str(CLIENT_CORE), 'wrk', '-t1',
                                       f'-c{conns}', f'-d{seconds}s', '--timeout', '2s']
        if close:
            cmd += ['-H', 'Connection: close']
        cmd.append(f'http://{self.addr}:{self.port}/b{body}')
        p = Owned.proc(subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True))
        try:
            out, _ = p.communicate(timeout=seconds + 30)
        except subprocess.TimeoutExpired:
            Owned.stop(p, signal.SIGKILL)
            return 0.0, -1
        m = re.search(r'Requests/sec:\s+([\d.]+)', out)
        errs = re.search(r'Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)',
                         out)
        non2xx = re.search(r'Non-2xx or 3xx responses: (\d+)', out)
        n_err = (sum(int(x) for x in errs.groups()) if errs else 0) + \
            (int(non2xx.group(1)) if non2xx else 0)
        return (float(m.group(1)) if m else 0.0), n_err

    def close(self):
        Owned.stop(self.nginx, signal.SIGQUIT)
        for ns in (self.srv_ns, self.cli_ns):
            if ns:
                subprocess.run(['ip', 'netns', 'del', ns], stderr=subprocess.DEVNULL)
                Owned.netns.remove(ns)


# ---------------------------------------------------------------- plots

def plt_or_none():
    try:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
        return plt
    except ImportError:
        return None


def plot_bars(path, title, ylabel, groups, series):
    """groups: x labels; series: {name: [summary or None per group]} as grouped bars with
    min..max error bars."""
    plt = plt_or_none()
    if plt is None:
        return None
    fig, ax = plt.subplots(figsize=(8.5, 3.6), dpi=80)
    n = len(series)
    w = 0.8 / max(n, 1)
    for i, (name, vals) in enumerate(series.items()):
        xs = [g + (i - (n - 1) / 2) * w for g in range(len(groups))]
        ys = [v['median'] if v else 0 for v in vals]
        lo = [v['median'] - v['min'] if v else 0 for v in vals]
        hi = [v['max'] - v['median'] if v else 0 for v in vals]
        ax.bar(xs, ys, w, yerr=[lo, hi], capsize=2, label=name)
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels(groups)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, loc='upper left', bbox_to_anchor=(1.01, 1))
    ax.grid(axis='y', alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return os.path.basename(path)


def plot_lines(path, title, ylabel, xs, series):
    plt = plt_or_none()
    if plt is None:
        return None
    fig, ax = plt.subplots(figsize=(8.5, 3.6), dpi=80)
    for name, vals in series.items():
        pts = [(x, v['median']) for x, v in zip(xs, vals) if v]
        if pts:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker='o', label=name)
    ax.set_xscale('log')
    ax.set_yscale('log')
    ax.set_xlabel('concurrency (open connections)')
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, loc='upper left', bbox_to_anchor=(1.01, 1))
    ax.grid(alpha=0.3, which='both')
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return os.path.basename(path)


# ---------------------------------------------------------------- scenarios

class Suite:
    def __init__(self, a):
        self.a = a
        self.synack = Synack(a.build)
        self.date = datetime.date.today().isoformat()
        self.quick = a.quick
        self.runs = a.runs if a.runs else (1 if a.quick else 3)
        self.dur = 2 if a.quick else 5
        self.conc = [100, 1000] if a.quick else [1, 10, 100, 1000]
        self.mach = None

    def out(self, scenario, ext='json', suffix=''):
        return os.path.join(self.a.results, f'{self.date}-{scenario}{suffix}.{ext}')

    def machine(self):
        if self.mach is None:
            m = pp.machine()
            with open('/proc/meminfo') as f:
                mi = f.read()
            m['hugepages_total'] = int(re.search(r'HugePages_Total:\s+(\d+)', mi).group(1))
            m['hugepage_kb'] = int(re.search(r'Hugepagesize:\s+(\d+)', mi).group(1))
            m['tsc_hz'] = self.tsc_hz()
            for tool, args in (('nginx', ['-v']), ('wrk', ['-v']), ('iperf3', ['-v'])):
                r = subprocess.run([tool] + args, capture_output=True, text=True)
                m[tool] = (r.stdout + r.stderr).strip().splitlines()[0] if (r.stdout + r.stderr) \
                    else None
            m['synack_build'] = os.path.relpath(self.a.build, TOP)
            self.mach = m
        return self.mach

    def tsc_hz(self):
        d = tmpdir('tsc')
        out = os.path.join(d, 'p.json')
        subprocess.run([self.synack.bin, 'pktpath', '--quiet', '--profile',
                        os.path.join(TOP, 'drivers-config/net_null.ini'), '--packets', '100000',
                        '--json', out, '--duration', '10'], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        with open(out) as f:
            return json.load(f)['tsc_hz']

    def write(self, scenario, result):
        result = {'scenario': scenario,
                  'date': datetime.datetime.now().isoformat(timespec='seconds'),
                  'machine': self.machine(), 'target': TARGETS.get(scenario),
                  'loadavg_at_end': os.getloadavg(), **result}
        path = self.out(scenario)
        with open(path, 'w') as f:
            json.dump(result, f, indent=1)
        log(f'  -> {os.path.relpath(path, TOP)}')
        return result

    # ---- 1 and 2: short connections and keep-alive against nginx
    def http_sweep(self, scenario, requests, close, bodies, figure, unit):
        """synack demo at each concurrency and body size; wrk -> nginx at the same -c over
        loopback and veth; runs interleaved so that drift hits all alike."""
        key = 'conns_established' if close else 'responses_ok'
        res = {}
        for body in bodies:
            sy = {c: [] for c in self.conc}
            kern = {m: {c: [] for c in self.conc} for m in ('loopback', 'veth')}
            errors = {'synack': 0, 'loopback': 0, 'veth': 0}
            extra = {c: [] for c in self.conc}
            for run in range(self.runs):
                for c in self.conc:
                    args = ['--body-size', str(body), '--requests', str(requests),
                            '--concurrency', str(c)] + SHORT_CLOSE * close
                    r = self.synack.demo(args, self.dur)
                    v = steady_rate(r, key, self.dur)
                    sy[c].append(v)
                    t = r['totals']
                    errors['synack'] += t['client.response_errors'] + t['client.conns_failed']
                    extra[c].append({'busy_cycles_per_conn': busy_per_conn(r),
                                     'connect_p99_us': r['latency_us']['connect']['p99'],
                                     'response_p50_us': r['latency_us']['response']['p50'],
                                     'response_p99_us': r['latency_us']['response']['p99']})
                    log(f'  {scenario} body {body} c={c} run {run + 1}: synack {v:,.0f} {unit}')
                for mode in ('loopback', 'veth'):
                    k = Kernel(mode)
                    try:
                        for c in self.conc:
                            v, e = k.wrk(c, self.dur, body, close)
                            kern[mode][c].append(v)
                            errors[mode] += e
                            log(f'  {scenario} body {body} c={c} run {run + 1}: kernel '
                                f'{mode} {v:,.0f} {unit} ({e} errors)')
                    finally:
                        k.close()
            figs = {'synack': {c: summary(sy[c]) for c in self.conc},
                    'kernel_loopback': {c: summary(kern['loopback'][c]) for c in self.conc},
                    'kernel_veth': {c: summary(kern['veth'][c]) for c in self.conc}}
            ratios = {}
            for m in ('loopback', 'veth'):
                ratios[f'synack/kernel_{m}'] = {
                    c: summary([s / k if k else None for s, k in zip(sy[c], kern[m][c])])
                    for c in self.conc}
            peak = {n: max((med(v) or 0) for v in f.values()) for n, f in figs.items()}
            res[f'body_{body}'] = {
                figure: figs, 'ratios': ratios, 'errors': errors,
                'synack_detail': {c: extra[c] for c in self.conc},
                'peak': peak,
                'peak_ratio': {f'synack/kernel_{m}': (peak['synack'] / peak[f'kernel_{m}']
                                                      if peak[f'kernel_{m}'] else None)
                               for m in ('loopback', 'veth')},
            }
            groups = [f'c={c}' for c in self.conc]
            names = {'synack demo': figs['synack'], 'kernel loopback (nginx/wrk)':
                     figs['kernel_loopback'], 'kernel veth (nginx/wrk)': figs['kernel_veth']}
            sfx = f'-body{body}' if len(bodies) > 1 else ''
            res[f'body_{body}']['plots'] = [
                plot_bars(self.out(scenario, 'png', sfx), f'{scenario}: {unit}, {body}-byte '
                          f'body (median, min..max of {self.runs})', unit, groups,
                          {n: [v[c] for c in self.conc] for n, v in names.items()}),
                plot_lines(self.out(scenario, 'png', sfx + '-concurrency'),
                           f'{scenario}: {unit} against concurrency, {body}-byte body', unit,
                           self.conc, {n: [v[c] for c in self.conc] for n, v in names.items()})]
        target = 50 if close else 20
        best = min((b['peak_ratio']['synack/kernel_loopback'] or 0) for b in res.values())
        cfg = {'runs': self.runs, 'duration_s': self.dur, 'concurrency': self.conc,
               'bodies': bodies, 'synack': f'synack demo --requests {requests} --body-size B '
               '--concurrency C' + (' --closer server' if close else '') + ' (server stack '
               'lcore 0, client stack lcore 1, in-memory rings)',
               'synack_rate': f'mean per-second {key} over seconds 1..duration of the series',
               'kernel': "nginx worker_processes 1 (taskset core 0) <- wrk -t1 -cC (taskset core "
               "1)" + (" -H 'Connection: close'" if close else '') + '; loopback in the host '
               'namespace, veth between two namespaces made by the harness'}
        return self.write(scenario, {'config': cfg, 'results': res,
                                     'target_met': best >= target,
                                     'headline_peak_ratio_vs_loopback': best})

    def short_conn(self):
        return self.http_sweep('short_conn', 1, True, [64], 'connections_per_s', 'connections/s')

    def keepalive(self):
        return self.http_sweep('keepalive', 0, False, [64, 1024], 'responses_per_s',
                               'responses/s')

    # ---- 3: bulk
    # synack: bench_bulk_2core, the sender stack on lcore 1 and the receiver stack on lcore
    # 0 over the in-memory ring pair (the product's lib/port + lib/stack path), as iperf3
    # over veth uses one core per side (client pinned to CLIENT_CORE, server to
    # SERVER_CORE). Each configuration of (MTU, copy | zero-copy transmit, TSO or not)
    # against iperf3 at the same MTU, run after run, so that drift on a shared machine hits
    # both alike. The sending application writes 64 000 bytes at a time and the receiving
    # one copies every byte out (iperf3: 128 KiB writes and reads), so 'copy' makes the one
    # copy per side the kernel makes too: the like-for-like comparison, and the one the
    # target is judged on. 'zc' sends by reference from one cache-resident buffer (no
    # copy on the sending side at all) and is reported beside it, not judged. TSO: the
    # ring pair carries segments of up to 45 MSS whole, as veth carries the kernel's GSO
    # packets (iperf3 over veth has GSO/GRO on).
    BULK_CONFIGS = [(1500, 'copy', False), (1500, 'copy', True), (1500, 'zc', False),
                    (1500, 'zc', True), (9000, 'copy', False), (9000, 'zc', False)]

    def bulk(self):
        exe2 = os.path.join(self.a.build, 'bench/bulk/bench_bulk_2core')
        exe1 = os.path.join(self.a.build, 'bench/bulk/bench_bulk')
        if not (os.path.exists(exe2) and os.access(exe2, os.X_OK)):
            log('  bulk: bench/bulk/bench_bulk_2core is not built: not available yet')
            return self.write('bulk', {'status': 'not available yet',
                                       'reason': f'{os.path.relpath(exe2, TOP)} not built'})
        nbytes = (256 if self.quick else 1024) << 20
        keys = [bulk_key(mtu, tx, tso) for mtu, tx, tso in self.BULK_CONFIGS]
        sy = {k: {1: [], 8: []} for k in keys}
        kern = {mtu: {1: [], 8: []} for mtu in (1500, 9000)}
        one_thread, raw = {'copy': [], 'zc': []}, []
        for run in range(self.runs):
            for mtu, tx, tso in self.BULK_CONFIGS:
                out = bulk_run([exe2, str(nbytes), tx, str(mtu)] + (['tso'] if tso else []))
                raw.append({'run': run + 1, 'bench_bulk_2core': out})
                for r in (out or {}).get('runs', []):
                    sy[bulk_key(mtu, tx, tso)][r['conns']].append(r)
                    log(f'  bulk run {run + 1} synack {bulk_key(mtu, tx, tso)} '
                        f'{r["conns"]} conn: '
                        f'{r["gbit_s"]:.2f} Gbit/s, sender {r["sender_cycles_per_byte"]:.3f} '
                        f'receiver {r["receiver_cycles_per_byte"]:.3f} cycles/byte')
            for tx in ('copy', 'zc'):
                out = bulk_run([exe1, str(nbytes), tx])
                raw.append({'run': run + 1, 'bench_bulk': out})
                one_thread[tx] += (out or {}).get('runs', [])
            for mtu in (1500, 9000):
                v = IperfVeth(mtu)
                try:
                    for conns in (1, 8):
                        r = v.run(conns, self.dur, self.machine()['tsc_hz'])
                        kern[mtu][conns].append(r)
                        log(f'  bulk run {run + 1} iperf3 veth mtu {mtu} -P {conns}: '
                            f'{r["gbit_s"] or 0:.2f} Gbit/s')
                finally:
                    v.close()
        return self.write('bulk', bulk_result(self, keys, sy, kern, one_thread, raw, nbytes))

    # ---- 4: idle connections
    IDLE_PROFILE = os.path.join(BENCH, 'profiles', 'mem_pair_idle.ini')
    # measured (docs/benchmarks.md, "Memory per idle connection"): about 930 bytes per
    # connection pair at 1 M (less at 10 M: data blocks are a sixteenth of the connections
    # there), plus ~200 MiB of fixed cost (mbuf pool, rings)
    IDLE_BYTES_PER_CONN, IDLE_FIXED_MB = 1200, 512

    def idle_eal(self, n):
        """Hugepages for n idle connections: nr_hugepages is raised for the run when too few
        are free, and restored at exit (Owned.restore). --no-huge -m otherwise."""
        need = (n * self.IDLE_BYTES_PER_CONN >> 20) + self.IDLE_FIXED_MB
        pages = (need + 1) // 2
        try:
            with open('/proc/meminfo') as f:
                mi = f.read()
            free = int(re.search(r'HugePages_Free:\s+(\d+)', mi).group(1))
            with open('/proc/sys/vm/nr_hugepages') as f:
                total = int(f.read())
            if free < pages:
                Owned.restore_hugepages(total)
                with open('/proc/sys/vm/nr_hugepages', 'w') as f:
                    f.write(str(total + pages - free))
                with open('/proc/meminfo') as f:
                    free = int(re.search(r'HugePages_Free:\s+(\d+)', f.read()).group(1))
            if free >= pages:
                return []
        except (OSError, AttributeError):
            pass
        return ['--', '--no-huge', '-m', str(need)]

    def synack_idle(self, n, rate):
        """Hold n connections client <-> server in `synack demo`, keepalive armed on every
        one; memory (RSS + hugetlb mapped, from smaps; the EAL heap's allocated bytes) and
        CPU once all are established."""
        opening = n / rate + 3
        d = tmpdir('idle')
        cmd = [self.synack.bin, 'demo', '--quiet', '--duration', str(int(2 * opening + 40)),
               '--json', os.path.join(d, 'r.json'), '--profile', self.IDLE_PROFILE,
               '--src-ports', '1024-65535', '--requests', '0', '--think-us', '2000000000',
               '--keepalive', '7200', '--concurrency', str(n), '--rate', str(rate),
               '--drain', '1'] + self.idle_eal(n)
        p = Owned.proc(subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL))
        t0 = time.time()
        est, stats = 0, {}
        while time.time() - t0 < 2 * opening + 20 and p.poll() is None:
            time.sleep(0.5)
            stats = telemetry(p.pid) or {}
            est = stats.get('client/conns_established', 0)
            if est >= n:
                break
        t_open = time.time() - t0
        res = {'requested': n, 'rate': rate, 'established': est,
               'seconds_to_establish': round(t_open, 2),
               'hugepages': '--no-huge' not in cmd}
        if p.poll() is None and stats:
            time.sleep(0.5)
            mem = proc_mem(p.pid)
            heap = eal_heap(p.pid)
            s0, c0, w0 = telemetry(p.pid) or {}, proc_cpu_s(p.pid), time.time()
            time.sleep(3)
            s1, c1, w1 = telemetry(p.pid) or {}, proc_cpu_s(p.pid), time.time()
            tsc = self.machine()['tsc_hz']
            res.update(mem)
            res.update(heap)
            res['process_cpu_percent_idle'] = round(100 * (c1 - c0) / (w1 - w0), 1)
            busy = s1.get('loop/busy_cycles', 0) - s0.get('loop/busy_cycles', 0)
            res['busy_cycles_per_second_idle'] = round(busy / (w1 - w0))
            res['busy_cycles_percent_idle'] = round(100 * busy / ((w1 - w0) * tsc * 2), 3)
            res['segments_while_idle'] = (s1.get('tcp/tx_segs', 0) - s0.get('tcp/tx_segs', 0))
            res['drops_and_retransmissions'] = {
                k: v for k, v in s1.items() if v and re.search(
                    r'tx_drop_full|retrans|port_exhausted|connect_errors|conns_failed', k)}
        Owned.stop(p, signal.SIGINT, wait=120)
        shutil.rmtree(d, ignore_errors=True)
        return res

    def kernel_idle(self, n):
        ns = f'sybench-i{os.getpid() % 100000}'
        subprocess.run(['ip', 'netns', 'add', ns], check=True)
        Owned.netns.append(ns)
        try:
            ex = ['ip', 'netns', 'exec', ns]
            subprocess.run(ex + ['ip', 'link', 'set', 'lo', 'up'], check=True)
            subprocess.run(ex + ['sysctl', '-qw', 'net.ipv4.ip_local_port_range=20000 65535',
                                 'net.core.somaxconn=65535'], check=True)
            p = Owned.proc(subprocess.Popen(
                ex + ['/usr/bin/python3', os.path.join(BENCH, 'idle_kernel.py'), str(n),
                      '--timeout', '60'], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                text=True, stdin=subprocess.DEVNULL))
            out, err = p.communicate(timeout=180)
            return last_json(out) or {'error': err[-500:]}
        finally:
            subprocess.run(['ip', 'netns', 'del', ns], stderr=subprocess.DEVNULL)
            Owned.netns.remove(ns)

    def idle_conns(self):
        base = 1000
        # the 10 M in the full suite (SY_IDLE_MAX to change it), 1 M in --quick
        ns = [1000000] if self.quick else [1000000, int(os.environ.get('SY_IDLE_MAX', 10000000))]
        ns = sorted(set(ns))
        rate = 100000
        runs = {n: [] for n in [base] + ns}
        kern = []
        for run in range(self.runs):
            for n in [base] + ns:
                r = self.synack_idle(n, rate if n > base else 10000)
                runs[n].append(r)
                log(f'  idle synack n={n} run {run + 1}: established {r["established"]} in '
                    f'{r["seconds_to_establish"]} s, rss {r.get("rss_bytes", 0) >> 20} MiB, '
                    f'hugetlb {r.get("hugetlb_bytes", 0) >> 20} MiB')
            k = self.kernel_idle(100000)
            kern.append(k)
            log(f'  idle kernel n=100000 run {run + 1}: {k}')
        per = {}
        for n in ns:
            marg, tot = [], []
            for rb, rn in zip(runs[base], runs[n]):
                if rn.get('established', 0) >= n and 'total_bytes' in rn and 'total_bytes' in rb:
                    marg.append((rn['total_bytes'] - rb['total_bytes']) / (n - base))
                    tot.append(rn['total_bytes'] / n)
            per[n] = {'bytes_per_connection_marginal': summary(marg),
                      'bytes_per_connection_total': summary(tot),
                      'bytes_per_endpoint_marginal': summary([m / 2 for m in marg]),
                      'seconds_to_establish': summary([r['seconds_to_establish']
                                                       for r in runs[n]]),
                      'process_cpu_percent_idle': summary([r.get('process_cpu_percent_idle')
                                                           for r in runs[n]]),
                      'busy_cycles_percent_idle': summary([r.get('busy_cycles_percent_idle')
                                                           for r in runs[n]]),
                      'busy_cycles_per_second_idle': summary(
                          [r.get('busy_cycles_per_second_idle') for r in runs[n]]),
                      'heap_bytes_per_connection_marginal': summary(
                          [(rn['heap_alloc_bytes'] - rb['heap_alloc_bytes']) / (n - base)
                           for rb, rn in zip(runs[base], runs[n])
                           if 'heap_alloc_bytes' in rn and 'heap_alloc_bytes' in rb])}
        kper = summary([k.get('kernel_bytes_per_connection') for k in kern])
        nmax = ns[-1]
        sy_ep = per[nmax]['bytes_per_endpoint_marginal']
        plots = [plot_bars(self.out('idle_conns', 'png'),
                           'idle connections: bytes per connection (both endpoints)', 'bytes',
                           [f'{n // 1000}k' for n in ns],
                           {'synack (marginal, RSS+hugetlb)': [per[n]['bytes_per_connection_marginal']
                                                               for n in ns],
                            'kernel loopback 100k (slab)': [kper for _ in ns]})]
        cfg = {'runs': self.runs, 'synack': 'synack demo --profile bench/profiles/'
               'mem_pair_idle.ini --src-ports 1024-65535 --requests 0 --think-us 2000000000 '
               f'--keepalive 7200 --concurrency N --rate {rate}; memory = VmRSS + hugetlb '
               f'mapped (smaps) once all N are established; marginal = (mem(N) - mem({base})) '
               f'/ (N - {base}); heap = the EAL heap\'s allocated bytes (/eal/heap_info)',
               'kernel': 'bench/idle_kernel.py: 100k loopback pairs in a namespace; Slab + TCP '
                         'buffer growth',
               'connection': 'one client endpoint plus one server endpoint (both stacks are '
                             'in the measured process)'}
        return self.write('idle_conns', {
            'config': cfg, 'synack': per, 'synack_runs': runs, 'kernel_runs': kern,
            'kernel_bytes_per_connection': kper, 'plots': plots,
            'target_met': bool(sy_ep and sy_ep['median'] <= 128),
            'headline_bytes_per_endpoint': med(sy_ep)})

    # ---- 5: micro
    def micro(self):
        b = self.a.build
        res = {}
        timer_args = ['1000000', 'sy'] if self.quick else ['1000000']
        flow_args = ['1000000'] if self.quick else ['1000000', '10000000']
        for name, cmd in (('timer', [os.path.join(b, 'bench/timer/bench_timer')] + timer_args),
                          ('flow', [os.path.join(b, 'bench/flow/bench_flow')] + flow_args)):
            if not os.path.exists(cmd[0]):
                res[name] = {'status': 'not built'}
                continue
            vals = []
            for _ in range(self.runs):
                p = subprocess.run(cmd, capture_output=True, text=True, timeout=600,
                                   stdin=subprocess.DEVNULL)
                v = last_json(p.stdout)
                if v and name == 'timer' and 'sy' in timer_args:
                    # "sy" skips rte_timer, but bench_timer still prints its block (a copy of
                    # the sy_timer figures): not a measurement, so not kept
                    v.pop('rte_timer', None)
                    v.pop('ratio_rte_timer_over_sy_timer', None)
                vals.append(v)
            res[name] = {'command': ' '.join([os.path.relpath(cmd[0], TOP)] + cmd[1:]),
                         'runs': vals}
            log(f'  micro {name}: {len(vals)} run(s)')
        d = tmpdir('pp')
        out = os.path.join(d, 'pp.json')
        cmd = [sys.executable, os.path.join(BENCH, 'packet_path.py'), '--build', b, '--runs',
               str(self.runs), '--out', out]
        if self.quick:
            cmd += ['--packets', '20000000', '--testpmd-seconds', '2']
        subprocess.run(cmd, check=True, timeout=900, stdin=subprocess.DEVNULL)
        with open(out) as f:
            res['packet_path'] = json.load(f)
        pth = res['packet_path']
        plots = [plot_bars(self.out('micro', 'png'), 'packet path on net_null: Mpps per core',
                           'Mpps', ['one core'],
                           {'synack pktpath': [pth['synack_mpps_per_core']],
                            'testpmd io-fwd': [pth['testpmd_iofwd_mpps_per_core']]})]
        return self.write('micro', {'config': {'runs': self.runs, 'quick': self.quick},
                                    'results': res, 'plots': plots})

    # ---- 6: cycles per connection
    def cycles(self):
        """Busy cycles per short connection (both stacks) against the PMD's cost for the
        same packets: testpmd io-forwarding moves each packet through one rx and one tx,
        which is what a segment costs between the two stacks (one tx, one rx)."""
        tsc = self.machine()['tsc_hz']
        c = 100
        per_conn, segs, pmd, ratio = [], [], [], []
        for run in range(self.runs):
            r = self.synack.demo(['--requests', '1', '--concurrency', str(c)] + SHORT_CLOSE,
                                 self.dur)
            t = r['totals']
            n = t['client.conns_established']
            per_conn.append(t['loop.busy_cycles'] / n)
            segs.append(t['tcp.tx_segs'] / n)
            mpps = pp.run_testpmd(2 if self.quick else 5, run)
            pmd.append(tsc / (mpps * 1e6))
            ratio.append(per_conn[-1] / (segs[-1] * pmd[-1]))
            log(f'  cycles run {run + 1}: {per_conn[-1]:,.0f} busy cycles per connection, '
                f'{segs[-1]:.2f} segments, PMD {pmd[-1]:.1f} cycles per packet (rx+tx) '
                f'-> {ratio[-1]:.1f}x')
        prof = self.profile(c)
        plots = [plot_bars(self.out('cycles', 'png'),
                           'cycles per short connection (client + server stacks)', 'cycles',
                           ['per connection'],
                           {'synack busy cycles': [summary(per_conn)],
                            'PMD rx+tx for its packets': [summary([s * p for s, p in
                                                                   zip(segs, pmd)])]})]
        rs = summary(ratio)
        return self.write('cycles', {
            'config': {'runs': self.runs, 'synack': f'synack demo --requests 1 --concurrency {c}'
                       ' --closer server (64-byte body)', 'pmd': 'dpdk-testpmd --forward-mode=io on two net_null'
                       ' ports, one core: cycles per packet = TSC Hz / packets per second; each '
                       'packet is one rx and one tx', 'tsc_hz': tsc},
            'busy_cycles_per_connection': summary(per_conn),
            'segments_per_connection': summary(segs),
            'pmd_cycles_per_packet_rx_tx': summary(pmd),
            'pmd_cycles_per_connection': summary([s * p for s, p in zip(segs, pmd)]),
            'ratio': rs, 'target_met': bool(rs and rs['median'] <= 3),
            'profile': prof, 'plots': plots})

    def profile(self, c):
        """perf record (software cpu-clock: no hardware counters here) over a demo run;
        the top functions by self share."""
        if shutil.which('perf') is None:
            return {'status': 'perf not installed (apt-get install linux-perf)'}
        d = tmpdir('perf')
        data = os.path.join(d, 'perf.data')
        p = subprocess.run(['perf', 'record', '-g', '-e', 'cpu-clock', '-F', '999', '-o', data,
                            '--', self.synack.bin, 'demo', '--quiet', '--duration', '3',
                            '--requests', '1', '--concurrency', str(c)] + SHORT_CLOSE,
                           capture_output=True, text=True, timeout=120,
                           stdin=subprocess.DEVNULL)
        if p.returncode != 0:
            return {'status': f'perf record failed: {p.stderr[-300:]}'}
        rep = subprocess.run(['perf', 'report', '-i', data, '--stdio', '--no-children', '-g',
                              'none', '--sort', 'dso,symbol'], capture_output=True, text=True,
                             timeout=120)
        top = []
        for line in rep.stdout.splitlines():
            m = re.match(r'\s+([\d.]+)%\s+(\S+)\s+\[.\]\s+(.+?)\s*$', line)
            if m and len(top) < 20:
                top.append({'percent': float(m.group(1)), 'dso': m.group(2),
                            'symbol': re.sub(r'(\s+-)+$', '', m.group(3))})
        return {'command': f'perf record -g -e cpu-clock -F 999 -- synack demo --duration 3 '
                           f'--requests 1 --concurrency {c} --closer server',
                'event': 'cpu-clock (perf stat reports instructions/cycles <not supported> here)',
                'note': 'samples cover both lcores, empty polls included, and EAL start-up',
                'top': top}


def fmt(v, nd=0):
    if v is None:
        return 'n/a'
    return f'{v:,.{nd}f}'


def md_summary(results):
    """Markdown tables of the headline figures of the scenarios run (medians, min..max)."""
    L = []
    for name, r in results.items():
        if name in ('short_conn', 'keepalive'):
            L.append(f'### {name}\n')
            L.append('| body | c | synack | kernel loopback | kernel veth | synack/loopback | '
                     'synack/veth |')
            L.append('| --- | --- | --- | --- | --- | --- | --- |')
            for body, b in r['results'].items():
                figs = b['connections_per_s' if name == 'short_conn' else 'responses_per_s']
                for c in figs['synack']:
                    sy, kl, kv = (figs[k][c] for k in ('synack', 'kernel_loopback', 'kernel_veth'))
                    rl = b['ratios']['synack/kernel_loopback'][c]
                    rv = b['ratios']['synack/kernel_veth'][c]
                    L.append(f'| {body[5:]} | {c} | {fmt(med(sy))} | {fmt(med(kl))} | '
                             f'{fmt(med(kv))} | {fmt(med(rl), 1)}x | {fmt(med(rv), 1)}x |')
            L.append(f'\npeak-to-peak ratio against loopback (worst body): '
                     f'{fmt(r["headline_peak_ratio_vs_loopback"], 1)}x; target: {r["target"]}: '
                     f'{"met" if r["target_met"] else "NOT met"}\n')
        elif name == 'idle_conns':
            L.append('### idle_conns\n')
            L.append('| N | established in (s) | synack bytes/conn (marginal, both ends) | '
                     'per endpoint | total bytes / N | process CPU % idle | '
                     'busy cycles/s idle |')
            L.append('| --- | --- | --- | --- | --- | --- | --- |')
            for n, v in r['synack'].items():
                L.append(f'| {n} | {fmt(med(v["seconds_to_establish"]), 1)} | '
                         f'{fmt(med(v["bytes_per_connection_marginal"]))} | '
                         f'{fmt(med(v["bytes_per_endpoint_marginal"]))} | '
                         f'{fmt(med(v["bytes_per_connection_total"]))} | '
                         f'{fmt(med(v["process_cpu_percent_idle"]), 1)} | '
                         f'{fmt(med(v.get("busy_cycles_per_second_idle")))} |')
            L.append(f'\nkernel, 100k loopback pairs: {fmt(med(r["kernel_bytes_per_connection"]))}'
                     f' bytes per connection (both ends, slab); target: {r["target"]}: '
                     f'{"met" if r["target_met"] else "NOT met"}\n')
        elif name == 'cycles':
            L.append('### cycles\n')
            L.append(f'busy cycles per short connection (both stacks): '
                     f'{fmt(med(r["busy_cycles_per_connection"]))}; segments per connection: '
                     f'{fmt(med(r["segments_per_connection"]), 2)}; PMD rx+tx cycles per packet: '
                     f'{fmt(med(r["pmd_cycles_per_packet_rx_tx"]), 1)}; PMD cycles per '
                     f'connection: {fmt(med(r["pmd_cycles_per_connection"]))}; ratio '
                     f'{fmt(med(r["ratio"]), 1)}x; target: {r["target"]}: '
                     f'{"met" if r["target_met"] else "NOT met"}\n')
        elif name == 'micro':
            pth = r['results']['packet_path']
            L.append('### micro\n')
            L.append(f'packet path: synack {fmt(med(pth["synack_mpps_per_core"]), 2)} Mpps '
                     f'({fmt(med(pth["synack_cycles_per_frame"]), 1)} cycles/frame), testpmd '
                     f'io-fwd {fmt(med(pth["testpmd_iofwd_mpps_per_core"]), 2)} Mpps, ratio '
                     f'{fmt(med(pth["ratio_synack_to_testpmd"]), 3)}\n')
            L.extend(flow_summary(r['results'].get('flow', {})))
        elif name == 'bulk':
            L.append('### bulk\n')
            if r.get('status') != 'ran' or 'results' not in r:
                L.append(f'{r.get("status")}\n')
                continue
            L.append('| configuration | Gbit/s (median, max) | sender cycles/byte | '
                     'receiver cycles/byte | ratio to iperf3 (median) |')
            L.append('| --- | --- | --- | --- | --- |')
            for k, v in r['results'].items():
                if not k.startswith('synack_') or 'one_thread' in k:
                    continue
                mtu, c = k.split('mtu')[1].split('_')[0], k.split('_')[-1][0]
                rat = r['ratios'].get(f'{k}/iperf3_veth_mtu{mtu}_P{c}')
                L.append(f'| {k} | {fmt(med(v["gbit_s"]), 2)}, {fmt(v["gbit_s"]["max"], 2) if v["gbit_s"] else "-"} '
                         f'| {fmt(med(v["sender_cycles_per_byte"]), 3)} '
                         f'| {fmt(med(v["receiver_cycles_per_byte"]), 3)} | {fmt(med(rat), 2)} |')
            for k, v in r['results'].items():
                if k.startswith('iperf3'):
                    L.append(f'| {k} | {fmt(med(v["gbit_s"]), 2)} | '
                             f'{fmt(med(v["sender_cycles_per_byte_approx"]), 3)} (approx) | '
                             f'{fmt(med(v["receiver_cycles_per_byte_approx"]), 3)} (approx) | |')
            L.append(f'\ntarget: {r["target"]}: {"met" if r["target_met"] else "NOT met"}\n')
    return '\n'.join(L) + '\n'


def bulk_run(cmd):
    """One bench_bulk / bench_bulk_2core run: its JSON, or None (exit code in 'error')."""
    p = Owned.proc(subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True))
    try:
        out, err = p.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        Owned.stop(p, signal.SIGKILL)
        return None
    res = last_json(out)
    if p.returncode != 0 or res is None:
        log(f'  bulk: {" ".join(cmd)}: exit {p.returncode} {err[-300:]}')
    return res


class IperfVeth:
    """iperf3 between two namespaces joined by a veth pair made here (MTU @mtu): server
    pinned to SERVER_CORE, client to CLIENT_CORE, one core per side as synack's."""

    def __init__(self, mtu):
        tag = f'{os.getpid() % 100000}'
        self.srv, self.cli = f'sybulk-s{tag}', f'sybulk-c{tag}'
        va, vb = f'sybka{tag}', f'sybkb{tag}'
        for ns in (self.srv, self.cli):
            subprocess.run(['ip', 'netns', 'add', ns], check=True)
            Owned.netns.append(ns)
        sn, cn = ['ip', 'netns', 'exec', self.srv], ['ip', 'netns', 'exec', self.cli]
        for st in (['ip', 'link', 'add', va, 'netns', self.srv, 'type', 'veth', 'peer', 'name',
                    vb, 'netns', self.cli],
                   sn + ['ip', 'addr', 'add', '198.19.1.1/24', 'dev', va],
                   cn + ['ip', 'addr', 'add', '198.19.1.2/24', 'dev', vb],
                   sn + ['ip', 'link', 'set', va, 'mtu', str(mtu), 'up'],
                   cn + ['ip', 'link', 'set', vb, 'mtu', str(mtu), 'up']):
            subprocess.run(st, check=True)
        self.sn, self.cn = sn, cn

    def run(self, conns, seconds, tsc_hz):
        srv = Owned.proc(subprocess.Popen(
            self.sn + ['taskset', '-c', str(SERVER_CORE), 'iperf3', '-s', '-1', '-B',
                       '198.19.1.1'], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL))
        time.sleep(0.5)
        p = Owned.proc(subprocess.Popen(
            self.cn + ['taskset', '-c', str(CLIENT_CORE), 'iperf3', '-c', '198.19.1.1',
                       '-t', str(seconds), '-P', str(conns), '-J'],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True))
        try:
            out, _ = p.communicate(timeout=seconds + 30)
        except subprocess.TimeoutExpired:
            Owned.stop(p, signal.SIGKILL)
            out = ''
        Owned.stop(srv)
        j = last_json(out) or {}
        end = j.get('end', {})
        rx, cpu = end.get('sum_received', {}), end.get('cpu_utilization_percent', {})
        if not rx.get('bytes'):
            return {'gbit_s': None}
        cyc = tsc_hz * rx['seconds'] / rx['bytes']
        return {'gbit_s': rx['bits_per_second'] / 1e9, 'bytes': rx['bytes'],
                'seconds': rx['seconds'],
                # iperf3's own CPU time (user + system, incl. softirq work charged to it)
                'sender_cpu_percent': cpu.get('host_total'),
                'receiver_cpu_percent': cpu.get('remote_total'),
                'sender_cycles_per_byte_approx': cpu.get('host_total', 0) / 100 * cyc,
                'receiver_cycles_per_byte_approx': cpu.get('remote_total', 0) / 100 * cyc}

    def close(self):
        for ns in (self.srv, self.cli):
            subprocess.run(['ip', 'netns', 'del', ns], stderr=subprocess.DEVNULL)
            Owned.netns.remove(ns)


def bulk_key(mtu, tx, tso):
    return f'{tx}_mtu{mtu}' + ('_tso' if tso else '')


def bulk_result(suite, keys, sy, kern, one_thread, raw, nbytes):
    """Summaries (min / median / max over the runs; max is the best of the noisy runs) and
    synack / iperf3 ratios, run by run, at the same MTU and connection count."""
    def fig(rs, f):
        return summary([r.get(f) for r in rs])
    res, ratios = {}, {}
    for k in keys:
        mtu = int(k.split('mtu')[1].split('_')[0])
        for c in (1, 8):
            rs = sy[k][c]
            res[f'synack_{k}_{c}conn'] = {
                'gbit_s': fig(rs, 'gbit_s'),
                'sender_cycles_per_byte': fig(rs, 'sender_cycles_per_byte'),
                'receiver_cycles_per_byte': fig(rs, 'receiver_cycles_per_byte'),
                'sender_busy_core_gbit_s': fig(rs, 'sender_busy_core_gbit_s'),
                'retrans': fig(rs, 'retrans'), 'tx_zc_segs': fig(rs, 'tx_zc_segs'),
                'tx_tso_segs': fig(rs, 'tx_tso_segs'), 'tx_drop_full': fig(rs, 'tx_drop_full'),
                'drop_no_mbuf': fig(rs, 'drop_no_mbuf')}
            ratios[f'synack_{k}_{c}conn/iperf3_veth_mtu{mtu}_P{c}'] = summary(
                [s['gbit_s'] / kr['gbit_s'] if kr.get('gbit_s') else None
                 for s, kr in zip(rs, kern[mtu][c])])
    for mtu, byc in kern.items():
        for c, rs in byc.items():
            res[f'iperf3_veth_mtu{mtu}_P{c}'] = {
                'gbit_s': fig(rs, 'gbit_s'),
                'sender_cycles_per_byte_approx': fig(rs, 'sender_cycles_per_byte_approx'),
                'receiver_cycles_per_byte_approx': fig(rs, 'receiver_cycles_per_byte_approx')}
    for tx, rs in one_thread.items():
        for c in (1, 8):
            r = [x for x in rs if x['conns'] == c]
            res[f'synack_one_thread_{tx}_mtu1500_{c}conn'] = {
                'gbit_s': fig(r, 'gbit_s'), 'cycles_per_byte_both_ends': fig(r, 'cycles_per_byte')}
    # judged like for like: the copy configurations (one copy per side, as the kernel)
    best = max((v['median'] for k, v in ratios.items() if v and k.startswith('synack_copy_')),
               default=None)
    groups = [f'mtu {m}, {c} conn' for m in (1500, 9000) for c in (1, 8)]

    def cell(tx, tso, m, c):
        r = res.get(f'synack_{bulk_key(m, tx, tso)}_{c}conn')
        return r['gbit_s'] if r else None
    series = {f'synack {tx}' + (' + TSO' if tso else ''):
              [cell(tx, tso, m, c) for m in (1500, 9000) for c in (1, 8)]
              for tx in ('copy', 'zc') for tso in (False, True)
              if any(k == bulk_key(1500, tx, tso) for k in keys)}
    series['iperf3 veth'] = [res[f'iperf3_veth_mtu{m}_P{c}']['gbit_s']
                             for m in (1500, 9000) for c in (1, 8)]
    plot = plot_bars(suite.out('bulk', 'png'), f'bulk: Gbit/s, one sender core + one receiver '
                     f'core (median, min..max of {suite.runs})', 'Gbit/s', groups, series)
    cfg = {'runs': suite.runs, 'bytes_per_synack_run': nbytes, 'iperf3_seconds': suite.dur,
           'synack': 'bench/bulk/bench_bulk_2core BYTES copy|zc MTU [tso]: sender stack '
           'lcore 1, receiver stack lcore 0, in-memory ring pair (drivers-config/mem_pair.ini, '
           'trusted_link: no checksums, as veth), 1 then 8 connections; the sender writes '
           '64 000 bytes per call, the receiver copies every byte into a 128 KiB buffer; '
           'copy = TCP copies the payload into the frames; zc = tx_zerocopy_min = '
           'SY_TCP_ZC_MIN_DEFAULT (frames refer to the cache-resident write buffer: no send '
           'copy, not judged); tso = offload_tso, segments of up to 45 MSS carried whole; '
           'MTU 9000 copy uses 10 KiB mbufs, TSO copy 16 KiB mbufs, zc chains 2 KiB mbufs; '
           'every page of the pool is touched and an untimed warm-up run goes first',
           'synack_cycles_per_byte': 'TSC cycles of busy loop iterations of that side / bytes',
           'synack_one_thread': 'bench/bulk/bench_bulk: both stacks in one thread (lib/wire), '
           'cycles per byte of both ends together',
           'kernel': f'iperf3 -P 1|8 -t {suite.dur}, server taskset core {SERVER_CORE}, client '
           f'core {CLIENT_CORE}, veth between two namespaces made here, same MTU; cycles per '
           'byte approximated from iperf3\'s CPU utilisation',
           'ratio': 'synack Gbit/s / iperf3 Gbit/s, run by run (both use one core per side, so '
           'this is also the per-core ratio)',
           'noise': 'shared 2-core machine: other builds and benchmarks run at the same time; '
           'max is the best of the runs'}
    return {'status': 'ran', 'config': cfg, 'results': res, 'ratios': ratios,
            'headline_best_median_ratio_copy': best,
            'target_met': best is not None and best >= 3, 'plots': [plot], 'raw': raw}


def last_json(text):
    """The last JSON object printed (whole output, or its last line)."""
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        pass
    for line in reversed(text.strip().splitlines()):
        try:
            return json.loads(line)
        except ValueError:
            continue
    return None


def telemetry(pid):
    """/synack/stats of a running synack, {} when it does not answer."""
    try:
        p = subprocess.run(['dpdk-telemetry.py', '-f', f'synack{pid}'], input='/synack/stats\n',
                           capture_output=True, text=True, timeout=10)
    except subprocess.TimeoutExpired:
        return {}
    at = p.stdout.find('{"/synack/stats"')
    if at < 0:
        return {}
    try:
        obj, _ = json.JSONDecoder().raw_decode(p.stdout[at:])
        return obj.get('/synack/stats', {})
    except ValueError:
        return {}


def eal_heap(pid):
    """The EAL heap of a running synack (socket 0): bytes allocated and mapped."""
    try:
        p = subprocess.run(['dpdk-telemetry.py', '-f', f'synack{pid}'],
                           input='/eal/heap_info,0\n', capture_output=True, text=True,
                           timeout=10)
        at = p.stdout.find('{"/eal/heap_info"')
        obj, _ = json.JSONDecoder().raw_decode(p.stdout[at:])
        h = obj['/eal/heap_info']
        return {'heap_alloc_bytes': int(h['Alloc_size']), 'heap_size_bytes': int(h['Heap_size'])}
    except (subprocess.TimeoutExpired, ValueError, KeyError, TypeError):
        return {}


def proc_mem(pid):
    rss = hug = 0
    with open(f'/proc/{pid}/smaps') as f:
        for line in f:
            if line.startswith('Rss:'):
                rss += int(line.split()[1]) * 1024
            elif line.startswith(('Private_Hugetlb:', 'Shared_Hugetlb:')):
                hug += int(line.split()[1]) * 1024
    return {'rss_bytes': rss, 'hugetlb_bytes': hug, 'total_bytes': rss + hug}


def proc_cpu_s(pid):
    tot = 0
    for task in os.listdir(f'/proc/{pid}/task'):
        with open(f'/proc/{pid}/task/{task}/stat') as f:
            fields = f.read().rsplit(')', 1)[1].split()
        tot += int(fields[11]) + int(fields[12])
    return tot / os.sysconf('SC_CLK_TCK')


def default_build():
    if os.path.exists(os.path.join(TOP, 'build/app/synack/synack')):
        return os.path.join(TOP, 'build')
    cands = sorted(glob.glob(os.path.join(TOP, 'build*/app/synack/synack')), key=os.path.getmtime)
    return os.path.dirname(os.path.dirname(os.path.dirname(cands[-1]))) if cands else None


def flow_summary(flow):
    """Connection table against rte_hash, same keys and run (bench_flow), medians of runs."""
    runs = [r for r in flow.get('runs', []) if r and r.get('tables')]
    if not runs:
        return []
    L = ['| flow table, entries | ours: B/entry, lookup hit / miss / bulk, insert, remove '
         '(ns) | rte_hash: same |', '| --- | --- | --- |']
    for i, t0 in enumerate(runs[0]['tables']):
        def cell(get):
            vals = [get(r['tables'][i]) for r in runs if i < len(r['tables'])]
            vals = [v for v in vals if v is not None]
            return statistics.median(vals) if vals else None

        def row(pick):
            b = cell(lambda t: pick(t).get('bytes_per_entry'))
            ops = [cell(lambda t, k=k: pick(t).get(k, {}).get('ns_per_op'))
                   for k in ('lookup_hit', 'lookup_miss', 'lookup_bulk', 'insert', 'remove')]
            return f'{fmt(b, 1)} B; ' + ' / '.join(fmt(o, 1) for o in ops[:3]) + \
                f', {fmt(ops[3], 1)}, {fmt(ops[4], 1)}'
        L.append(f'| {t0["entries"]:,} | {row(lambda t: t)} | '
                 f'{row(lambda t: t.get("rte_hash", {}))} |')
    return L + ['']


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--quick', action='store_true', help='1 run each, short durations')
    ap.add_argument('--runs', type=int, help='runs per scenario (default 3, --quick 1)')
    ap.add_argument('--scenario', nargs='+', choices=SCENARIOS, help='default: all')
    ap.add_argument('--build', default=default_build())
    ap.add_argument('--results', default=os.path.join(BENCH, 'results'))
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit('bench/run.py needs root (network namespaces, veth pairs)')
    if a.build is None or not os.path.exists(os.path.join(a.build, 'app/synack/synack')):
        sys.exit('no synack build: meson setup build && ninja -C build, or --build DIR')
    for tool in ('wrk', 'nginx', 'dpdk-testpmd', 'taskset', 'ip'):
        if shutil.which(tool) is None:
            sys.exit(f'{tool} is missing (apt-get install wrk nginx-light dpdk util-linux '
                     'iproute2)')
    if plt_or_none() is None:
        print('matplotlib is missing for this python: no plots. Install it with '
              '`apt-get install python3-matplotlib` and run with /usr/bin/python3 '
              'bench/run.py', file=sys.stderr)
    a.build = os.path.abspath(a.build)
    os.makedirs(a.results, exist_ok=True)
    atexit.register(Owned.cleanup)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    s = Suite(a)
    t0 = time.time()
    failed, results = [], {}
    for name in a.scenario or SCENARIOS:
        log(f'== {name} ({time.time() - t0:.0f} s)')
        try:
            results[name] = getattr(s, name)()
        except (RuntimeError, subprocess.SubprocessError, OSError) as e:
            log(f'  {name} FAILED: {e}')
            failed.append(name)
        Owned.cleanup()
    # a partial run keeps the other scenarios' sections from their JSON of the same date
    kept = []
    for name in SCENARIOS:
        if name not in results and os.path.exists(s.out(name, 'json')):
            with open(s.out(name, 'json')) as f:
                results[name] = json.load(f)
            kept.append(f'{name} ({results[name].get("date", "?")})')
    results = {n: results[n] for n in SCENARIOS if n in results}
    md = md_summary(results)
    with open(s.out('summary', 'md'), 'w') as f:
        f.write(f'<!-- bench/run.py {" ".join(sys.argv[1:])}; {s.date}'
                + (f'; kept from earlier runs: {", ".join(kept)}' if kept else '') + ' -->\n'
                + md)
    log(md)
    log(f'done in {time.time() - t0:.0f} s' + (f'; failed: {failed}' if failed else ''))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
