#!/usr/bin/env python3
"""Write the seed corpora of the proto fuzz targets (tests/fuzz/corpus/<name>/)
from the known vectors in tests/vectors/proto/ plus a few edge inputs.
Run from anywhere: python3 tests/fuzz/make_corpus.py"""
import hashlib
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
VEC = os.path.join(HERE, '..', 'vectors', 'proto')
CORPUS = os.path.join(HERE, 'corpus')


def load(fname):
    out = {}
    for line in open(os.path.join(VEC, fname)):
        if line.startswith('#') or not line.strip():
            continue
        name, cmd, hexs = line.split()
        out[name] = (int(cmd), b'' if hexs == '-' else bytes.fromhex(hexs))
    return out


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def cell(cmd, body, circ=0, wide=False):
    cid = struct.pack('>I' if wide else '>H', circ)
    if cmd == 7 or cmd >= 128:
        return cid + bytes([cmd]) + struct.pack('>H', len(body)) + body
    return cid + bytes([cmd]) + body + bytes(509 - len(body))


def relay_payload(cmd, body, stream=1):
    hdr = bytes([cmd]) + b'\x00\x00' + struct.pack('>H', stream) + b'\x00' * 4 + struct.pack('>H', len(body))
    return hdr + body + bytes(509 - 11 - len(body))


chan = load('chanmsg.txt')
relay = load('relaymsg.txt')
torv = load('torvec_relay.txt')

# fuzz_cell: byte 0 = flags (bit0 wide, bit1 switch after first, rest chunking).
versions = cell(7, chan['versions'][1])
write('cell', 'versions_narrow', b'\x00' + versions)
write('cell', 'handshake_stream', b'\x02' + versions +
      b''.join(cell(c, b, 0, True) for c, b in (chan['certs'], chan['auth_challenge'], chan['netinfo_relay'])))
write('cell', 'wide_create2', b'\x01' + cell(10, chan['create2'][1], 0x80000001, True))
write('cell', 'wide_destroy_chunked', b'\x55' + cell(4, b'\x01', 0x80000002, True))
write('cell', 'narrow_vpadding_empty', b'\x00' + cell(128, b''))
write('cell', 'var_too_big', b'\x01' + b'\x00\x00\x00\x00\x07\xff\xff')
write('cell', 'truncated_var', b'\x00' + versions[:-1])
write('cell', 'authenticate', b'\x01' + cell(131, chan['authenticate'][1], 0, True))

# fuzz_cell_bodies: byte 0 selects the parser (see the target).
sel = {'versions': 0, 'certs': 1, 'auth_challenge': 2, 'authenticate': 3,
       'padding_negotiate_start': 4, 'padding_negotiate_stop': 4, 'padding_negotiate_badversion': 4,
       'create2': 5, 'created2': 6, 'create_fast': 7, 'created_fast': 7, 'destroy_4': 7}
for name, s in sel.items():
    write('cell_bodies', name, bytes([s]) + chan[name][1])
write('cell_bodies', 'versions_odd', b'\x00' + b'\x00\x03\x00')
write('cell_bodies', 'certs_truncated', b'\x01' + chan['certs'][1][:100])
write('cell_bodies', 'create2_maxlen', b'\x05' + b'\x00\x02\x01\xf9' + bytes(505))
write('cell_bodies', 'created2_toolong', b'\x06' + b'\x01\xf1' + bytes(497))
write('cell_bodies', 'all_parsers', b'\x08' + chan['certs'][1])

# fuzz_netinfo: bodies.
for name in ('netinfo_client', 'netinfo_relay', 'netinfo_relay_v6', 'netinfo_bogus'):
    write('netinfo', name, chan[name][1])
write('netinfo', 'padded', chan['netinfo_relay'][1] + bytes(509 - len(chan['netinfo_relay'][1])))
write('netinfo', 'truncated_addr', bytes.fromhex('00000000' '0610' '0000'))
write('netinfo', 'many_addrs', bytes(4) + b'\x04\x04\x01\x02\x03\x04' + b'\x0c' +
      b''.join(b'\x04\x04' + bytes([10, 0, 0, i]) for i in range(12)))

# fuzz_extend2: EXTEND2 bodies.
for src, names in ((relay, ['extend2']), (torv, [n for n in torv if n.startswith('extend2')])):
    for n in names:
        write('extend2', n, src[n][1])
ed = bytes(range(32))
write('extend2', 'with_ed_and_v6', b'\x04' + b'\x00\x06\x7f\x00\x00\x01\x23\x28' + b'\x02\x14' + bytes(20) +
      b'\x03\x20' + ed + b'\x01\x12' + bytes(15) + b'\x01\x23\x29' + b'\x00\x02\x00\x54' + bytes(84))

# fuzz_relay_msg: whole relay payloads.
for src in (relay, torv):
    for n, (cmd, body) in src.items():
        if cmd == 0 or len(body) > 498:
            continue
        write('relay_msg', n, relay_payload(cmd, body))
write('relay_msg', 'header_only', torv['relay_header'][1])
write('relay_msg', 'length_499', bytes([2, 0, 0, 0, 1, 0, 0, 0, 0, 0x01, 0xf3]) + bytes(498))
write('relay_msg', 'sendme_v1_short', relay_payload(5, b'\x01\x00\x13' + bytes(19), 0))
write('relay_msg', 'sendme_v2', relay_payload(5, b'\x02\x00\x00', 0))
write('relay_msg', 'end_exitpolicy_v6_nottl', relay_payload(3, b'\x04' + bytes(range(16))))
write('relay_msg', 'long_begin_any_len', b'\x00' + b'a' * 600 + b':80\x00')
write('relay_msg', 'long_resolved_any_len', b'\x02' + (b'\x04\x04\x01\x02\x03\x04\x00\x00\x00\x01') * 90)
write('relay_msg', 'long_extend2_any_len', b'\x03' + b'\x00\x00\x02\x02\x14' + bytes(700))
print('corpora written under', CORPUS)
