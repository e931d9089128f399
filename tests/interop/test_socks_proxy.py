#!/usr/bin/env python3
"""The SOCKS onion proxy against a local network made only of tor 0.4.9 (issue 6, item 7).

The proxy under test is pluggable: `--proxy tor` uses the harness's tor client (works today, and
shows what tor itself does), `--proxy evonion --evonion PATH` adds evonion to the same kind of
network as a SOCKS proxy (socksproxy.start_evonion: waits for "Bootstrapped 100%" in its log).

Network: 3 authorities + 3 relays, of which 1 exit (so every stream leaves through exit1 and its
CELL_STATS events see every stream's circuit), `Schedulers Vanilla` on the relays, and for the
tor client `ConfluxEnabled 0`.  The exit resolves names through a local DNS server
(httpserver.DNSServer: *.evonion.test -> 127.0.0.1, PTR for 192.0.2.x).

Checks (each with its own deadline; a hang is a failure):
  get        100 MiB GET through curl --socks5-hostname, sha256 against the generator
  post       20 MiB POST, the server reports the same length and sha256
  parallel   50 concurrent GETs of 2 MiB, each byte-exact
  hostname   CONNECT to web.evonion.test (only the exit can resolve it) via SOCKS5 and SOCKS4a,
             SOCKS4 CONNECT to an IPv4 address, SOCKS5 username/password CONNECT
  resolve    SOCKS4a and SOCKS5 RESOLVE (F0), SOCKS5 RESOLVE_PTR (F1), an unknown name fails
  isolation  two SOCKS usernames -> the exit relay carries the two streams on two circuits; one
             username for both -> one circuit (the control case); seen at the exit, not the proxy
  malformed  garbage, truncated, oversized requests: an error reply or a close, never silence,
             and the proxy keeps serving
  refused    CONNECT to a closed port: a SOCKS5 error reply (tor gives 01 since tor exits
             report END reason MISC; 05 if an exit says CONNECTREFUSED), never success
  kill       a relay on the stream's circuit is killed mid-transfer: the transfer ends with an
             error (no hang), the next request succeeds
  sendme1    a second network with ConsensusParams sendme_accept_min_version=1
             sendme_emit_min_version=1: the same 100 MiB GET
  relay logs on both networks (network 1 before the kill), no tor node logged a protocol
             warning about our cells (SENDME, RELAY_EARLY, digest, circ_id, ...)

Prints PASS/FAIL lines, a timing table, `N passed, N failed`; exit 0/1 (77: no tor or curl).

    python3 tests/interop/test_socks_proxy.py --proxy tor
    python3 tests/interop/test_socks_proxy.py --proxy evonion --evonion build/evonion
    (--only get,post ... runs some checks; --big-mib 10 for a quick run)
"""

import argparse
import os
import random
import re
import shutil
import socket
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testnet  # noqa: E402
import socksproxy as sp  # noqa: E402
from httpserver import HTTPServer, DNSServer, expected_sha256, dns_ptr_name  # noqa: E402

from verdict import TIMES, check_quiet as check, Timed, summary  # noqa: E402
ALL_CHECKS = ['get', 'post', 'parallel', 'hostname', 'resolve', 'isolation', 'malformed',
              'refused', 'kill', 'sendme1']
CELL_PAYLOAD = 498          # data bytes per RELAY_DATA cell


# a tor relay's complaint about the cells it got from us (tor's log wording)
RELAY_COMPLAINT = re.compile(r'\[warn\].*(protocol|[Uu]nexpected|[Uu]nacceptable|SENDME|'
                             r'relay_early|RELAY_EARLY|digest|circ_id|[Cc]losing circ)')
# the authorities' own voting, which can warn "Mismatched digest" about a peer's signatures
VOTING_NOISE = re.compile(r'signature|[Cc]onsensus|vote|dirserver')


def check_relay_logs(net, tag):
    """No tor relay or authority logged a protocol warning about our cells."""
    bad = []
    for n in net.authorities + net.relays:
        try:
            with open(n.log_path, errors='replace') as f:
                bad += ['%s: %s' % (n.nickname, line.strip()) for line in f
                        if RELAY_COMPLAINT.search(line) and not VOTING_NOISE.search(line)]
        except OSError as e:
            bad.append('%s: %s' % (n.nickname, e))
    check('%s: no relay logged a protocol warning about our cells' % tag, not bad,
          '; '.join(bad[:5]))


def make_net(kind, params=None, keep=None):
    return testnet.TestNet(base_dir=keep, n_authorities=3, n_relays=3, n_exits=1, client=(kind == 'tor'),
                           consensus_params=params,
                           extra_torrc={'client': ['ConfluxEnabled 0'],
                                        'relay': ['Schedulers Vanilla']})


def setup(net, kind, evonion, dns, tag):
    """Bring the network up, point the exits at our DNS server, start the proxy."""
    with Timed('%s: network up (consensus%s)' % (tag, ' + tor client' if kind == 'tor' else '')):
        net.wait_for_consensus(timeout=240)
    with Timed('%s: proxy ready' % tag):
        proxy = sp.start_proxy(net, kind, evonion)
    # after the proxy: starting evonion sends the relays SIGNAL RELOAD, which would reset this
    conf = dns.resolv_conf(os.path.join(net.base_dir, 'resolv-test.conf'))
    for e in net.exits:
        with net.control(e) as c:
            c.setconf(ServerDNSResolvConfFile=conf)
    print('%s: proxy %r; network timings %s' % (tag, proxy, net.timings), flush=True)
    return proxy


def first_request(proxy, http):
    """The first stream of a fresh network may fail once (testnet.md); up to 3 tries, 60 s."""
    deadline = time.monotonic() + 60
    tries = 0
    while True:
        tries += 1
        t = sp.curl_get_bytes(proxy.socks_port, http.port, 65536, 'warmup', timeout=30)
        if t.ok or time.monotonic() > deadline or tries >= 3:
            return check('first request through the proxy (%d tries)' % tries, t.ok, t.why)


def big_get(proxy, http, mib, label):
    n = mib << 20
    exp = expected_sha256(n, label)
    with Timed('%s: GET %d MiB' % (label, mib)) as tm:
        t = sp.curl_get_bytes(proxy.socks_port, http.port, n, label, timeout=600, expected=exp)
    check('%s: GET %d MiB byte-exact (%.1f MB/s, ttfb %.3f s)' % (label, mib, t.mbps, t.ttfb or -1),
          t.ok, t.why)
    return tm


def do_post(proxy, http):
    with Timed('POST 20 MiB'):
        t = sp.curl_upload(proxy.socks_port, http.port, 20 << 20, 'upload', timeout=300)
    check('POST 20 MiB byte-exact (%.1f MB/s)' % ((20 << 20) / (t.time_total or 1) / 1e6),
          t.ok, t.why)


def do_parallel(proxy, http):
    n, size = 50, 2 << 20
    args = [(proxy.socks_port, http.port, size, 'par%d' % i, 300) for i in range(n)]
    with Timed('50 x 2 MiB concurrent'):
        res = sp.run_concurrent(sp.curl_get_bytes, args)
    bad = [(i, r if not isinstance(r, sp.Transfer) else r.why) for i, r in enumerate(res)
           if not isinstance(r, sp.Transfer) or not r.ok]
    check('50 concurrent GETs of 2 MiB, each byte-exact (%d failed)' % len(bad), not bad, bad[:5])


def do_hostname(proxy, http):
    P = proxy.socks_port
    t = sp.curl_get(P, 'http://web.evonion.test:%d/hello' % http.port, timeout=60)
    check('SOCKS5 CONNECT to a hostname only the exit can resolve', t.ok and t.length == 6, t.why)
    r = sp.socks4a(P, 'web.evonion.test', http.port, keep=True, timeout=60)
    body = sp.http_over(r.sock) if r.sock else b''
    r.close()
    check('SOCKS4a CONNECT to a hostname, then HTTP over it', r.ok and body.endswith(b'hello\n'),
          '%r %r' % (r, body[-40:]))
    r = sp.socks4a(P, '127.0.0.1', http.port, keep=True, timeout=60)
    body = sp.http_over(r.sock) if r.sock else b''
    r.close()
    check('SOCKS4 CONNECT to an IPv4 address, then HTTP over it', r.ok and body.endswith(b'hello\n'),
          '%r %r' % (r, body[-40:]))
    r = sp.socks5(P, '127.0.0.1', http.port, user='user-' + 'x' * 250, password='p' * 255,
                  keep=True, timeout=60)
    body = sp.http_over(r.sock) if r.sock else b''
    r.close()
    check('SOCKS5 username/password (255-byte fields) CONNECT, then HTTP over it',
          r.ok and body.endswith(b'hello\n'), '%r %r' % (r, body[-40:]))


def do_resolve(proxy, dns):
    P = proxy.socks_port
    r = sp.socks5(P, 'web.evonion.test', 0, sp.SOCKS_RESOLVE, timeout=60)
    check('SOCKS5 RESOLVE web.evonion.test -> 127.0.0.1', r.ok and r.addr == '127.0.0.1', r)
    r = sp.socks4a(P, 'res4.evonion.test', 0, sp.SOCKS_RESOLVE, timeout=60)
    check('SOCKS4a RESOLVE res4.evonion.test -> 127.0.0.1', r.ok and r.addr == '127.0.0.1', r)
    asked = [q for q, _ in dns.queries if q.lower() == 'res4.evonion.test']
    check('the exit asked our DNS server (the proxy did not resolve locally)', asked, dns.queries)
    r = sp.socks5(P, '192.0.2.7', 0, sp.SOCKS_RESOLVE_PTR, timeout=60)
    check('SOCKS5 RESOLVE_PTR 192.0.2.7 -> %s' % dns_ptr_name('192.0.2.7'),
          r.ok and r.addr == dns_ptr_name('192.0.2.7'), r)
    r = sp.socks5(P, 'no-such-name.invalid', 0, sp.SOCKS_RESOLVE, timeout=60)
    check('SOCKS5 RESOLVE of an unknown name: an error reply (tor: 04)',
          r.error is None and r.code not in (None, 0), r)
    r = sp.socks4a(P, 'no-such-name.invalid', 0, sp.SOCKS_RESOLVE, timeout=60)
    check('SOCKS4a RESOLVE of an unknown name: rejected (91)', r.error is None and r.code == 91, r)


def wait_until(pred, timeout, poll=0.2):
    """Poll pred() until it is true or `timeout` seconds pass; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() >= deadline:
            return v
        time.sleep(poll)


def busy_circuits_during(stats, transfers, cells_each):
    """Run transfers (functions of an on_first_byte callback) in threads, each one started when
    the previous one has received its first byte (so that circuit is open and carrying data);
    then wait (up to 15 s) until the relay's CELL_STATS have been quiet for 1.5 s.
    Returns (results, circuits with >= 30% of one transfer's cells, totals).  (Under load the
    exit's CELL_STATS events can miss part of a transfer; a circuit that carried a whole
    transfer still clears 30%, one that carried none stays near 0.)"""
    stats.reset()
    results = [None] * len(transfers)
    started = [threading.Event() for _ in transfers]

    def run(i):
        if i and not started[i - 1].wait(60):
            return
        results[i] = transfers[i](started[i].set)
    ths = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(transfers))]
    for th in ths:
        th.start()
    for th in ths:
        th.join()
    # CELL_STATS arrive once a second; the last second of the transfers comes after they end
    stats.wait_quiet(1.5, 15)
    return results, stats.busy(int(0.3 * cells_each)), stats.totals()


def do_isolation(net, proxy, http):
    """Two usernames -> two circuits at the exit; the same username twice -> one circuit."""
    n, rate = 3 << 20, 1 << 20          # 3 s each, overlapping
    cells = n // CELL_PAYLOAD
    stats = sp.CellStats(net.exits[0])
    # with tor as the proxy, its own STREAM events say which circuit each username got: they
    # must agree with what the exit saw (a check of the exit-side method itself)
    own = sp.StreamEvents(proxy.node) if proxy.kind == 'tor' else None
    try:
        for users, want in ((('alice', 'bob'), 2), (('carol', 'carol'), 1)):
            thunks = [lambda fb, u=u, i=i: sp.curl_get_bytes(proxy.socks_port, http.port, n,
                                                             'iso-%s-%d' % (u, i), timeout=120,
                                                             user=u, password='pw', rate=rate,
                                                             on_first_byte=fb)
                      for i, u in enumerate(users)]
            res, busy, tot = busy_circuits_during(stats, thunks, cells)
            ok = all(r is not None and r.ok for r in res)
            check('isolation %s/%s: both transfers byte-exact' % users, ok, res)
            if want == 2:
                check('isolation: usernames %s and %s use two circuits at the exit' % users,
                      len(busy) == 2, 'busy=%s totals=%s' % (busy, tot))
            else:
                # both streams on one circuit: exactly one circuit carried data; had they been
                # on two circuits, each would have carried a whole transfer
                check('isolation control: one username twice shares one circuit at the exit',
                      len(busy) == 1, 'busy=%s totals=%s' % (busy, tot))
        if own is not None:
            circs = wait_until(lambda: (lambda c: c if all(u in c for u in ('alice', 'bob', 'carol'))
                                        else None)(own.circuits()), 10) or own.circuits()
            a, b, c = (circs.get(u, set()) for u in ('alice', 'bob', 'carol'))
            check('isolation: tor\'s STREAM events agree (alice %s, bob %s, carol %s)'
                  % (sorted(a), sorted(b), sorted(c)),
                  len(a) == 1 and len(b) == 1 and a != b and len(c) == 1, circs)
    finally:
        stats.close()
        if own is not None:
            own.close()


MALFORMED = [
    # (name, pieces, half_close)
    ('random garbage', [bytes(random.Random(7).randrange(256) for _ in range(64))], False),
    ('TLS ClientHello-like bytes', [b'\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03' + b'\0' * 60], False),
    ('an HTTP request', [b'GET / HTTP/1.1\r\nHost: x\r\n\r\n'], False),
    ('SOCKS5 greeting with 0 methods', [b'\x05\x00'], False),
    ('SOCKS5 greeting truncated, then EOF', [b'\x05\x05\x00'], True),
    ('SOCKS5 request truncated, then EOF', [b'\x05\x01\x00', b'\x05\x01\x00\x03\x20web.evo'], True),
    ('SOCKS5 BIND (unsupported command)', [b'\x05\x01\x00', b'\x05\x02\x00\x01\x7f\0\0\x01\0\x50'], False),
    ('SOCKS5 unknown address type 9', [b'\x05\x01\x00', b'\x05\x01\x00\x09' + b'\0' * 8], False),
    ('SOCKS5 empty hostname', [b'\x05\x01\x00', b'\x05\x01\x00\x03\x00\x00\x50'], False),
    ('SOCKS5 255-byte hostname', [b'\x05\x01\x00', b'\x05\x01\x00\x03\xff' + b'a' * 255 + b'\0\x50'], False),
    ('SOCKS5 auth with only the username length', [b'\x05\x01\x02', b'\x01\xff'], True),
    ('SOCKS5 wrong auth sub-version', [b'\x05\x01\x02', b'\x07\x01a\x01b'], False),
    ('SOCKS5 1 MiB of junk after the greeting', [b'\x05\x01\x00', b'\x05' * (1 << 20)], False),
    ('SOCKS4 64 KiB username without NUL', [b'\x04\x01\x00\x50\x7f\0\0\x01' + b'u' * 65536], False),
    ('SOCKS4a 64 KiB hostname without NUL', [b'\x04\x01\x00\x50\0\0\0\x01u\0' + b'h' * 65536], False),
    ('SOCKS4a truncated, then EOF', [b'\x04\x01\x00\x50\0\0\0\x01us'], True),
]


def do_malformed(proxy, http):
    for name, pieces, half in MALFORMED:
        r = sp.raw_exchange(proxy.socks_port, pieces, half_close=half, timeout=15)
        print('     %-45s -> %s' % (name, r.outcome()), flush=True)
        check('malformed: %s -> an error reply or a close' % name,
              not r.refused and (r.closed or r.reset), r.outcome())
        if not proxy.running():
            check('proxy still running after: %s' % name, False, proxy.log_tail())
            return
    # a connection that never sends anything
    idle = socket.create_connection(('127.0.0.1', proxy.socks_port), timeout=10)
    t = sp.curl_get_bytes(proxy.socks_port, http.port, 1 << 20, 'after-malformed', timeout=60)
    idle.close()
    check('proxy running and serving after the malformed requests', proxy.running() and t.ok, t.why)


def closed_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()       # nothing listens there now (a race with another program is harmless: rare)
    return port


def do_refused(proxy):
    port = closed_port()
    t0 = time.monotonic()
    r = sp.socks5(proxy.socks_port, '127.0.0.1', port, timeout=90)
    dt = time.monotonic() - t0
    check('CONNECT to a closed port: SOCKS5 error reply 01 or 05 (got %s after %.1f s)' % (r.code, dt),
          r.error is None and r.code in (1, 5), r)
    r = sp.socks4a(proxy.socks_port, 'web.evonion.test', port, timeout=90)
    check('SOCKS4a CONNECT to a closed port: rejected (91)', r.error is None and r.code == 91, r)


def do_kill(net, proxy, http):
    """Kill a relay that carries the stream, mid-transfer; the stream must end with an error
    within 60 s, and a new request must succeed (new circuit) within 120 s."""
    candidates = [n for n in net.authorities + net.relays if not n.is_exit and n.running()]
    stats = {n.nickname: sp.CellStats(n) for n in candidates}
    n_bytes, rate = 64 << 20, 1 << 20
    state = {'first': threading.Event()}
    res = {}
    try:
        th = threading.Thread(target=lambda: res.setdefault('t', sp.curl_get_bytes(
            proxy.socks_port, http.port, n_bytes, 'kill', timeout=200, rate=rate,
            on_first_byte=state['first'].set)), daemon=True)
        th.start()
        if not check('kill: the slow transfer started', state['first'].wait(60)):
            th.join(230)
            return
        for s in stats.values():
            s.reset()

        def path_seen():
            # guard and middle both forward the stream's cells (1000 cells: ~0.5 s of it)
            return len([1 for s in stats.values() if s.busy(1000)]) >= 2
        wait_until(path_seen, 20)
        busy = {name: s.busy(1000) for name, s in stats.items()}
        on_path = [n for n in candidates if busy[n.nickname]]
        print('     relays carrying the stream: %s' % [n.nickname for n in on_path], flush=True)
        if not check('kill: found the relays on the stream\'s circuit (guard, middle)',
                     1 <= len(on_path) <= 2, busy):
            th.join(230)
            return
        victim = sorted(on_path, key=lambda n: n.role == 'authority')[0]
        t_kill = time.monotonic()
        net.stop_node(victim, grace=0.5)
        th.join(120)
        dt = time.monotonic() - t_kill
        t = res.get('t')
        check('kill %s: the transfer ended (no hang) within 60 s (%.1f s)' % (victim.nickname, dt),
              t is not None and not t.killed and dt < 60, t)
        check('kill: the transfer failed cleanly (curl error / short body), not byte-exact',
              t is not None and not t.ok and (t.rc not in (0, None) or t.length < n_bytes), t)
    finally:
        for s in stats.values():
            s.close()
    check('proxy still running after the relay died', proxy.running(), proxy.log_tail())
    deadline = time.monotonic() + 120
    tries = 0
    t0 = time.monotonic()
    while True:
        tries += 1
        t = sp.curl_get_bytes(proxy.socks_port, http.port, 1 << 20, 'after-kill%d' % tries, timeout=60)
        if t.ok or time.monotonic() > deadline:
            break
        time.sleep(0.5)         # poll interval between attempts
    check('kill: the next request succeeds (%d tries, %.1f s)' % (tries, time.monotonic() - t0),
          t.ok, t.why)


def run_main_net(args, http, dns, checks):
    net = make_net(args.proxy, keep=args.keep and os.path.join(args.keep, 'net1'))
    try:
        proxy = setup(net, args.proxy, args.evonion, dns, 'net1')
        if not first_request(proxy, http):
            return
        steps = [('get', lambda: big_get(proxy, http, args.big_mib, 'net1')),
                 ('post', lambda: do_post(proxy, http)),
                 ('parallel', lambda: do_parallel(proxy, http)),
                 ('hostname', lambda: do_hostname(proxy, http)),
                 ('resolve', lambda: do_resolve(proxy, dns)),
                 ('isolation', lambda: do_isolation(net, proxy, http)),
                 ('malformed', lambda: do_malformed(proxy, http)),
                 ('refused', lambda: do_refused(proxy)),
                 ('kill', lambda: do_kill(net, proxy, http))]
        for name, fn in steps:
            if name == 'kill':      # (the relay killed next makes its neighbours complain)
                check_relay_logs(net, 'net1')
            if name in checks:
                print('--- %s' % name, flush=True)
                with Timed('net1: %s' % name):
                    fn()
        check('proxy process alive at the end (no crash)', proxy.running(), proxy.log_tail())
    except (testnet.TestNetError, sp.ProxyError, OSError) as e:
        check('network and proxy came up', False, str(e))
    finally:
        pids = net.pids()
        net.close()
        check('every process of network 1 stopped', not [p for p in pids if testnet.pid_alive(p)])


def run_sendme_net(args, http, dns):
    params = {'sendme_accept_min_version': 1, 'sendme_emit_min_version': 1}
    net = make_net(args.proxy, params, keep=args.keep and os.path.join(args.keep, 'net2'))
    try:
        proxy = setup(net, args.proxy, args.evonion, dns, 'net2')
        cons = net.consensus()
        check('net2: consensus params %s' % params,
              cons is not None and all(cons.params.get(k) == '1' for k in params),
              cons.params if cons else None)
        if first_request(proxy, http):
            big_get(proxy, http, args.big_mib, 'sendme1')
            check_relay_logs(net, 'net2')
        check('net2: proxy alive at the end', proxy.running(), proxy.log_tail())
    except (testnet.TestNetError, sp.ProxyError, OSError) as e:
        check('network 2 and proxy came up', False, str(e))
    finally:
        pids = net.pids()
        net.close()
        check('every process of network 2 stopped', not [p for p in pids if testnet.pid_alive(p)])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--proxy', choices=['tor', 'evonion'],
                    default=os.environ.get('EVONION_PROXY', 'tor'))
    ap.add_argument('--evonion', default=os.environ.get('EVONION_BIN'),
                    help='path of the evonion binary (with --proxy evonion)')
    ap.add_argument('--only', default='', help='comma-separated subset of: ' + ','.join(ALL_CHECKS))
    ap.add_argument('--big-mib', type=int, default=100, help='size of the big GET (MiB)')
    ap.add_argument('--keep', help='keep the networks\' directories (logs) under this directory')
    args = ap.parse_args()
    checks = [c for c in args.only.split(',') if c] or ALL_CHECKS
    unknown = set(checks) - set(ALL_CHECKS)
    if unknown:
        ap.error('unknown checks: %s' % ', '.join(sorted(unknown)))
    if not os.access(testnet.TOR, os.X_OK) and shutil.which(testnet.TOR) is None:
        print('tor not found (%s); skipping' % testnet.TOR)
        return 77
    if shutil.which(sp.CURL) is None:
        print('curl not found; skipping')
        return 77
    if args.proxy == 'evonion' and not (args.evonion and os.access(args.evonion, os.X_OK)):
        ap.error('--proxy evonion needs --evonion PATH (or EVONION_BIN) of an executable')
    t0 = time.monotonic()
    with HTTPServer() as http, DNSServer() as dns:
        if set(checks) - {'sendme1'}:
            run_main_net(args, http, dns, checks)
        if 'sendme1' in checks:
            run_sendme_net(args, http, dns)
    print('\ntimings (proxy: %s):' % args.proxy)
    for what, dt in TIMES:
        print('  %-40s %7.1f s' % (what, dt))
    print('  %-40s %7.1f s' % ('total', time.monotonic() - t0))
    return summary()


if __name__ == '__main__':
    sys.exit(main())
