#!/usr/bin/env python3
"""Client benchmark (issue 6 item 8): the same downloads through a tor 0.4.9 client's SOCKS port
and through evonion's, over the same local network of tor relays, in one run.

Network (tests/interop/testnet.py): 3 authorities + 3 relays of which 1 exit; every relay and
authority runs `Schedulers Vanilla` (or KIST with --scheduler KIST); the tor client has
`ConfluxEnabled 0` (one plain 3-hop circuit, like evonion).  Paths are not forced: each client
picks its own guard and middle among the 5 non-exit relays; the exit is the same (the only one).

Per client, measured one client at a time (the other one idles):
  ttfb      median curl time_starttransfer of --ttfb-n GETs of a 6-byte body (SOCKS handshake +
            stream open + first byte back), after a warm-up request
  1 stream  throughput of one GET of --mb MB (10^6 bytes), byte-exact (sha256)
  parallel  aggregate throughput of --parallel concurrent GETs of --par-mb MB each (same SOCKS
            credentials: one circuit; --isolate gives each its own username)
  cpu       the client process's utime+stime (/proc/PID/stat) over the two transfer phases,
            per 100 MB moved
  rss       the client process's peak RSS (VmHWM from /proc/PID/status) at the end
--runs N repeats the phases N times, clients alternating, and reports medians.

    python3 bench/socks/run_bench.py                       # tor's column only
    python3 bench/socks/run_bench.py --evonion build/evonion
"""

import argparse
import json
import os
import statistics
import sys
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'tests', 'interop'))
import testnet  # noqa: E402
import socksproxy as sp  # noqa: E402
from httpserver import HTTPServer, expected_sha256  # noqa: E402


class BenchError(Exception):
    pass


def warm_up(proxy, http):
    """First stream of a fresh client may fail once; up to 3 tries within 90 s."""
    deadline = time.monotonic() + 90
    for i in range(3):
        t = sp.curl_get(proxy.socks_port, 'http://127.0.0.1:%d/hello' % http.port, timeout=30)
        if t.ok:
            return
        if time.monotonic() > deadline:
            break
    raise BenchError('%s: warm-up request failed: %s' % (proxy.kind, t.why))


def measure_ttfb(proxy, http, n):
    vals = []
    for i in range(n):
        t = sp.curl_get(proxy.socks_port, 'http://127.0.0.1:%d/hello' % http.port, timeout=60)
        if not t.ok:
            raise BenchError('%s: small request %d failed: %s' % (proxy.kind, i, t.why))
        vals.append(t.ttfb)
    return statistics.median(vals)


def measure_one(proxy, http, n, seed, exp):
    t = sp.curl_get_bytes(proxy.socks_port, http.port, n, seed, timeout=900, expected=exp)
    if not t.ok:
        raise BenchError('%s: %d-byte GET failed: %s' % (proxy.kind, n, t.why))
    return n / t.time_total / 1e6


def measure_parallel(proxy, http, k, n, exp, isolate):
    args = [(proxy.socks_port, http.port, n, 'par', 900, ('iso%d' % i) if isolate else None,
             'x' if isolate else None, None, exp) for i in range(k)]
    t0 = time.monotonic()
    res = sp.run_concurrent(sp.curl_get_bytes, args)
    wall = time.monotonic() - t0
    bad = [r for r in res if not isinstance(r, sp.Transfer) or not r.ok]
    if bad:
        raise BenchError('%s: %d of %d parallel GETs failed: %s' % (proxy.kind, len(bad), k, bad[:3]))
    return k * n / wall / 1e6


def run_client(proxy, http, args, exp_one, exp_par):
    """One round of every phase for one client; returns a dict of measurements."""
    pid = proxy.pid
    r = {'ttfb_ms': measure_ttfb(proxy, http, args.ttfb_n) * 1000}
    cpu0 = sp.proc_cpu_seconds(pid)
    r['one_mbps'] = measure_one(proxy, http, args.mb * 10**6, 'one', exp_one)
    cpu1 = sp.proc_cpu_seconds(pid)
    r['par_mbps'] = measure_parallel(proxy, http, args.parallel, args.par_mb * 10**6, exp_par,
                                     args.isolate)
    cpu2 = sp.proc_cpu_seconds(pid)
    moved = (args.mb + args.parallel * args.par_mb) * 10**6
    r['cpu_one_s'] = cpu1 - cpu0
    r['cpu_par_s'] = cpu2 - cpu1
    r['cpu_per_100mb'] = (cpu2 - cpu0) / (moved / 1e8)
    r['peak_rss_mib'] = sp.proc_peak_rss(pid) / 2**20
    if not proxy.running():
        raise BenchError('%s exited during the benchmark' % proxy.kind)
    return r


ROWS = [
    ('one_mbps', '1 stream, MB/s', '%.1f', 'higher'),
    ('par_mbps', '%d streams aggregate, MB/s', '%.1f', 'higher'),
    ('ttfb_ms', 'time to first byte, ms (median)', '%.1f', 'lower'),
    ('cpu_per_100mb', 'client CPU s per 100 MB', '%.2f', 'lower'),
    ('cpu_one_s', 'client CPU s, 1-stream phase', '%.2f', 'lower'),
    ('cpu_par_s', 'client CPU s, parallel phase', '%.2f', 'lower'),
    ('peak_rss_mib', 'client peak RSS, MiB (VmHWM)', '%.1f', 'lower'),
]


def print_table(results, args):
    names = list(results)
    med = {c: {k: statistics.median([r[k] for r in results[c]]) for k in results[c][0]}
           for c in names if results[c]}
    head = '%-36s' % 'metric' + ''.join('%12s' % c for c in names)
    if 'tor' in med and 'evonion' in med:
        head += '%14s' % 'evonion/tor'
    print(head)
    print('-' * len(head))
    for key, label, fmt, better in ROWS:
        if '%d' in label:
            label = label % args.parallel
        line = '%-36s' % label
        for c in names:
            line += '%12s' % ((fmt % med[c][key]) if c in med else '-')
        if 'tor' in med and 'evonion' in med:
            t, e = med['tor'][key], med['evonion'][key]
            line += '%14s' % ('%.2f' % (e / t) if t else '-')
        print(line)
    return med


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--evonion', help='path of the evonion binary: adds the evonion column')
    ap.add_argument('--mb', type=int, default=100, help='size of the single-stream GET, MB (100)')
    ap.add_argument('--parallel', type=int, default=8, help='parallel streams (8)')
    ap.add_argument('--par-mb', type=int, default=25, help='size of each parallel GET, MB (25)')
    ap.add_argument('--ttfb-n', type=int, default=10, help='small requests for the TTFB median (10)')
    ap.add_argument('--runs', type=int, default=1, help='rounds per client; medians reported (1)')
    ap.add_argument('--isolate', action='store_true',
                    help='parallel streams with distinct SOCKS usernames (one circuit each)')
    ap.add_argument('--scheduler', default='Vanilla', help='relays\' Schedulers option (Vanilla)')
    ap.add_argument('--json', help='also write the raw results here')
    ap.add_argument('--keep', help='keep the network directory here (logs)')
    args = ap.parse_args()
    if args.evonion and not os.access(args.evonion, os.X_OK):
        ap.error('--evonion %s is not executable' % args.evonion)

    sched = ['Schedulers %s' % args.scheduler]
    net = testnet.TestNet(base_dir=args.keep, n_authorities=3, n_relays=3, n_exits=1, client=True,
                          extra_torrc={'relay': sched, 'authority': sched,
                                       'client': ['ConfluxEnabled 0']})
    results = {'tor': []}
    if args.evonion:
        results['evonion'] = []
    t_start = time.monotonic()
    load0 = os.getloadavg()[0]
    try:
        with HTTPServer() as http:
            net.wait_for_consensus(timeout=240)
            print('network up: %s' % {k: round(v, 1) for k, v in net.timings.items()}, flush=True)
            proxies = {'tor': sp.start_proxy(net, 'tor')}
            if args.evonion:
                t0 = time.monotonic()
                proxies['evonion'] = sp.start_proxy(net, 'evonion', args.evonion)
                print('evonion bootstrapped in %.1f s' % (time.monotonic() - t0), flush=True)
            exp_one = expected_sha256(args.mb * 10**6, 'one')
            exp_par = expected_sha256(args.par_mb * 10**6, 'par')
            for p in proxies.values():
                warm_up(p, http)
            for i in range(args.runs):
                for name, p in proxies.items():
                    r = run_client(p, http, args, exp_one, exp_par)
                    results[name].append(r)
                    print('round %d %-8s %s' % (i + 1, name,
                                                 ' '.join('%s=%.2f' % kv for kv in r.items())),
                          flush=True)
    except (BenchError, testnet.TestNetError) as e:
        print('benchmark failed: %s' % e, file=sys.stderr)
        return 1
    finally:
        net.close()
    print('\nscheduler %s, conflux off, %d MB single stream, %d x %d MB parallel%s, %d run(s), %.0f s'
          % (args.scheduler, args.mb, args.parallel, args.par_mb,
             ' (isolated)' if args.isolate else ' (one circuit)', args.runs,
             time.monotonic() - t_start))
    print('%d CPUs, load average %.1f at the start, %.1f at the end (a busy machine lowers '
          'throughput)' % (os.cpu_count() or 0, load0, os.getloadavg()[0]))
    med = print_table(results, args)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump({'args': vars(args), 'rounds': results, 'medians': med,
                       'loadavg': [load0, os.getloadavg()[0]]}, f, indent=2)
    return 0


if __name__ == '__main__':
    sys.exit(main())
