#!/usr/bin/env python3
"""Interop test of evonion's client circuits and streams (src/or) with Debian's tor 0.4.9.

Starts 3 authorities + 3 relays (1 exit), reads each relay's ntor key and Ed25519 identity
from the microdescriptors an authority's DirPort serves, and runs tests/interop/circ_probe:
  * guard -> middle -> exit circuit (CREATE2 ntor, EXTEND2 in RELAY_EARLY), BEGIN to a local
    HTTP server, GET 20 MiB (circuit and stream SENDMEs both ways), sha256 compared;
  * POST 5 MiB through the same kind of circuit: the server's sha256 equals the probe's;
  * a one-hop circuit to a relay with BEGIN_DIR fetches the microdesc consensus from it;
  * the relays' logs hold no protocol warning about our cells;
then the same GET/POST on a second network with
`sendme_accept_min_version=1 sendme_emit_min_version=1` (the probe also then refuses v0).
Prints the single-stream throughput.  Last line `N passed, N failed`; exit 0/1 (77: no tor).
"""

import base64
import binascii
import hashlib
import http.server
import os
import re
import shutil
import socketserver
import subprocess
import sys
import threading
import urllib.request

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testnet  # noqa: E402

from verdict import check, summary  # noqa: E402
PROBE = os.path.abspath(os.environ.get('EVONION_CIRC_PROBE', 'build/tests/interop/circ_probe'))
TOR = os.environ.get('EVONION_TOR') or shutil.which('tor') or '/usr/sbin/tor'
GET_SIZE = 20 * 1024 * 1024
POST_SIZE = 5 * 1024 * 1024
BAD_LOG = re.compile(r'\[warn\].*(protocol|[Uu]nexpected|[Uu]nacceptable|SENDME|relay_early|'
                     r'RELAY_EARLY|digest|circ_id|[Cc]losing circ)')


class Handler(http.server.BaseHTTPRequestHandler):
    blob = b''

    def do_GET(self):
        if self.path != '/blob':
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header('Content-Length', str(len(self.blob)))
        self.end_headers()
        self.wfile.write(self.blob)

    def do_POST(self):
        n = int(self.headers.get('Content-Length', '0'))
        h = hashlib.sha256()
        left = n
        while left > 0:
            chunk = self.rfile.read(min(left, 65536))
            if not chunk:
                break
            h.update(chunk)
            left -= len(chunk)
        body = ('%d %s' % (n - left, h.hexdigest())).encode()
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def b64(s):
    return base64.b64decode(s + '=' * (-len(s) % 4))


def hop_arg(net, fp):
    """IP:PORT,RSAHEX,EDHEX,NTORHEX for the relay fp, from the authority's DirPort."""
    cons = net.consensus()
    r = cons.routers[fp]
    auth = net.authorities[0]
    url = 'http://127.0.0.1:%d/tor/micro/d/%s' % (auth.dir_port, r.microdesc_digest.rstrip('='))
    with urllib.request.urlopen(url, timeout=10) as f:
        md = f.read().decode()
    ntor = ed = None
    for line in md.splitlines():
        if line.startswith('ntor-onion-key '):
            ntor = binascii.hexlify(b64(line.split()[1])).decode()
        elif line.startswith('id ed25519 '):
            ed = binascii.hexlify(b64(line.split()[2])).decode()
    return '%s:%d,%s,%s,%s' % (r.address, r.or_port, fp.lower(), ed or '', ntor)


def run_probe(hops, *extra, timeout=300):
    argv = [PROBE]
    for h in hops:
        argv += ['--hop', h]
    argv += list(extra)
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    return r.returncode, r.stdout.decode(errors='replace').strip()


def field(out, key):
    m = re.search(r'\b%s=(\S+)' % key, out)
    return m.group(1) if m else None


def relay_warnings(net):
    bad = []
    for n in net.relays + net.exits + net.authorities:
        try:
            with open(n.log_path, errors='replace') as f:
                for line in f:
                    if BAD_LOG.search(line):
                        bad.append('%s: %s' % (n.nickname, line.strip()))
        except OSError:
            pass
    return bad


def run_net(tag, params, http_port, blob_sha, probe_extra):
    with testnet.TestNet(n_authorities=3, n_relays=3, n_exits=1,
                         consensus_params=params) as net:
        net.wait_for_consensus(timeout=180)
        # the relays must hold the consensus too: an exit without one ends BEGIN with MISC
        net.wait_for_relay_microdescs(net.relays, timeout=120)
        exits = [n for n in net.exits]
        middles = [n for n in net.relays if n not in exits]
        hops = [hop_arg(net, middles[0].fingerprint), hop_arg(net, middles[1].fingerprint),
                hop_arg(net, exits[0].fingerprint)]
        target = '127.0.0.1:%d' % http_port

        rc, out = run_probe(hops, '--target', target, '--get', '/blob', *probe_extra)
        print(out, flush=True)
        ok = (rc == 0 and field(out, 'status') == '200' and field(out, 'bytes') == str(GET_SIZE)
              and field(out, 'sha256') == blob_sha)
        check('%s_get_20MiB' % tag, ok, 'MBps=%s' % field(out, 'MBps'))
        if ok:
            print('THROUGHPUT %s one stream, 3 hops, GET 20 MiB: %s MB/s' % (tag, field(out, 'MBps')),
                  flush=True)

        rc, out = run_probe(hops, '--target', target, '--post', str(POST_SIZE), *probe_extra)
        print(out, flush=True)
        m = re.search(r'reply=(\d+) ([0-9a-f]{64})', out)
        ok = (rc == 0 and m is not None and m.group(1) == str(POST_SIZE)
              and m.group(2) == field(out, 'sha256'))
        check('%s_post_5MiB' % tag, ok, 'MBps=%s' % field(out, 'MBps'))

        if tag == 'default':
            rc, out = run_probe([hops[0]], '--dir', '--get',
                                '/tor/status-vote/current/consensus-microdesc', *probe_extra)
            print(out.splitlines()[-2] if out.count('\n') else out, flush=True)
            check('%s_begin_dir_one_hop' % tag,
                  rc == 0 and field(out, 'status') == '200' and int(field(out, 'bytes') or 0) > 500,
                  out[-200:])

        bad = relay_warnings(net)
        check('%s_no_tor_warnings' % tag, not bad, '\n'.join(bad[:10]))


def main():
    if not shutil.which(TOR) and not os.path.exists(TOR):
        print('tor not found: skipped')
        return 77
    Handler.blob = os.urandom(GET_SIZE)
    blob_sha = hashlib.sha256(Handler.blob).hexdigest()
    srv = Server(('127.0.0.1', 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    port = srv.server_address[1]
    try:
        run_net('default', None, port, blob_sha, [])
        run_net('sendme_v1', {'sendme_accept_min_version': 1, 'sendme_emit_min_version': 1},
                port, blob_sha, ['--sendme-accept', '1', '--sendme-emit', '1'])
    except testnet.TestNetError as e:
        check('testnet', False, str(e)[-3000:])
    finally:
        srv.shutdown()
    return summary()


if __name__ == '__main__':
    sys.exit(main())
