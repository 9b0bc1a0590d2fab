#!/usr/bin/env python3
"""Legitimate short HTTP connections per second while a SYN flood runs, against the same
load without a flood, in one run: `synack demo --syn-flood RATE` (spoofed SYNs from
203.0.113.0/24, answered with SYN cookies) at several flood rates over the in-memory link.

Usage: bench/synflood/flood_cps.py [--build DIR] [--duration S] [--rates 0,100000,...,max]
Writes bench/results/<date>-synflood.json.
"""
import argparse
import datetime
import json
import os
import subprocess
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(build, rate, duration):
    with tempfile.TemporaryDirectory(prefix='sybench-flood-') as tmp:
        out = os.path.join(tmp, 'r.json')
        cmd = [os.path.join(build, 'app/synack/synack'), 'demo', '--quiet', '--duration',
               str(duration), '--concurrency', '100', '--json', out]
        if rate != '0':
            cmd += ['--syn-flood', rate]
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=duration + 60)
        res = json.load(open(out))
    t = res['totals']
    return {'flood_rate': rate, 'exit_code': p.returncode,
            'legit_conns_per_s': res['rates']['conns_per_s'],
            'flood_syns_sent': t.get('flood.syns_sent', 0),
            'syncookies_sent': t.get('tcp.syncookies_sent', 0),
            'syncookies_ok': t.get('tcp.syncookies_ok', 0),
            'tx_drop_full': t.get('loop.tx_drop_full', 0),
            'errors': t.get('client.response_errors', 0) + t.get('client.conns_failed', 0)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--build', default=os.path.join(TOP, 'build'))
    ap.add_argument('--duration', type=int, default=5)
    ap.add_argument('--rates', default='0,100000,500000,2000000,max')
    a = ap.parse_args()
    rows = [run(a.build, r, a.duration) for r in a.rates.split(',')]
    base = next((r['legit_conns_per_s'] for r in rows if r['flood_rate'] == '0'), None)
    for r in rows:
        r['ratio_to_no_flood'] = r['legit_conns_per_s'] / base if base else None
        print(f"flood {r['flood_rate']:>8}: legit {r['legit_conns_per_s']:>10.0f} conn/s"
              f" ({r['ratio_to_no_flood'] or 0:.2f} of no flood), cookies "
              f"{r['syncookies_sent']}, errors {r['errors']}", flush=True)
    out = os.path.join(TOP, 'bench/results', f'{datetime.date.today().isoformat()}-synflood.json')
    with open(out, 'w') as f:
        json.dump({'scenario': 'synflood', 'date': datetime.datetime.now().isoformat(
            timespec='seconds'), 'duration_s': a.duration, 'concurrency': 100, 'runs': rows},
            f, indent=2)
    print('written to', out)


if __name__ == '__main__':
    main()
