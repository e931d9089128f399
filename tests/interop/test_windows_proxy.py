#!/usr/bin/env python3
"""evonion.exe under Wine as a SOCKS proxy through a local network of tor 0.4.9 relays (issue 8).

The tor network runs natively (testnet.py: 3 authorities + 3 relays, 1 of them the exit);
evonion.exe (the mingw-w64 cross build) runs under Wine as the client, its SOCKS port on
127.0.0.1, and curl --socks5-hostname goes through it.

Checks (each with its own deadline; a hang is a failure):
  boot       evonion.exe bootstraps under Wine and logs "libevent backend: win32 (IOCP on)"
             (mainloop_uses_iocp(): the base has an IOCP port, so its socket bufferevents are
             the async kind)
  get        50 MiB GET, sha256 against the generator
  post       10 MiB POST, the server reports the same length and sha256
  parallel   20 concurrent GETs of 2 MiB, each byte-exact
  linux      the native Linux evonion (--evonion, optional) on the same network, the same
             50 MiB GET: both throughputs are printed side by side
  rate       a second evonion.exe with --bandwidth-rate 1MB: a 10 MiB GET holds the rate within
             +-10% (bounds from the byte count, see do_rate)
  shutdown   SIGINT to the Wine process (Wine turns it into a console CTRL_C_EVENT): evonion.exe
             logs "Caught Ctrl-C: exiting cleanly.", exits 0 within 30 s and writes the guard
             state file anew (removed just before the signal) naming a relay of this network.
             Console close cannot be sent from Linux; tests/unit/app/test_console.c calls the
             handler with CTRL_CLOSE_EVENT the way Windows does.  SIGTERM is not a clean stop
             under Wine (Wine ends the process at once): the harness's SIGTERM is only cleanup.

Prints PASS/FAIL lines, the throughput table, `N passed, N failed`; exit 0/1, 77 (skip) when
there is no evonion.exe, wine, tor or curl.

    python3 tests/interop/test_windows_proxy.py --exe build-win/evonion.exe --evonion build/evonion
    (EVONION_WIN_EXE / EVONION_BIN instead of the flags; WINEPREFIX: default the prefix next to
    the .exe (build-win/wineprefix, made by .ci/windows/run.sh), else one is created there)
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testnet  # noqa: E402
import socksproxy as sp  # noqa: E402
from httpserver import HTTPServer, expected_sha256  # noqa: E402

from verdict import TIMES, check_quiet as check, Timed, summary  # noqa: E402
RATES = []
ALL_CHECKS = ['get', 'post', 'parallel', 'linux', 'rate', 'shutdown']
CELL_PAYLOAD, CELL_SIZE = 498, 514      # RELAY_DATA payload bytes per 514-byte link cell
MiB = 1 << 20


# --------------------------------------------------------------------------------------------
# Wine


class Wine:
    """A Wine prefix with one persistent wineserver for the test (programs then start in ~0.3 s).
    close() ends every Windows process of the prefix (wineserver -k)."""

    def __init__(self, prefix):
        self.prefix = prefix
        self.env = {'WINEPREFIX': prefix, 'WINEDEBUG': '-all',
                    'WINEDLLOVERRIDES': 'mscoree,mshtml='}
        full = dict(os.environ, **self.env)
        if not os.path.exists(os.path.join(prefix, 'system.reg')):
            print('creating the Wine prefix %s' % prefix, flush=True)
            os.makedirs(prefix, exist_ok=True)
            subprocess.run(['wineboot', '--init'], env=full, stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=180)
            subprocess.run(['wineserver', '-w'], env=full, timeout=60)
        subprocess.run(['wineserver', '-p'], env=full, timeout=60)
        self.full_env = full

    def close(self):
        subprocess.run(['wineserver', '-k'], env=self.full_env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=60)


def win_path(path):
    """A Unix path as a Windows program under Wine names it (drive Z: is /)."""
    return 'Z:' + os.path.abspath(path).replace('/', '\\')


def read(path):
    try:
        with open(path, errors='replace') as f:
            return f.read()
    except OSError:
        return ''


def start_evonion_exe(net, wine, exe, nickname, extra=(), timeout=240.0):
    """evonion.exe under Wine as a SOCKS proxy of the network, its data directory and log file
    given as Windows paths (Z:\\...).  Waits for 'Bootstrapped 100%' and the SOCKS port."""
    servers = [n for n in net.authorities + net.relays if n.fingerprint and n.is_tor]
    net.poke_relays()
    net.wait_for_relay_microdescs(servers, timeout)
    data_dir = os.path.join(net.base_dir, nickname)     # testnet's node directory
    argv = ['wine', os.path.abspath(exe), '--socks-port', '127.0.0.1:{socks_port}',
            '--data-directory', win_path(data_dir), '--testing-tor-network', '--log', 'info',
            '--log-file', win_path(os.path.join(data_dir, 'notice.log'))]
    for v in net.dir_authority_values():
        argv += ['--dir-authority', v]
    node = net.add_process(nickname, argv + list(extra), port_names=('socks_port',),
                           role='evonion.exe', env=wine.env)
    assert node.data_dir == data_dir, (node.data_dir, data_dir)

    def boot():
        if 'Bootstrapped 100%' in read(node.log_path):
            return None
        return '%s under Wine to log "Bootstrapped 100%%"' % nickname
    net.wait_for(boot, timeout, '%s bootstrap' % nickname)
    net.wait_for_port(node.socks_port, timeout=60, node=node)
    return sp.Proxy('evonion.exe', node, node.socks_port)


# --------------------------------------------------------------------------------------------
# Checks


def first_request(proxy, http):
    """The first stream of a fresh network may fail once (testnet.md); up to 3 tries, 90 s."""
    deadline = time.monotonic() + 90
    tries = 0
    while True:
        tries += 1
        t = sp.curl_get_bytes(proxy.socks_port, http.port, 65536, 'warmup-' + proxy.node.nickname,
                              timeout=40)
        if t.ok or time.monotonic() > deadline or tries >= 3:
            return check('%s: first request (%d tries)' % (proxy.node.nickname, tries), t.ok,
                         t.why)


def wineserver_pids(wine):
    """The wineserver of our prefix (found by its environment; only read, never signalled)."""
    out = []
    for d in os.listdir('/proc'):
        if not d.isdigit():
            continue
        try:
            with open('/proc/%s/comm' % d) as f:
                if not f.read().startswith('wineserver'):
                    continue
            with open('/proc/%s/environ' % d, 'rb') as f:
                env = f.read().split(b'\0')
        except OSError:
            continue
        if ('WINEPREFIX=' + wine.prefix).encode() in env:
            out.append(int(d))
    return out


def cpu_of(pids):
    total = 0.0
    for p in pids:
        try:
            total += sp.proc_cpu_seconds(p)
        except (OSError, ValueError):
            pass
    return total


def big_get(proxy, http, mib, label, extra_pids=()):
    """GET mib MiB; prints the CPU seconds the proxy (and extra_pids: Wine's server) spent."""
    n = mib * MiB
    pids = [proxy.pid] + list(extra_pids)
    cpu0 = [cpu_of([p]) for p in pids]
    with Timed('%s: GET %d MiB' % (label, mib)):
        t = sp.curl_get_bytes(proxy.socks_port, http.port, n, label, timeout=600,
                              expected=expected_sha256(n, label))
    cpu = [cpu_of([p]) - c for p, c in zip(pids, cpu0)]
    check('%s: GET %d MiB byte-exact (%.1f MB/s)' % (label, mib, t.mbps), t.ok, t.why)
    print('     CPU during the GET: proxy %.1f s%s; load average %s' % (
        cpu[0], ''.join(', wineserver %.1f s' % c for c in cpu[1:]),
        ' '.join('%.1f' % x for x in os.getloadavg())), flush=True)
    if t.ok:
        RATES.append((label, mib, t.mbps, t.time_total, sum(cpu)))
    return t


def do_post(proxy, http):
    n = 10 * MiB
    with Timed('POST 10 MiB'):
        t = sp.curl_upload(proxy.socks_port, http.port, n, 'upload-win', timeout=300)
    check('evonion.exe: POST 10 MiB byte-exact (%.1f MB/s)' % (n / (t.time_total or 1) / 1e6),
          t.ok, t.why)


def do_parallel(proxy, http):
    n, size = 20, 2 * MiB
    args = [(proxy.socks_port, http.port, size, 'winpar%d' % i, 300) for i in range(n)]
    with Timed('20 x 2 MiB concurrent'):
        res = sp.run_concurrent(sp.curl_get_bytes, args)
    bad = [(i, r if not isinstance(r, sp.Transfer) else r.why) for i, r in enumerate(res)
           if not isinstance(r, sp.Transfer) or not r.ok]
    check('evonion.exe: 20 concurrent GETs of 2 MiB, each byte-exact (%d failed)' % len(bad),
          not bad, bad[:5])


def do_linux(net, linux_bin, http, mib):
    if not linux_bin:
        print('SKIP linux: no native evonion given (--evonion / EVONION_BIN)', flush=True)
        return
    with Timed('linux evonion: bootstrap'):
        proxy = sp.start_evonion(net, linux_bin, nickname='evolinux', timeout=240)
    if first_request(proxy, http):
        big_get(proxy, http, mib, 'linux-evonion')
    check('native evonion alive after its transfer', proxy.running(), proxy.log_tail())
    net.stop_node(proxy.node)


def do_rate(net, wine, exe, http):
    """--bandwidth-rate 1MB (tor's units: 1 MiB/s each way, burst = rate).  A 10 MiB GET reads
    W = n * 514/498 bytes of cells from the guard (TLS records add ~0.2%); the bucket starts
    full, so at most burst + R*t bytes have been read after t seconds and the body takes at
    least (W - burst) / R.  The check: the rate the transfer actually held, (W - burst) over
    the time from the first to the last body byte, is within +-10% of R."""
    rate = burst = MiB
    n = 10 * MiB
    with Timed('rate-limited evonion.exe: bootstrap'):
        proxy = start_evonion_exe(net, wine, exe, 'evowinrate',
                                  extra=['--bandwidth-rate', '1MB'])
    if not first_request(proxy, http):
        return
    # the bucket is full again when this GET's body starts: the 64 KiB warm-up drained it for
    # ~0.07 s, less than curl's start, the SOCKS handshake and the BEGIN/CONNECTED round trip
    with Timed('rate: GET 10 MiB at 1 MiB/s'):
        t = sp.curl_get_bytes(proxy.socks_port, http.port, n, 'rate', timeout=120)
    check('rate-limited: GET 10 MiB byte-exact', t.ok, t.why)
    if not t.ok:
        return
    wire = n * CELL_SIZE / CELL_PAYLOAD
    body_time = t.time_total - t.ttfb
    held = (wire - burst) / body_time
    expect_time = (wire - burst) / rate
    print('     rate: %d bytes in %.2f s after the first byte (model %.2f s): held %.3f MiB/s of '
          'cells, %.3f MiB/s of body' % (n, body_time, expect_time, held / MiB,
                                          n / t.time_total / MiB), flush=True)
    RATES.append(('evonion.exe --bandwidth-rate 1MB', 10, n / t.time_total / 1e6, t.time_total,
                  None))
    check('--bandwidth-rate 1MB held within +-10%% (%.3f MiB/s; body time %.2f s, bounds '
          '%.2f-%.2f s)' % (held / MiB, body_time, expect_time / 1.1, expect_time / 0.9),
          0.9 * rate <= held <= 1.1 * rate, t)
    net.stop_node(proxy.node)


def do_shutdown(net, proxy):
    """SIGINT to the Wine process: Wine delivers it as CTRL_C_EVENT to the console handlers."""
    node = proxy.node
    state = os.path.join(node.data_dir, 'state')
    had = os.path.exists(state)
    check('evonion.exe wrote a state file while running', had)
    if had:
        os.remove(state)
    node.stopped = True             # the harness's waits must not count this exit as a death
    t0 = time.monotonic()
    node.proc.send_signal(signal.SIGINT)
    try:
        rc = node.proc.wait(30)
    except subprocess.TimeoutExpired:
        rc = None
    dt = time.monotonic() - t0
    log = read(node.log_path)
    check('Ctrl-C (SIGINT through Wine): evonion.exe exited 0 within 30 s (%s after %.1f s)'
          % (rc, dt), rc == 0, log[-1500:])
    check('the console handler caught it: "Caught Ctrl-C: exiting cleanly."',
          'Caught Ctrl-C: exiting cleanly.' in log, log[-800:])
    check('shut down to the end: "evonion stopped (exit status 0)."',
          'evonion stopped (exit status 0).' in log, log[-800:])
    text = read(state)
    fps = {n.fingerprint for n in net.relays + net.authorities if n.fingerprint}
    named = [fp for fp in fps if 'Guard id=%s ' % fp in text]
    check('the guard state file was written at shutdown and names a relay of this network '
          '(%d guards)' % len(named), bool(named), text[:400])


# --------------------------------------------------------------------------------------------


def find_prefix(exe):
    if os.environ.get('WINEPREFIX'):
        return os.environ['WINEPREFIX']
    return os.path.join(os.path.dirname(os.path.abspath(exe)), 'wineprefix')


def run(args, checks, wine, http):
    net = testnet.TestNet(base_dir=args.keep, n_authorities=3, n_relays=3, n_exits=1,
                          extra_torrc={'relay': ['Schedulers Vanilla']})
    try:
        with Timed('network up (consensus)'):
            net.wait_for_consensus(timeout=240)
        with Timed('evonion.exe under Wine: bootstrap'):
            proxy = start_evonion_exe(net, wine, args.exe, 'evowin')
        log = read(proxy.node.log_path)
        check('evonion.exe under Wine bootstrapped (Bootstrapped 100%)', 'Bootstrapped 100%' in log)
        check('evonion.exe runs on IOCP: "libevent backend: win32 (IOCP on)"',
              'libevent backend: win32 (IOCP on)' in log, log[:600])
        if not first_request(proxy, http):
            return
        wsp = wineserver_pids(wine)
        steps = [('get', lambda: big_get(proxy, http, args.big_mib, 'evonion.exe-wine', wsp)),
                 ('post', lambda: do_post(proxy, http)),
                 ('parallel', lambda: do_parallel(proxy, http)),
                 ('linux', lambda: do_linux(net, args.evonion, http, args.big_mib)),
                 ('rate', lambda: do_rate(net, wine, args.exe, http)),
                 ('shutdown', lambda: do_shutdown(net, proxy))]
        for name, fn in steps:
            if name in checks:
                print('--- %s' % name, flush=True)
                with Timed(name):
                    fn()
        if 'shutdown' not in checks:
            check('evonion.exe alive at the end (no crash)', proxy.running(), proxy.log_tail())
    except (testnet.TestNetError, sp.ProxyError, OSError) as e:
        check('network and evonion.exe came up', False, str(e))
    finally:
        pids = net.pids()
        net.close()
        check('every process of the network stopped', not [p for p in pids if testnet.pid_alive(p)])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--exe', default=os.environ.get('EVONION_WIN_EXE'),
                    help='path of evonion.exe (the cross build)')
    ap.add_argument('--evonion', default=os.environ.get('EVONION_BIN'),
                    help='path of the native evonion, for the throughput beside it (optional)')
    ap.add_argument('--only', default='', help='comma-separated subset of: ' + ','.join(ALL_CHECKS))
    ap.add_argument('--big-mib', type=int, default=50, help='size of the big GET (MiB)')
    ap.add_argument('--keep', help='keep the network directory (logs) here')
    args = ap.parse_args()
    checks = [c for c in args.only.split(',') if c] or ALL_CHECKS
    unknown = set(checks) - set(ALL_CHECKS)
    if unknown:
        ap.error('unknown checks: %s' % ', '.join(sorted(unknown)))
    if not args.exe or not os.path.isfile(args.exe):
        print('no evonion.exe (give --exe or EVONION_WIN_EXE; .ci/windows/run.sh builds it); '
              'skipping')
        return 77
    for prog in ('wine', 'wineserver', 'wineboot'):
        if shutil.which(prog) is None:
            print('%s not found (Debian: apt-get install wine wine64); skipping' % prog)
            return 77
    if not os.access(testnet.TOR, os.X_OK) and shutil.which(testnet.TOR) is None:
        print('tor not found (%s); skipping' % testnet.TOR)
        return 77
    if shutil.which(sp.CURL) is None:
        print('curl not found; skipping')
        return 77
    if args.evonion and not os.access(args.evonion, os.X_OK):
        ap.error('--evonion %s is not an executable' % args.evonion)
    t0 = time.monotonic()
    wine = Wine(find_prefix(args.exe))
    try:
        with HTTPServer() as http:
            run(args, checks, wine, http)
    finally:
        wine.close()
    print('\nthroughput (payload MB/s = 10^6 bytes/s over curl\'s total time, same network; '
          'CPU: the proxy + Wine\'s server):')
    for label, mib, mbps, total, cpu in RATES:
        print('  %-36s %4d MiB %8.2f MB/s %7.1f s%s' % (
            label, mib, mbps, total, '' if cpu is None else '  CPU %.1f s' % cpu))
    print('\ntimings:')
    for what, dt in TIMES:
        print('  %-40s %7.1f s' % (what, dt))
    print('  %-40s %7.1f s' % ('total', time.monotonic() - t0))
    return summary()


if __name__ == '__main__':
    sys.exit(main())
