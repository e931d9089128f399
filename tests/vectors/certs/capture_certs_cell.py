#!/usr/bin/env python3
"""Capture the CERTS cell of a local tor relay, in the vector format of this directory.

Usage: start a network (python3 tests/interop/testnet.py start --dir DIR --authorities 1
--relays 1 --exits 0), then: capture_certs_cell.py DIR/summary.json > OUT.txt
Connects to 127.0.0.1 only (the relay's ORPort), sends VERSIONS 3 4 5 and reads up to CERTS.
"""
import base64
import datetime
import hashlib
import json
import socket
import ssl
import struct
import sys
import time


def read_exact(sock, buf, n):
    while len(buf) < n:
        data = sock.recv(65536)
        if not data:
            raise SystemExit('connection closed early')
        buf += data
    return buf


def main():
    summary = json.load(open(sys.argv[1]))
    node = summary['relays'][0]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with ctx.wrap_socket(socket.create_connection(('127.0.0.1', node['or_port']), timeout=10)) as t:
        now = int(time.time())
        der = t.getpeercert(binary_form=True)
        t.sendall(bytes.fromhex('0000 07 0006 0003 0004 0005'.replace(' ', '')))
        buf = read_exact(t, b'', 5)
        vlen = struct.unpack('>H', buf[3:5])[0]
        buf = read_exact(t, buf, 5 + vlen)
        versions, buf = buf[5:5 + vlen], buf[5 + vlen:]
        while True:  # link >= 4: 4-byte circuit IDs
            buf = read_exact(t, buf, 7)
            cmd, ln = buf[4], struct.unpack('>H', buf[5:7])[0]
            buf = read_exact(t, buf, 7 + ln)
            body, buf = buf[7:7 + ln], buf[7 + ln:]
            if cmd == 129:
                break
    ed = base64.b64decode(node['ed25519_id'] + '=' * (-len(node['ed25519_id']) % 4))
    when = datetime.datetime.fromtimestamp(now, datetime.timezone.utc).isoformat()
    out = ['# CERTS cell of tor relay %s captured %s; see README.md.' % (node['nickname'], when),
           'now = %d' % now, 'versions = ' + versions.hex(),
           'rsa_id = ' + node['fingerprint'].lower(), 'ed_id = ' + ed.hex(),
           'tls_cert_der = ' + der.hex(), 'tls_cert_sha256 = ' + hashlib.sha256(der).hexdigest(),
           '# the CERTS cell body: N, then N x (type, len16, body)', 'body = ' + body.hex()]
    pos, certs = 1, {}
    for _ in range(body[0]):
        ctype, ln = body[pos], struct.unpack('>H', body[pos + 1:pos + 3])[0]
        certs[ctype] = body[pos + 3:pos + 3 + ln]
        out.append('cert%d = %s' % (ctype, certs[ctype].hex()))
        pos += 3 + ln
    out.append('# EXPIRATION_DATE * 3600 of the type 4, 5 and 7 certs')
    out.append('expiry_t4 = %d' % (struct.unpack('>I', certs[4][2:6])[0] * 3600))
    out.append('expiry_t5 = %d' % (struct.unpack('>I', certs[5][2:6])[0] * 3600))
    out.append('expiry_t7 = %d' % (struct.unpack('>I', certs[7][32:36])[0] * 3600))
    print('\n'.join(out))


if __name__ == '__main__':
    main()
