#!/usr/bin/env python3
"""Capture directory documents from a local tor 0.4.9 test network into this directory.

Usage: python3 tests/vectors/dir/capture.py [OUTDIR]   (default: the directory of this script)

Starts tests/interop/testnet.py with 3 authorities and 4 relays (1 of them an exit), no client;
waits until every authority serves a microdesc consensus that lists every node Running+Valid and
is signed by all 3 authorities; then writes (see README.md):

  consensus-microdesc   /tor/status-vote/current/consensus-microdesc of auth1 (identity encoding)
  keys-all              /tor/keys/all of auth1 (every authority key certificate it has)
  microdescs            every microdescriptor named by an 'm' line, via /tor/micro/d/D1-D2-...
  expected.json         what the harness knows independently of those documents (see below)
  dir-authorities.torrc the DirAuthority lines of the network

expected.json holds, per relay and authority, values taken from the harness and the node's data
directory, not from the documents: nickname, fingerprint (DATA_DIR/fingerprint), ed25519_id
(DATA_DIR/fingerprint-ed25519), or_port, dir_port, is_exit, v3ident (authorities: from
keys/authority_certificate written by tor-gencert), and ntor_onion_key: the public half of
DATA_DIR/keys/secret_onion_key_ntor.  That file is tor's tagged key file: a 32-byte header
"== c25519v1: onion ==" (NUL-padded), then the 32-byte secret key and the 32-byte public key.  The
public key is re-derived from the secret with the `cryptography` package's X25519 and must equal the
stored public half; it is written base64 without padding (as in a microdescriptor).
Python 3 standard library + `cryptography`.
"""
import base64
import json
import os
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'interop'))
sys.dont_write_bytecode = True

from testnet import TestNet  # noqa: E402

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402

N_AUTH, N_RELAYS, N_EXITS = 3, 4, 1


def http_get(port, path, timeout=10):
    req = urllib.request.Request('http://127.0.0.1:%d%s' % (port, path))
    req.add_header('Accept-Encoding', 'identity')
    with urllib.request.urlopen(req, timeout=timeout) as r:
        if r.headers.get('Content-Encoding') not in (None, 'identity'):
            raise SystemExit('unexpected encoding %s for %s' % (r.headers.get('Content-Encoding'), path))
        return r.read()


def ntor_public_key(data_dir):
    with open(os.path.join(data_dir, 'keys', 'secret_onion_key_ntor'), 'rb') as f:
        blob = f.read()
    if len(blob) != 96 or not blob.startswith(b'== c25519v1: onion =='):
        raise SystemExit('unexpected secret_onion_key_ntor format in %s' % data_dir)
    secret, public = blob[32:64], blob[64:96]
    derived = X25519PrivateKey.from_private_bytes(secret).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    if derived != public:
        raise SystemExit('public half of secret_onion_key_ntor does not match its secret (%s)' % data_dir)
    return base64.b64encode(public).decode().rstrip('=')


def signature_count(text):
    return sum(1 for line in text.splitlines() if line.startswith('directory-signature '))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else HERE
    with TestNet(n_authorities=N_AUTH, n_relays=N_RELAYS, n_exits=N_EXITS) as net:
        net.wait_for_consensus(timeout=180)
        auth = net.authorities[0]
        # the first consensus listing everyone may carry fewer than 3 signatures for a moment
        net.wait_for(lambda: None if signature_count(net.fetch_consensus(auth) or '') == N_AUTH
                     else 'consensus not yet signed by all authorities', 60, 'fully signed consensus')
        capture_time = int(time.time())
        cons = http_get(auth.dir_port, '/tor/status-vote/current/consensus-microdesc')
        keys = http_get(auth.dir_port, '/tor/keys/all')
        digests = [line.split()[1] for line in cons.decode().splitlines() if line.startswith('m ')]
        mds = http_get(auth.dir_port, '/tor/micro/d/' + '-'.join(digests))
        nodes = []
        for n in net.authorities + net.relays:
            nodes.append({
                'nickname': n.nickname, 'role': n.role, 'fingerprint': n.fingerprint,
                'ed25519_id': n.ed25519_id, 'or_port': n.or_port, 'dir_port': n.dir_port,
                'is_exit': n.is_exit, 'v3ident': n.v3ident,
                'ntor_onion_key': ntor_public_key(n.data_dir),
            })
        expected = {
            'capture_time': capture_time,
            'capture_time_utc': time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(capture_time)),
            'tor_version': os.popen(net.tor + ' --version').read().strip().splitlines()[0],
            'n_authorities': N_AUTH,
            'dir_authority_lines': net.dir_authority_lines(),
            'dir_authority_values': net.dir_authority_values(),
            'nodes': nodes,
            'microdesc_digests_in_consensus': len(digests),
        }
    with open(os.path.join(out, 'consensus-microdesc'), 'wb') as f:
        f.write(cons)
    with open(os.path.join(out, 'keys-all'), 'wb') as f:
        f.write(keys)
    with open(os.path.join(out, 'microdescs'), 'wb') as f:
        f.write(mds)
    with open(os.path.join(out, 'expected.json'), 'w') as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write('\n')
    with open(os.path.join(out, 'dir-authorities.torrc'), 'w') as f:
        f.write('\n'.join(expected['dir_authority_lines']) + '\n')
    print('captured %d bytes consensus (%d routers), %d bytes keys, %d bytes microdescs at %s'
          % (len(cons), len(digests), len(keys), len(mds), expected['capture_time_utc']))


if __name__ == '__main__':
    main()
