#!/usr/bin/env python3
"""Interop test of evonion's directory client with Debian's tor 0.4.9.

One network: 3 authorities, 4 relays (1 of them an exit).  Checks:
  * the real `evonion` binary, given the network's --dir-authority lines and
    --testing-tor-network, logs "Bootstrapped 75% (enough_dirinfo)" within a
    deadline; the bootstrap time (evonion's first log line to that line, from
    evonion's own log timestamps) is printed;
  * its cache files hold a consensus whose every "m" digest is the SHA-256 of
    a microdescriptor in cached-microdescs (checked here in Python, with
    hashlib, independently of evonion's C code);
  * its node view — built by tests/interop/dir_probe (the library's dirclient
    on evonion's cache, without network) — matches what the harness knows:
    every authority and relay by RSA fingerprint, the Ed25519 id tor wrote
    (DATA_DIR/fingerprint-ed25519), the ntor key from each relay's own key
    file (DATA_DIR/keys/secret_onion_key_ntor: header, secret, public), and
    flags equal to a Python parse of the same consensus (Exit on the exit,
    Authority on the authorities, Running and Valid everywhere);
  * forged documents end to end: a small Python HTTP server poses as all three
    authorities (the real v3idents and fingerprints, its own DirPort) and
    serves a consensus with one byte changed, then one with a single
    signature; evonion refuses each with "Rejected the consensus from ...:
    bad signature" / "too few signatures" in its log and builds no node list.
Prints `N passed, N failed` last; exit status 0 only if nothing failed (77: no tor).
"""

import base64
import hashlib
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import datetime

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testnet  # noqa: E402

from verdict import check, summary  # noqa: E402
PROBE = os.path.abspath(os.environ.get('EVONION_DIR_PROBE', 'build/tests/interop/dir_probe'))
EVONION = os.path.abspath(os.environ.get('EVONION_BIN', 'build/evonion'))
TOR = os.environ.get('EVONION_TOR') or shutil.which('tor') or '/usr/sbin/tor'
BOOTSTRAP_DEADLINE = 90.0


def read(path, mode='r'):
    with open(path, mode) as f:
        return f.read()


def log_text(node):
    try:
        return read(node.log_path, 'rb').decode('utf-8', 'replace')
    except OSError:
        return ''


def log_time(line):
    """Seconds since the epoch of an evonion log line ("2026-11-30 11:17:56.789 [notice] ...")."""
    m = re.match(r'(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})', line)
    return datetime.strptime(m.group(1), '%Y-%m-%d %H:%M:%S.%f').timestamp() if m else None


def first_line_with(text, needle):
    for line in text.splitlines():
        if needle in line:
            return line
    return None


def start_evonion(net, nickname, auth_values, extra=()):
    argv = [EVONION, '--data-directory', '{data_dir}', '--log-file', '{data_dir}/notice.log',
            '--log', 'info', '--testing-tor-network', '--socks-port', '0'] + list(extra)
    for v in auth_values:
        argv += ['--dir-authority', v]
    return net.add_process(nickname, argv, port_names=())


def wait_log(net, node, needle, timeout, what):
    def pred():
        return True if needle in log_text(node) else 'no "%s" in %s yet' % (needle, node.nickname)
    net.wait_for(pred, timeout, what)


# ---- the node view ----

def split_mds(text):
    """Microdescriptors of a cache file: each runs from an "onion-key" line to the next."""
    starts = [m.start() for m in re.finditer(r'^onion-key$', text, re.M)]
    return [text[s:e] for s, e in zip(starts, starts[1:] + [len(text)])]


def b64(raw):
    return base64.b64encode(raw).decode().rstrip('=')


def ntor_from_key_file(node):
    """The public ntor key from the relay's own key file (tor's tagged format)."""
    data = read(os.path.join(node.data_dir, 'keys', 'secret_onion_key_ntor'), 'rb')
    if len(data) != 96 or not data.startswith(b'== c25519v1: onion =='):
        return None
    return b64(data[64:96])


def check_cache(node):
    dd = node.data_dir
    cons_text = read(os.path.join(dd, 'cached-microdesc-consensus'))
    md_text = read(os.path.join(dd, 'cached-microdescs'))
    read(os.path.join(dd, 'cached-certs'))
    have = {b64(hashlib.sha256(md.encode()).digest()) for md in split_mds(md_text)}
    wanted = set(re.findall(r'^m (\S+)$', cons_text, re.M))
    check('cache_mds_match_consensus', wanted and wanted <= have,
          '%d m lines, %d cached mds, %d missing' % (len(wanted), len(have), len(wanted - have)))
    return testnet.Consensus(cons_text)


def check_view(net, evo, cons):
    lines = net.dir_authority_values()
    r = subprocess.run([PROBE, evo.data_dir] + lines, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    if not check('probe_runs', r.returncode == 0,
                 '' if r.returncode == 0 else r.stderr.decode(errors='replace')[-1500:]):
        return
    view = json.loads(r.stdout.decode())
    check('probe_used_cache_only', view['used_cache'] == 1 and view['enough'] == 1,
          'used_cache=%s enough=%s' % (view['used_cache'], view['enough']))
    nodes = {n['fingerprint']: n for n in view['nodes']}
    expected = net.authorities + net.relays
    check('view_lists_every_relay', set(nodes) == {n.fingerprint for n in expected},
          '%d nodes, expected %d' % (len(nodes), len(expected)))
    for n in expected:
        v = nodes.get(n.fingerprint)
        if not check('node_%s_listed' % n.nickname, v is not None):
            continue
        ntor = ntor_from_key_file(n)
        check('node_%s_keys' % n.nickname,
              v['has_md'] == 1 and v['ntor'] == ntor and v['ed25519'] == n.ed25519_id
              and v['nickname'] == n.nickname,
              'ntor %s vs %s, ed %s vs %s' % (v['ntor'], ntor, v['ed25519'], n.ed25519_id))
        flags = set(v['flags'])
        rs = cons.routers.get(n.fingerprint)
        want = {'Running', 'Valid'} | ({'Exit'} if n.is_exit else set()) | \
            ({'Authority'} if n.role == 'authority' else set())
        check('node_%s_flags' % n.nickname,
              rs is not None and flags == set(rs.flags) and want <= flags
              and (v['exit_any_port'] == 1) == bool(n.is_exit),
              'evonion %s, consensus %s, exit policy any=%s'
              % (sorted(flags), sorted(rs.flags) if rs else None, v['exit_any_port']))


# ---- forged documents from a fake authority ----

class FakeAuthority:
    """Serves a chosen consensus; certs and microdescs come from a real authority."""

    def __init__(self, upstream_port):
        self.consensus = b''
        self.upstream = upstream_port
        self.requests = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.0'

            def log_message(self, *a):
                pass

            def do_GET(self):
                outer.requests.append(self.path)
                if self.path == '/tor/status-vote/current/consensus-microdesc':
                    body = outer.consensus
                else:
                    try:
                        with urllib.request.urlopen('http://127.0.0.1:%d%s'
                                                    % (outer.upstream, self.path),
                                                    timeout=10) as r:
                            body = r.read()
                    except OSError:
                        self.send_error(404)
                        return
                self.send_response(200)
                self.send_header('Content-Type', 'text/plain')
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def forge_one_byte(text):
    m = re.search(r'^w Bandwidth=(\d)', text, re.M)
    i = m.start(1)
    return text[:i] + ('1' if text[i] != '1' else '2') + text[i + 1:]


def forge_one_signature(text):
    first = text.index('directory-signature ')
    second = text.index('directory-signature ', first + 1)
    return text[:second]


def test_forged(net, name, forged_text, needle):
    fake = FakeAuthority(net.authorities[0].dir_port)
    try:
        fake.consensus = forged_text.encode()
        values = [re.sub(r'127\.0\.0\.1:\d+', '127.0.0.1:%d' % fake.port, v)
                  for v in net.dir_authority_values()]
        evo = start_evonion(net, 'evoforged%s' % name, values)
        try:
            wait_log(net, evo, 'Rejected the consensus from', 60, 'forged consensus (%s)' % name)
            text = log_text(evo)
            line = first_line_with(text, 'Rejected the consensus from')
            check('forged_%s_rejected' % name, needle in line, line.strip())
            check('forged_%s_no_node_list' % name, 'enough_dirinfo' not in text
                  and not os.path.exists(os.path.join(evo.data_dir, 'cached-microdesc-consensus')))
        finally:
            net.stop_node(evo)
    finally:
        fake.close()


def main():
    if not (os.path.exists(TOR) and os.access(PROBE, os.X_OK) and os.access(EVONION, os.X_OK)):
        print('SKIP: need tor, %s and %s' % (PROBE, EVONION))
        print('0 passed, 0 failed')
        return 77
    try:
        t0 = time.time()
        with testnet.TestNet(n_authorities=3, n_relays=4, n_exits=1) as net:
            net.wait_for_consensus(timeout=180)
            print('network up in %.1f s' % (time.time() - t0), flush=True)
            launched = time.time()
            evo = start_evonion(net, 'evodir', net.dir_authority_values())
            wait_log(net, evo, 'Bootstrapped 75% (enough_dirinfo)', BOOTSTRAP_DEADLINE,
                     'evonion bootstrap')
            seen = time.time()
            text = log_text(evo)
            t_first = log_time(text.splitlines()[0])
            t_enough = log_time(first_line_with(text, 'Bootstrapped 75%'))
            check('bootstrap_enough_dirinfo', True,
                  'evonion log: %.3f s from its first line to 75%%; %.2f s from launch as seen '
                  'by the test (0.2 s polling)' % (t_enough - t_first, seen - launched))
            phases = re.findall(r'Bootstrapped (\d+)%', text)
            check('bootstrap_phases_monotonic', phases == sorted(phases, key=int)
                  and len(set(phases)) == len(phases) and '25' in phases and '75' in phases,
                  ' '.join(phases))
            check('new_consensus_logged', re.search(r'New consensus: \d+ relays, \d+ with '
                                                    r'microdescriptors, valid-until', text)
                  is not None)
            check('no_rejections', 'Rejected' not in text and 'Discarded' not in text)
            net.stop_node(evo)
            cons = check_cache(evo)
            check_view(net, evo, cons)
            good = net.fetch_consensus(net.authorities[0])
            test_forged(net, 'one_byte', forge_one_byte(good), 'bad signature')
            test_forged(net, 'one_signature', forge_one_signature(good), 'too few signatures')
    except Exception as e:  # noqa: BLE001 — report, never hang
        check('harness', False, '%s: %s' % (type(e).__name__, str(e)[:3000]))
    return summary()


if __name__ == '__main__':
    sys.exit(main())
