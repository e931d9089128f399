#!/usr/bin/env python3
"""demo.py — what the README's main command (tests/run-main.sh) runs.

Starts a local Tor test network of Debian's tor 0.4.9 (3 authorities, 3 relays, one of them an
exit) on 127.0.0.1, starts evonion's SOCKS proxy bootstrapped into it, fetches a page from a local
HTTP server through the proxy to show that it works, prints the proxy's SOCKS port, and keeps
everything running until Ctrl-C (or SIGTERM); then every process it started is stopped by PID.

    python3 tests/interop/demo.py --evonion build/evonion [--dir DIR] [--once]

--once stops after the fetch (used by the test suite).  Extra evonion flags: EVONION_PROXY_ARGS
(see socksproxy.py)."""
import argparse
import os
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testnet import TestNet, TestNetError  # noqa: E402
from httpserver import HTTPServer  # noqa: E402
from socksproxy import start_evonion  # noqa: E402

PAGE = b'hello\n'  # what httpserver.py answers on /hello


def say(msg):
    print('[demo] ' + msg, flush=True)


def fetch(socks_port, url, timeout=60):
    """curl the page through the SOCKS proxy (the hostname is resolved by the exit)."""
    r = subprocess.run(['curl', '-sS', '--max-time', str(timeout), '--socks5-hostname',
                        '127.0.0.1:%d' % socks_port, url], capture_output=True)
    return r.returncode, r.stdout, r.stderr.decode(errors='replace').strip()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--evonion', required=True, help='the evonion binary')
    ap.add_argument('--dir', help='keep the network in this directory (default: a temp dir)')
    ap.add_argument('--once', action='store_true', help='stop after the first fetch')
    ap.add_argument('--timeout', type=float, default=240.0)
    args = ap.parse_args()

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())

    t0 = time.monotonic()
    say('starting a local tor test network (3 authorities, 3 relays, 1 exit)...')
    with TestNet(base_dir=args.dir, n_authorities=3, n_relays=3, n_exits=1) as net, \
            HTTPServer() as web:
        net.wait_for_consensus(timeout=args.timeout)
        say('network ready in %.1f s; starting evonion' % (time.monotonic() - t0))
        proxy = start_evonion(net, args.evonion, timeout=args.timeout)
        say('evonion bootstrapped (pid %d, log %s)' % (proxy.pid, proxy.node.log_path))
        url = 'http://127.0.0.1:%d/hello' % web.port
        rc, body, err = fetch(proxy.socks_port, url)
        if rc != 0 or body != PAGE:
            say('FAILED to fetch %s through evonion: curl exit %d %s' % (url, rc, err))
            return 1
        say('fetched %s through evonion:' % url)
        sys.stdout.write(body.decode())
        say('evonion SOCKS proxy: 127.0.0.1:%d   e.g.  curl --socks5-hostname 127.0.0.1:%d %s'
            % (proxy.socks_port, proxy.socks_port, url))
        if args.once:
            return 0
        say('running; Ctrl-C stops evonion and the test network')
        while not stop.wait(1.0):
            if not proxy.node.running():
                say('evonion exited; see %s' % proxy.node.log_path)
                return 1
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except TestNetError as e:
        print('[demo] the test network failed: %s' % e, file=sys.stderr)
        sys.exit(1)
