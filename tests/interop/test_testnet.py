#!/usr/bin/env python3
"""Smoke test of the local tor test network harness (testnet.py).

Starts 3 authorities + 5 relays (2 exits) + a tor client with ConsensusParams, waits for the
consensus and the client's bootstrap, fetches 1 MiB from a local HTTP server through the client's
SOCKS port with curl (sha256 checked), checks the consensus `params` line and flags, then closes
the network and checks that every PID it started is gone.  Prints `N passed, N failed` last;
exit status 0 only if nothing failed.
"""

import hashlib
import json
import http.server
import os
import shutil
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True       # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testnet  # noqa: E402

from verdict import check_quiet as check, summary  # noqa: E402


class Payload(http.server.BaseHTTPRequestHandler):
    body = b''

    def do_GET(self):
        if self.path != '/blob':
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header('Content-Type', 'application/octet-stream')
        self.send_header('Content-Length', str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


def fetch_via_socks(socks_port, url, out_path, attempts=3):
    """curl through the tor client; a fresh network's first stream can fail once (testnet.md)."""
    last = None
    for i in range(attempts):
        r = subprocess.run(['curl', '-sS', '--fail', '--max-time', '60',
                            '--socks5-hostname', '127.0.0.1:%d' % socks_port,
                            '-o', out_path, url],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode == 0:
            return True, i + 1, ''
        last = r.stdout.decode(errors='replace')
    return False, attempts, last


def test_deadline_failure():
    """A deadline that passes raises TestNetError with the nodes' log tails; close() then
    leaves no process behind."""
    net = testnet.TestNet(n_authorities=1, n_relays=1, n_exits=0)
    pids = []
    msg = ''
    try:
        net.start()
        pids = net.pids()
        try:
            net.wait_for_consensus(timeout=0.3)
        except testnet.TestNetError as e:
            msg = str(e)
    finally:
        net.close()
    check('a passed deadline raises with log tails', 'not reached within' in msg
          and '--- auth1 (authority)' in msg and '--- relay1 (relay)' in msg, msg[:300])
    alive = [p for p in pids if testnet.pid_alive(p)]
    check('failed run leaves none of its %d PIDs behind' % len(pids), len(pids) == 2 and not alive, alive)


def test_cli():
    """CLI start (1 authority + 1 exit) writes summary.json; CLI stop ends harness and tors."""
    base = os.path.join(os.environ.get('TMPDIR', '/tmp'), 'evonion-testnet-cli-%d' % os.getpid())
    shutil.rmtree(base, ignore_errors=True)
    me = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'testnet.py')
    log = open(base + '.out', 'wb')
    proc = subprocess.Popen([sys.executable, me, 'start', '--dir', base, '--authorities', '1',
                             '--relays', '1', '--exits', '1', '--param', 'circwindow=999'],
                            stdout=log, stderr=subprocess.STDOUT)
    log.close()
    summary_path = os.path.join(base, 'summary.json')
    summary = None
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and proc.poll() is None:
            if os.path.exists(summary_path):
                with open(summary_path) as f:
                    summary = json.load(f)
                break
            time.sleep(0.2)
        check('CLI start writes a summary', summary is not None,
              open(base + '.out', errors='replace').read()[-2000:])
        if summary:
            ex = summary['relays'][0]
            check('CLI summary has ports, fingerprints, DirAuthority lines',
                  ex['is_exit'] and len(ex['fingerprint']) == 40 and ex['or_port'] > 0
                  and summary['dir_authority_lines'][0].startswith('DirAuthority auth1 orport='))
            tor_pids = [n['pid'] for n in summary['authorities'] + summary['relays']]
            r = subprocess.run([sys.executable, me, 'stop', '--dir', base],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            check('CLI stop exits 0', r.returncode == 0, r.stdout.decode(errors='replace'))
            try:
                rc = proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                rc = None
            check('CLI harness exited after stop (status %s)' % rc, rc == 0)
            alive = [p for p in tor_pids if testnet.pid_alive(p)]
            check('CLI stop left no tor behind', not alive, alive)
    finally:
        testnet.stop_procs([proc])
        leftover = testnet._read_pids_file(base)
        testnet.stop_pids([p for p in leftover if testnet._pid_belongs(p, base)])
        shutil.rmtree(base, ignore_errors=True)
        try:
            os.unlink(base + '.out')
        except OSError:
            pass


def main():
    if not os.access(testnet.TOR, os.X_OK) and shutil.which(testnet.TOR) is None:
        print('tor not found (%s); skipping' % testnet.TOR)
        return 77
    params = {'sendme_accept_min_version': 1, 'sendme_emit_min_version': 1}
    body = os.urandom(1 << 20)
    Payload.body = body
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Payload)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = 'http://127.0.0.1:%d/blob' % httpd.server_address[1]

    net = testnet.TestNet(client=True, consensus_params=params)
    started = []
    try:
        t0 = time.monotonic()
        net.start()
        started = net.pids()
        check('started %d authorities + %d relays' % (len(net.authorities), len(net.relays)),
              len(net.authorities) == 3 and len(net.relays) == 5 and len(net.exits) == 2)
        net.wait_for_consensus(timeout=180)
        started = net.pids()
        print('timings (s since tor launch): %s; total with keygen %.1f s'
              % (net.timings, time.monotonic() - t0), flush=True)
        check('every process alive after bootstrap', all(n.running() for n in net.nodes))
        check('client has a SOCKS port', net.socks_port is not None)

        # DirAuthority lines carry the v3ident/fingerprint the authorities really have
        lines = net.dir_authority_lines()
        ok = len(lines) == 3
        for a, line in zip(net.authorities, lines):
            with net.control(a) as c:
                fp = c.getinfo('fingerprint').strip().upper()
            ok = ok and fp == a.fingerprint and line.endswith(' ' + fp) \
                and ('v3ident=%s ' % a.v3ident) in line and (':%d ' % a.dir_port) in line
        check('dir_authority_lines match the authorities', ok, repr(lines))

        # the consensus as served by every authority
        for a in net.authorities:
            cons = net.consensus(a)
            if not check('%s serves a microdesc consensus' % a.nickname, cons is not None):
                continue
            got = {k: cons.params.get(k) for k in params}
            check('%s consensus params line has %s' % (a.nickname, params),
                  got == {k: str(v) for k, v in params.items()}, 'params=%r' % cons.params)
            bad = []
            for r in net.relays:
                rs = cons.routers.get(r.fingerprint)
                want = {'Running', 'Valid'} | ({'Exit'} if r.is_exit else set())
                if rs is None or not want <= rs.flags or rs.or_port != r.or_port:
                    bad.append((r.nickname, rs))
                if rs is not None and not r.is_exit and 'Exit' in rs.flags:
                    bad.append((r.nickname, 'non-exit has Exit'))
            check('%s consensus lists every relay with the right flags' % a.nickname, not bad, bad)

        ed_ok = all(n.ed25519_id and len(n.ed25519_id) == 43 for n in net.authorities + net.relays)
        check('ed25519 ids read from the data dirs', ed_ok)

        ok, tries, err = fetch_via_socks(net.socks_port, url, os.path.join(net.base_dir, 'blob'))
        got = b''
        if ok:
            with open(os.path.join(net.base_dir, 'blob'), 'rb') as f:
                got = f.read()
        check('1 MiB through the tor client (curl, %d attempt(s))' % tries, ok, err)
        check('sha256 of the fetched file matches',
              hashlib.sha256(got).hexdigest() == hashlib.sha256(body).hexdigest(),
              'got %d bytes' % len(got))

        # growing the network: a late tor exit gets listed with Exit (vote_exit via SETCONF)
        late = net.add_node('exit')
        net.wait_for_relays([late], timeout=120)
        rs = net.consensus().routers.get(late.fingerprint)
        check('add_node(exit) listed Running Valid Exit', rs is not None
              and {'Running', 'Valid', 'Exit'} <= rs.flags, rs)
        # any program: ports formatted into argv, tracked by PID, stopped by stop_node()
        prog = net.add_process('listener', [sys.executable, '-c',
                                            'import socket,sys,time\n'
                                            's=socket.socket()\n'
                                            's.bind(("127.0.0.1",int(sys.argv[1])))\n'
                                            's.listen()\n'
                                            'time.sleep(600)\n', '{or_port}'])
        net.wait_for_port(prog.or_port, timeout=60)
        check('add_process listens on its picked port', prog.running() and prog.or_port > 0)
        check('stop_node stops it by PID', net.stop_node(prog) and not testnet.pid_alive(prog.pid))
        started = net.pids()

        # control-port helper: SETCONF + GETINFO round trip on the client
        with net.control(net.client) as c:
            c.setconf(MaxCircuitDirtiness='1234')
            v = c.getinfo('config-text')
        check('control SETCONF/GETINFO round trip', 'MaxCircuitDirtiness 1234' in v)
    except testnet.TestNetError as e:
        check('network came up', False, str(e))
    finally:
        started = started or net.pids()
        try:
            net.close()
            close_err = ''
        except testnet.TestNetError as e:
            close_err = str(e)
        httpd.shutdown()
    alive = [p for p in started if testnet.pid_alive(p)]
    check('close() stopped every started PID (%d)' % len(started), started and not alive and not close_err,
          'alive=%s %s' % (alive, close_err))
    check('temporary base dir removed', not os.path.exists(net.base_dir))
    test_deadline_failure()
    test_cli()
    return summary()


if __name__ == '__main__':
    sys.exit(main())
