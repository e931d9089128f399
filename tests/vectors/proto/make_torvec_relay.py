L=["# Relay-message bodies transcribed from tor src/test/test_cell_formats.c (see README.md):",
   "# <name> <relay command> <hex body> ('-' = empty).  Handshake bytes that tor fills with",
   "# crypto_rand() are replaced by fixed patterns here."]
def add(name, cmd, b):
    L.append("%s %d %s" % (name, cmd, b.hex() if b else '-'))
add("relay_header", 0, b'\x03' b'\x00\x00' b'\x21\x22' b'ABCD' b'\x01\x03')
add("begin_short", 1, b'a.b:9\x00')
add("begin_long", 1, b'here-is-a-nice-long.hostname.com:65535\x00')
add("begin_v4", 1, b'18.9.22.169:80\x00')
add("begin_v6", 1, b'[2620::6b0:b:1a1a:0:26e5:480e]:80\x00')
add("begin_junk", 1, b'another.example.com:80\x00\x01\x02')
add("begin_flags", 1, b'another.example.com:443\x00\x01\x02\x03\x04')
add("begin_flags_cruft", 1, b'a-further.example.com:22\x00\xee\xaa\x00\xffHi mom')
add("begin_bad_empty", 1, b'')
add("begin_bad_nocolon", 1, b'a.b\x00')
add("begin_bad_noport", 1, b'a.b:\x00')
add("begin_bad_xyz", 1, b'a.b:xyz\x00')
add("begin_bad_100000", 1, b'a.b:100000\x00')
add("begin_bad_nonul", 1, b'a.b:80')
add("connected_empty", 4, b'')
add("connected_v4_only", 4, b'\x20\x30\x40\x50')
add("connected_v4_truncttl", 4, b'\x11\x12\x13\x14\x15')
add("connected_v4_ttl", 4, b'\x02\x03\x04\x05\x00\x00\x0e\x10')
V6=b'\x26\x07\xf8\xb0\x40\x0c\x0c\x02' b'\x00\x00\x00\x00\x00\x00\x00\x68'
add("connected_v6", 4, b'\x00\x00\x00\x00\x06' + V6 + b'\x00\x00\x02\x58')
add("connected_bad3", 4, b'\x00\x01\x02')
add("connected_bad_family7", 4, b'\x00\x00\x00\x00\x07' + V6 + b'\x90\x00\x02\x58')
add("connected_bad_trunc_v6", 4, b'\x00\x00\x00\x00\x06' + V6 + b'\x00\x00\x02')
add("connected_fmt_v4", 4, bytes.fromhex("1e28323c00000080"))
add("connected_fmt_v6", 4, bytes.fromhex("00000000062620000006b0000b1a1a000026e5480e00000e10"))
hs = bytes(range(84))
add("extend2_minimal", 14, b'\x02\x00\x06\x12\xf4\x00\x01\xf0\xf1' + b'\x02\x14' + b'anarchoindividualist' + b'\x00\x02\x00\x54' + hs)
hs99 = bytes((i * 7) & 0xff for i in range(99))
fan = (b'\x04\x00\x06\x12\xf4\x00\x01\xf0\xf1' + b'\x02\x14' + b'anthropomorphization' +
       b'\x01\x12\x20\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xf0\xc5\x1e\x11\x12' +
       b'\xf0\x20upupdowndownleftrightleftrightba' + b'\x01\x05\x00\x63' + hs99)
add("extend2_fanciful", 14, fan)
def pad(parts):
    p = bytearray(498)
    for off, b in parts:
        p[off:off+len(b)] = b
    return bytes(p)
ANA = b'\x02\x14' + b'anarchoindividualist'
add("extend2_bad_toolong_hs", 14, pad([(0, b'\x02\x00\x06\x12\xf4\x00\x01\xf0\xf1'), (9, ANA), (31, b'\xff\xff\x01\xd0')]))
add("extend2_bad_v4len7", 14, pad([(0, b'\x02\x00\x07\x12\xf4\x00\x01\xf0\xf1\xff'), (10, ANA), (32, b'\xff\xff\x00\x10')]))
add("extend2_bad_v4len5", 14, pad([(0, b'\x02\x00\x05\x12\xf4\x00\x01\xf0'), (8, ANA), (30, b'\xff\xff\x00\x10')]))
add("extend2_bad_v6len19", 14, pad([(0, b'\x03\x00\x06\x12\xf4\x00\x01\xf0\xf1'), (9, ANA), (31, b'\x01\x13' + b'xxxxxxxxxxxxxxxxYYZ'), (50, b'\xff\xff\x00\x20')]))
add("extend2_bad_v6len17", 14, pad([(0, b'\x03\x00\x06\x12\xf4\x00\x01\xf0\xf1'), (9, ANA), (31, b'\x01\x11' + b'xxxxxxxxxxxxxxxxY'), (48, b'\xff\xff\x00\x20')]))
add("extend2_bad_spec_overrun", 14, pad([(0, b'\x05\x0a\xff'), (258, b'\x0a\xff')]))
add("extended2_42", 15, b'\x00\x2a' + bytes(range(42)))
add("extended2_max", 15, b'\x01\xf0' + bytes(496))
add("extended2_bad_497", 15, b'\x01\xf1' + bytes(496))
LONG = (b"this-hostname-has-255-characters.in-order-to-test-whether-very-long.ho"
 b"stnames-are-accepted.i-am-putting-it-in-a-macro-because-although.this-"
 b"function-is-already-very-full.of-copy-and-pasted-stuff.having-this-app"
 b"ear-more-than-once-would-bother-me-somehow.is")
LONG2 = (b"this-name-has-231-characters.so-that-it-plus-LONG_NAME-can-completely-"
 b"fill-up-the-payload-of-a-cell.its-important-to-check-for-the-full-thin"
 b"g-case.to-avoid-off-by-one-errors.where-full-things-are-misreported-as"
 b".overflowing-by-one.z")
assert len(LONG) == 255 and len(LONG2) == 231
unrec = b"\xee\x16" + b"fault in the AE35 unit" + b"\x09\x09\x01\x01"
err = b"\xf0\x2b" + b"I'm sorry, Dave. I'm afraid I can't do that" + b"\x00\x11\x22\x33"
v6 = b"\x06\x10" + b"\x20\x02\x90\x90\x00\x00\x00\x00" + b"\x00\x00\x00\x00\xf0\xf0\xab\xcd" + b"\x02\x00\x00\x01"
v4 = b"\x04\x04" + b"\x7f\x00\x02\x0a" + b"\x00\x00\x01\x00"
hn = b"\x00\x11" + b"motherbrain.zebes" + b"\x00\x00\x00\x00"
add("resolved_v4", 12, v4)
add("resolved_v6", 12, v6)
add("resolved_hostname", 12, hn)
add("resolved_longname", 12, b'\x00\xff' + LONG + b'\x00\x01\x00\x00')
add("resolved_err_transient", 12, err)
add("resolved_err", 12, b'\xf1\x40' + b'This hostname is too important for me to allow you to resolve it' + b'\x00\x00\x00\x00')
add("resolved_unrecognized", 12, unrec)
add("resolved_one_of_each", 12, unrec + err + v6 + v4 + hn)
sev = (b"\x04\x04" b"\x7f\x00\x02\x0a" b"\x00\x00\x01\x00" b"\x04\x04" b"\x08\x08\x08\x08" b"\x00\x00\x01\x05"
       b"\x04\x04" b"\x7f\xb0\x02\xb0" b"\x00\x01\xff\xff" b"\x06\x10" b"\x20\x02\x90\x00\x00\x00\x00\x00"
       b"\x00\x00\x00\x00\xca\xfe\xf0\x0d" b"\x00\x00\x00\x01" b"\x06\x10" b"\x20\x02\x90\x01\x00\x00\x00\x00"
       b"\x00\x00\x00\x00\x00\xfa\xca\xde" b"\x00\x00\x00\x03")
add("resolved_several", 12, sev)
full = b'\x00\xff' + LONG + b'\x00\x01\x00\x00' + b'\x00\xe7' + LONG2 + b'\x00\x01\x00\x00'
assert len(full) == 498
add("resolved_full", 12, full)
add("resolved_bad_v4len3", 12, b'\x04\x03zzz1234')
add("resolved_bad_v4len5", 12, v4 + b'\x04\x05zzzzz1234')
add("resolved_bad_v6len3", 12, b'\x06\x03zzz1234')
add("resolved_bad_v6len23", 12, v4 + b'\x06\x17wwwwwwwwwwwwwwwww1234')
add("resolved_bad_v6trunc", 12, v4 + b'\x06\x10xxxx')
add("resolved_bad_emptyname", 12, b'\x00\x00xxxx')
add("resolved_bad_trunc1", 12, b'\x04')
add("resolved_bad_trunc_unknown", 12, b'\xee')
open('torvec_relay.txt', 'w').write('\n'.join(L) + '\n')
