#!/usr/bin/env python3
"""Interop test: evonion's directory fetches over BEGIN_DIR on one-hop circuits (issue 6 item 2).

One network of Debian's tor 0.4.9: 3 authorities, 3 relays (1 of them an exit).  evonion runs as a
SOCKS proxy (a free port) with --log info.  Checks:
  * it reaches "Bootstrapped 100%" — the first bootstrap over the authorities' DirPorts, as before;
  * the next consensus refresh (the test network votes every 10-20 s) comes over BEGIN_DIR:
    evonion logs "Fetching /tor/status-vote/current/consensus-microdesc over BEGIN_DIR", its
    tunnel logs "BEGIN_DIR stream N to NICK ($FP) on circuit C connected: GET
    /tor/status-vote/current/consensus-microdesc", NICK/$FP is one of the network's tor relays
    (its guard, reached at its ORPort; the authorities are made to vote Guard for the relays
    only, so the guard is never an authority), and the consensus it then accepts "from a directory cache
    over BEGIN_DIR" has a later valid-after than every one it held before;
  * the authorities' DirPorts were not asked for that consensus: the count of evonion's
    "Fetching /tor/status-vote/... from authN (127.0.0.1:DIRPORT)" lines does not grow after
    bootstrap, and no tunnelled request failed ("over BEGIN_DIR failed" absent);
  * a fetch through the SOCKS port still works (1 MiB, sha256);
  * stopped with SIGTERM, evonion's output has no AddressSanitizer error or UBSan report
    (meaningful with a sanitizer build: EVONION_BIN=build-asan/evonion); leaks at exit are
    printed as a NOTE, not judged (a TLS channel leaks at shutdown with or without BEGIN_DIR).
Prints `N passed, N failed` last; exit 0 only if nothing failed (77: no tor).
"""

import os
import re
import shutil
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testnet  # noqa: E402
import socksproxy as sp  # noqa: E402
from httpserver import HTTPServer, expected_sha256  # noqa: E402

from verdict import PASSED, FAILED, check  # noqa: E402
EVONION = os.path.abspath(os.environ.get('EVONION_BIN', 'build/evonion'))
TOR = os.environ.get('EVONION_TOR') or shutil.which('tor') or '/usr/sbin/tor'
REFRESH_DEADLINE = 150.0
CONS_PATH = '/tor/status-vote/current/consensus-microdesc'


def log_text(node):
    try:
        with open(node.log_path, 'rb') as f:
            return f.read().decode('utf-8', 'replace')
    except OSError:
        return ''


ACCEPT_RE = re.compile(r'Accepted the consensus valid-after (\S+ \S+) UTC from (.*)\.$', re.M)
DIRPORT_CONS_RE = re.compile(r'Fetching %s from (\S+) \(127\.0\.0\.1:(\d+)\)' % re.escape(CONS_PATH))
TUNNEL_CONS_RE = re.compile(r'BEGIN_DIR stream (\d+) to (\S+) \(\$([0-9A-F]{40})\) on circuit (\d+) '
                            r'connected: GET %s' % re.escape(CONS_PATH))


def accepted(text):
    """[(valid_after, source)] of every consensus evonion accepted from the network, in order."""
    return ACCEPT_RE.findall(text)


def guards_are_relays(net):
    """Make the authorities vote Guard for the relays only (SETCONF TestingDirAuthVoteGuard,
    ...IsStrict), and wait for a consensus that says so: evonion's guard — its directory cache —
    is then a tor relay, never an authority, and its BEGIN_DIR traffic cannot be confused with
    an authority's DirPort."""
    fps = sorted(n.fingerprint for n in net.relays)
    for a in net.authorities:
        with net.control(a) as c:
            c.setconf(TestingDirAuthVoteGuard=','.join(fps), TestingDirAuthVoteGuardIsStrict=1)

    def ok():
        # every authority: evonion bootstraps from any of them, and one that still served the
        # previous consensus (Guard on the authorities too) once gave it an authority as guard
        for a in net.authorities:
            try:
                cons = net.consensus(a)
            except Exception as e:  # noqa: BLE001 (an authority between votes)
                return 'a consensus from %s (%s)' % (a.nickname, e)
            if cons is None:
                return 'a consensus from %s' % a.nickname
            guards = {fp for fp, r in cons.routers.items() if 'Guard' in r.flags}
            dir_guards = {fp for fp, r in cons.routers.items() if {'Guard', 'V2Dir'} <= r.flags}
            if not (guards and guards <= set(fps) and dir_guards):
                return 'Guard on the relays only at %s (now on %s)' % (a.nickname, sorted(guards))
        return None
    net.wait_for(ok, 90, 'Guard voted for relays only')
    cons = net.consensus()
    print('consensus %s: %s' % (cons.valid_after, ', '.join(
        '%s[%s]' % (r.nickname, ' '.join(sorted(r.flags))) for r in cons.routers.values())),
        flush=True)


def main():
    if not os.path.exists(TOR) and not shutil.which('tor'):
        print('SKIP: no tor')
        return 77
    if not os.access(EVONION, os.X_OK):
        print('FAIL: no evonion binary at %s' % EVONION)
        return 1
    with testnet.TestNet(n_authorities=3, n_relays=3, n_exits=1, tor=TOR) as net, \
            HTTPServer() as web:
        net.wait_for_consensus(timeout=180)
        guards_are_relays(net)
        proxy = sp.start_evonion(net, EVONION, nickname='evonion-bd', timeout=120.0)
        node = proxy.node
        boot_text = log_text(node)
        n_dirport_boot = len(DIRPORT_CONS_RE.findall(boot_text))
        before = accepted(boot_text)
        check('bootstrapped_over_dirports', n_dirport_boot >= 1 and before
              and all('over BEGIN_DIR' not in src for _, src in before),
              '%d DirPort consensus fetches, accepted %s' % (n_dirport_boot, before))
        latest_before = max(va for va, _ in before) if before else ''

        # Wait for a newer consensus that came over BEGIN_DIR.
        def refreshed():
            for va, src in accepted(log_text(node)):
                if va > latest_before and 'over BEGIN_DIR' in src:
                    return None
            return 'a consensus newer than %s over BEGIN_DIR' % latest_before
        t0 = time.time()
        try:
            net.wait_for(refreshed, REFRESH_DEADLINE, 'consensus refresh over BEGIN_DIR')
            got = True
        except testnet.TestNetError as e:
            got = False
            print('waiting: %s' % str(e)[:2000])
        text = log_text(node)
        after = accepted(text)
        newer = [(va, src) for va, src in after if va > latest_before]
        check('refresh_over_begin_dir', got and newer and 'over BEGIN_DIR' in newer[0][1],
              'after %.1f s: %s' % (time.time() - t0, newer[:3]))
        check('fetch_logged_over_begin_dir',
              ('Fetching %s over BEGIN_DIR' % CONS_PATH) in text)

        # The relay that served it: the tunnel names it; it is a tor node of the network.
        streams = TUNNEL_CONS_RE.findall(text)
        by_fp = {n.fingerprint: n for n in net.nodes if n.fingerprint}
        served = [(nick, fp, by_fp.get(fp)) for _, nick, fp, _ in streams]
        ok = bool(served) and all(n is not None and n.nickname == nick and
                                  n.role in ('relay', 'exit') for nick, fp, n in served)
        check('begin_dir_stream_names_the_relay', ok,
              '; '.join('%s $%s (%s, ORPort %s)' % (nick, fp[:8], n.role if n else '?',
                                                  n.or_port if n else '?')
                        for nick, fp, n in served[:4]))

        # The authorities' DirPorts were not asked for it.
        n_dirport_now = len(DIRPORT_CONS_RE.findall(text))
        check('no_new_dirport_consensus_fetch', n_dirport_now == n_dirport_boot,
              'DirPort consensus fetches: %d at bootstrap, %d now' % (n_dirport_boot, n_dirport_now))
        check('no_tunnel_failure', 'over BEGIN_DIR failed' not in text and
              'BEGIN_DIR tunnel' not in text,
              '' if 'over BEGIN_DIR failed' not in text else
              [l for l in text.splitlines() if 'BEGIN_DIR' in l and 'fail' in l][:3])
        n_bd_lines = len(re.findall(r'over BEGIN_DIR', text))
        print('evonion log: %d lines mention BEGIN_DIR fetches, %d BEGIN_DIR consensus streams'
              % (n_bd_lines, len(streams)), flush=True)

        # SOCKS still works.
        n = 1 << 20
        t = sp.curl_get_bytes(proxy.socks_port, web.port, n, 'begindir', timeout=120)
        check('socks_fetch', t.ok and t.length == n and t.sha256 == expected_sha256(n, 'begindir'),
              repr(t))
        check('evonion_running', node.running())
        # Stop it here, to read what a sanitizer build reports at exit (leaks included).
        net.stop_node(node)
        try:
            with open(node.stdout_path, errors='replace') as f:
                out = f.read()
        except OSError:
            out = ''
        bad = [l for l in out.splitlines() if 'ERROR: AddressSanitizer' in l or 'runtime error:' in l]
        if not check('no_sanitizer_error', not bad, '; '.join(bad[:3])):
            start = out.find('=' * 10)
            print(out[start:start + 20000], flush=True)
        # Leaks at exit are reported, not judged: evonion leaks one TLS channel at shutdown
        # whether or not BEGIN_DIR was used (same 340 allocations when stopped right after
        # "Bootstrapped 100%", before any tunnelled fetch) -- a known issue outside this test.
        m = re.search(r'SUMMARY: AddressSanitizer: (\d+) byte\(s\) leaked in (\d+) allocation', out)
        if m:
            print('NOTE LeakSanitizer at exit: %s bytes in %s allocations' % m.groups(), flush=True)
    print('%d passed, %d failed' % (len(PASSED), len(FAILED)), flush=True)
    return 0 if not FAILED else 1


if __name__ == '__main__':
    try:
        sys.exit(main())
    except testnet.TestNetError as e:
        print('FAIL: test network: %s' % e, flush=True)
        print('%d passed, %d failed' % (len(PASSED), len(FAILED) + 1), flush=True)
        sys.exit(1)
