#!/usr/bin/env python3
"""Interop test of evonion's channels (the Tor link handshake) with Debian's tor 0.4.9.

One small network (1 authority + 2 relays).  Checks:
  * our client initiator (tests/interop/channel_probe) completes the handshake with a tor
    relay and verifies its RSA identity against the fingerprint tor wrote (and its Ed25519
    identity); a wrong expected fingerprint fails with an RSA identity mismatch;
  * our authenticating initiator is accepted by the tor relay: while the probe holds the
    channel, the relay's `GETINFO orconn-status` names our fingerprint;
  * `evonion --list-fingerprint` agrees with `tor --list-fingerprint` on the same RSA key;
  * a tor client with `UseBridges 1` / `Bridge 127.0.0.1:PORT FP` completes the link
    handshake with our responder (`evonion --or-port`): its bootstrap reaches handshake_done
    and evonion logs the open channel;
  * evonion <-> evonion: the authenticating probe against `evonion --or-port`; evonion logs
    the peer as authenticated.
Prints `N passed, N failed` last; exit status 0 only if nothing failed (77: no tor).
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testnet  # noqa: E402

from verdict import check, summary  # noqa: E402
PROBE = os.path.abspath(os.environ.get('EVONION_PROBE', 'build/tests/interop/channel_probe'))
EVONION = os.path.abspath(os.environ.get('EVONION_BIN', 'build/evonion'))
TOR = os.environ.get('EVONION_TOR') or shutil.which('tor') or '/usr/sbin/tor'


def probe(port, fp, *extra, timeout=60):
    argv = [PROBE] + list(extra) + ['127.0.0.1:%d' % port, fp]
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    return r.returncode, r.stdout.decode(errors='replace').strip()


def open_ms(out):
    m = re.search(r'OPEN link=(\d+) ms=([0-9.]+)', out)
    return (int(m.group(1)), float(m.group(2))) if m else (None, None)


def list_fingerprint(data_dir):
    r = subprocess.run([EVONION, '--list-fingerprint', '--data-directory', data_dir,
                        '--nickname', 'evoprobe'], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=60)
    out = r.stdout.decode().strip().splitlines()
    return r.returncode, out[-1] if out else ''


def test_client_initiator(net, relay):
    times = []
    for i in range(5):
        rc, out = probe(relay.or_port, relay.fingerprint, '--ed', relay.ed25519_id)
        link, ms = open_ms(out)
        if rc != 0 or link is None:
            check('client_initiator_opens', False, out)
            return
        times.append(ms)
    check('client_initiator_opens', True, 'link=%d handshake ms (TCP+TLS+cells) %s' %
          (link, ' '.join('%.1f' % t for t in times)))
    check('client_initiator_link5', link == 5, 'link=%s' % link)
    wrong = ('0' if relay.fingerprint[0] != '0' else '1') + relay.fingerprint[1:]
    rc, out = probe(relay.or_port, wrong)
    check('wrong_fingerprint_refused', rc == 1 and 'RSA identity mismatch' in out, out)
    other = net.relays[1] if len(net.relays) > 1 else net.authorities[0]
    rc, out = probe(relay.or_port, relay.fingerprint, '--ed', other.ed25519_id)
    check('wrong_ed25519_id_refused', rc == 1 and 'Ed25519 identity mismatch' in out, out)
    return times


def test_fingerprint_matches_tor(work):
    dd = os.path.join(work, 'fpcheck')
    rc, line = list_fingerprint(dd)
    if not check('list_fingerprint_runs', rc == 0 and line.startswith('evoprobe '), line):
        return
    ours = line.split(' ', 1)[1].replace(' ', '')
    tdd = os.path.join(work, 'fpcheck-tor')
    os.makedirs(os.path.join(tdd, 'keys'), mode=0o700)
    shutil.copy(os.path.join(dd, 'keys', 'secret_id_key'), os.path.join(tdd, 'keys'))
    os.chmod(tdd, 0o700)
    r = subprocess.run([TOR, '--list-fingerprint', '--DataDirectory', tdd, '--ORPort', '1',
                        '--Nickname', 'evoprobe', '--Log', 'err stderr'],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    tor_line = r.stdout.decode().strip().splitlines()
    tor_fp = tor_line[-1].split(' ', 1)[1].replace(' ', '') if tor_line else ''
    check('fingerprint_matches_tor', tor_fp == ours and len(ours) == 40,
          'evonion %s, tor %s' % (ours, tor_line[-1] if tor_line else r.stdout))


def test_auth_initiator(net, relay, work):
    dd = os.path.join(work, 'authprobe')
    rc, line = list_fingerprint(dd)
    ours = line.split(' ', 1)[1].replace(' ', '') if rc == 0 else '?'
    p = subprocess.Popen([PROBE, '--auth', dd, '--hold', '20', '127.0.0.1:%d' % relay.or_port,
                          relay.fingerprint], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        first = p.stdout.readline().decode().strip()
        link, ms = open_ms(first)
        if not check('auth_initiator_opens', link is not None and 'we_authenticated=1' in first,
                     first):
            return
        seen = ''
        deadline = time.time() + 10
        with net.control(relay) as c:
            while time.time() < deadline:
                seen = c.getinfo('orconn-status')
                if ours in seen:
                    break
                time.sleep(0.2)
        check('auth_initiator_accepted_by_tor', ours in seen,
              'orconn-status: %s' % seen.replace('\n', ' | ')[:400])
    finally:
        p.kill()
        p.wait()


def test_client_not_listed(net, relay):
    """Negative control for the orconn-status check: an unauthenticated client channel
    does not show up in tor's orconn-status under any identity tor does not already know."""
    known = {n.fingerprint for n in net.nodes if n.fingerprint}
    p = subprocess.Popen([PROBE, '--hold', '20', '127.0.0.1:%d' % relay.or_port,
                          relay.fingerprint], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        first = p.stdout.readline().decode().strip()
        if not check('client_probe_holds', 'OPEN' in first, first):
            return
        seen = ''
        deadline = time.time() + 10
        with net.control(relay) as c:
            while time.time() < deadline:  # until tor lists our connection (by address)
                seen = c.getinfo('orconn-status')
                if re.search(r'^127\.0\.0\.1:\d+ CONNECTED', seen, re.M):
                    break
                time.sleep(0.2)
        check('client_channel_listed_by_address', re.search(r'^127\.0\.0\.1:\d+ CONNECTED',
                                                             seen, re.M) is not None, seen)
        ids = set(re.findall(r'\$([0-9A-F]{40})', seen))
        check('client_channel_has_no_identity_at_tor', ids <= known,
              'orconn-status: %s' % seen.replace('\n', ' | ')[:400])
    finally:
        p.kill()
        p.wait()


def start_evonion(net, name):
    node = net.add_process(name, [EVONION, '--or-port=127.0.0.1:{or_port}',
                                  '--data-directory={data_dir}/dd', '--nickname', name,
                                  '--socks-port', '0', '--log', 'info'])
    net.wait_for_port(node.or_port, 60, node=node)
    rc, line = list_fingerprint(os.path.join(node.data_dir, 'dd'))
    fp = line.split(' ', 1)[1].replace(' ', '') if rc == 0 else None
    return node, fp


def log_of(node):
    try:
        with open(os.path.join(node.data_dir, 'stdout.log'), errors='replace') as f:
            return f.read()
    except OSError:
        return ''


def test_tor_to_our_responder(net):
    evo, fp = start_evonion(net, 'evobridge')
    if not check('evonion_orport_starts', fp is not None, 'fp=%s' % fp):
        return
    cl = net.add_node('client', extra_torrc=['UseBridges 1',
                                             'Bridge 127.0.0.1:%d %s' % (evo.or_port, fp)])
    phase = ''

    def handshake_done():
        nonlocal phase
        with net.control(cl) as c:
            phase = c.getinfo('status/bootstrap-phase')
        m = re.search(r'PROGRESS=(\d+)', phase)
        if m and int(m.group(1)) >= 15:
            return True
        return 'bootstrap: %s' % phase

    ok = True
    try:
        net.wait_for(handshake_done, 60, 'tor client handshake with evonion')
    except testnet.TestNetError as e:
        ok = False
        phase = str(e)[:400]
    check('tor_client_handshake_with_our_responder', ok, phase)
    log = log_of(evo)
    check('evonion_logs_open_responder_channel', 'open (link protocol 5, responder' in log,
          '(evonion log %d bytes)' % len(log))
    deadline = time.time() + 20
    while time.time() < deadline and 'Refusing a CREATE' not in log_of(evo):
        time.sleep(0.2)
    check('tor_create_answered_with_destroy', 'Refusing a CREATE' in log_of(evo))
    return evo, fp


def test_evonion_to_evonion(net, work, evo, fp):
    dd = os.path.join(work, 'authprobe2')
    os.makedirs(dd, mode=0o700)
    times = []
    for i in range(3):
        rc, out = probe(evo.or_port, fp, '--auth', dd)
        link, ms = open_ms(out)
        if rc != 0:
            break
        times.append(ms)
    check('evonion_auth_initiator_to_evonion', len(times) == 3 and 'we_authenticated=1' in out,
          out + ' ms ' + ' '.join('%.1f' % t for t in times))
    deadline = time.time() + 10
    while time.time() < deadline and 'peer authenticated' not in log_of(evo):
        time.sleep(0.2)
    check('evonion_responder_records_authenticated_peer', 'peer authenticated' in log_of(evo))
    rc, out = probe(evo.or_port, fp)
    check('evonion_client_to_evonion', rc == 0, out)
    return times


def main():
    if not (os.path.exists(TOR) and os.access(PROBE, os.X_OK) and os.access(EVONION, os.X_OK)):
        print('SKIP: need tor, %s and %s' % (PROBE, EVONION))
        print('0 passed, 0 failed')
        return 77
    work = tempfile.mkdtemp(prefix='evonion-chan-')
    try:
        t0 = time.time()
        with testnet.TestNet(n_authorities=1, n_relays=2, n_exits=0) as net:
            net.wait_for_consensus(timeout=180)
            print('network up in %.1f s' % (time.time() - t0), flush=True)
            relay = net.relays[0]
            test_client_initiator(net, relay)
            test_fingerprint_matches_tor(work)
            test_client_not_listed(net, relay)
            test_auth_initiator(net, relay, work)
            res = test_tor_to_our_responder(net)
            if res:
                test_evonion_to_evonion(net, work, *res)
    except Exception as e:  # noqa: BLE001 — report, never hang
        check('harness', False, '%s: %s' % (type(e).__name__, str(e)[:2000]))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return summary()


if __name__ == '__main__':
    sys.exit(main())
