#!/usr/bin/env python3
"""Bare packet path: synack's per-core loop on net_null against dpdk-testpmd io-forwarding
on net_null, on the same machine in the same run.

synack `pktpath` receives each frame, parses and validates it in the net layer, drops it
with a counter and frees it. testpmd io-forwarding receives and retransmits without
touching the data: the raw PMD cost. Both run one polling core (lcore 1; lcore 0 is main).
The ratio synack/testpmd is the floor every later layer is measured against.

Usage: bench/packet_path.py [--build DIR] [--runs N] [--packets N] [--out FILE]
Writes bench/results/<date>-packet_path.json (min/median/max of each figure and the ratio).
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def eal_mem_args():
    """Hugepages when some are free, --no-huge otherwise (as scripts/eal-args.sh)."""
    with open('/proc/meminfo') as f:
        free = int(re.search(r'HugePages_Free:\s+(\d+)', f.read()).group(1))
    return [] if free >= 256 else ['--no-huge', '-m', '1024']


def run_synack(build, packets, run):
    out = os.path.join('/tmp', f'synack-bench-pktpath-{os.getpid()}-{run}.json')
    cmd = [os.path.join(build, 'app/synack/synack'), 'pktpath', '--quiet', '--profile',
           os.path.join(TOP, 'drivers-config/net_null.ini'), '--packets', str(packets),
           '--json', out, '--duration', '60']
    subprocess.run(cmd, check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=120)
    with open(out) as f:
        res = json.load(f)
    os.unlink(out)
    return res['mpps'], res['cycles_per_frame']


def run_testpmd(seconds, run):
    """io-forwarding between two net_null ports on one core. testpmd prints its periodic
    rates only on a terminal, so the rate is taken from the port totals printed at stop,
    over the time between the start of forwarding and the stop signal."""
    log = f'/tmp/synack-bench-testpmd-{os.getpid()}-{run}.log'
    prefix = f'sybench{os.getpid()}{run}'
    cmd = ['dpdk-testpmd', '-l', '0,1', '--no-pci', '--vdev=net_null0', '--vdev=net_null1',
           f'--file-prefix={prefix}'] + (eal_mem_args() or ['--huge-unlink=always']) + \
          ['--', '--forward-mode=io', '--no-lsc-interrupt', '--stats-period=1', '-a']
    with open(log, 'w') as out:
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.time() + 30
    while time.time() < deadline and 'forwards packets' not in open(log).read():
        time.sleep(0.01)
    start = time.time()
    time.sleep(seconds)
    p.send_signal(signal.SIGINT)
    elapsed = time.time() - start
    try:
        p.wait(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
    text = open(log).read()
    os.unlink(log)
    # testpmd leaves its runtime directory behind; the prefix is ours
    shutil.rmtree(f'/var/run/dpdk/{prefix}', ignore_errors=True)
    # "Forward statistics for port N" blocks at stop: RX-packets of each port
    fwd = re.findall(r'Forward statistics for port \d+.*?\n\s*RX-packets:\s+(\d+)', text, re.S)
    if len(fwd) < 2:
        raise RuntimeError('testpmd printed no totals:\n' + text[-2000:])
    return (int(fwd[-1]) + int(fwd[-2])) / elapsed / 1e6


def summary(values):
    return {'min': min(values), 'median': statistics.median(values), 'max': max(values),
            'runs': values}


def machine():
    with open('/proc/cpuinfo') as f:
        model = re.search(r'model name\s*:\s*(.*)', f.read())
    dpdk = subprocess.run(['pkg-config', '--modversion', 'libdpdk'], capture_output=True,
                          text=True).stdout.strip()
    return {'cpu': model.group(1) if model else platform.processor(), 'cores': os.cpu_count(),
            'dpdk': dpdk, 'hugepages': not eal_mem_args(), 'kernel': platform.release()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--build', default=os.path.join(TOP, 'build'))
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--packets', type=int, default=50_000_000)
    ap.add_argument('--testpmd-seconds', type=int, default=5)
    ap.add_argument('--out')
    a = ap.parse_args()

    synack_mpps, synack_cpp, testpmd_mpps = [], [], []
    for run in range(a.runs):
        mpps, cpp = run_synack(a.build, a.packets, run)
        synack_mpps.append(mpps)
        synack_cpp.append(cpp)
        testpmd_mpps.append(run_testpmd(a.testpmd_seconds, run))
        print(f'run {run + 1}/{a.runs}: synack {mpps:.2f} Mpps ({cpp:.1f} cycles/frame), '
              f'testpmd io-fwd {testpmd_mpps[-1]:.2f} Mpps', flush=True)
    ratio = [s / t for s, t in zip(synack_mpps, testpmd_mpps)]
    result = {
        'scenario': 'packet_path', 'date': datetime.datetime.now().isoformat(timespec='seconds'),
        'machine': machine(),
        'config': {'runs': a.runs, 'packets': a.packets, 'cores': 'one polling core each',
                   'synack': 'pktpath on net_null (rx, parse, drop with counter, free)',
                   'baseline': 'dpdk-testpmd --forward-mode=io, two net_null ports'},
        'synack_mpps_per_core': summary(synack_mpps),
        'synack_cycles_per_frame': summary(synack_cpp),
        'testpmd_iofwd_mpps_per_core': summary(testpmd_mpps),
        'ratio_synack_to_testpmd': summary(ratio),
    }
    out = a.out or os.path.join(TOP, 'bench/results',
                                f'{datetime.date.today().isoformat()}-packet_path.json')
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, 'w') as f:
        json.dump(result, f, indent=2)
    print(f'synack/testpmd = {statistics.median(ratio):.3f} (median); written to {out}')


if __name__ == '__main__':
    sys.exit(main())
