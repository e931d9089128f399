#!/usr/bin/env python3
"""Cross-check the transcribed vector files against Python's hashlib/hmac and
the 'cryptography' package (an independent check that no value was mistyped
when copying from the sources named in README.md).  Not run by meson test."""
import hashlib, hmac, sys
from pathlib import Path

def load(name):
    recs, sec, cur = [], None, {}
    for line in (Path(__file__).parent / name).read_text().splitlines() + [""]:
        line = line.strip()
        if line.startswith("#"):
            continue
        if line.startswith("["):
            sec = line[1:-1]
            continue
        if not line:
            if cur:
                recs.append((sec, cur))
            cur = {}
            continue
        k, _, v = line.partition("=")
        cur[k.strip()] = v.strip()
    return recs

bad = 0
def check(ok, what):
    global bad
    if not ok:
        bad += 1
        print("MISMATCH", what)

H = bytes.fromhex
for sec, r in load("digest.txt"):
    msg = H(r["Msg"]) * int(r.get("Repeat", "1"))
    if sec == "hmac_sha256":
        out = hmac.new(H(r["Key"]), msg, hashlib.sha256).digest()
    else:
        out = hashlib.new(sec.replace("_", "-") if sec == "sha3_256" else sec, msg).digest()
    check(out.hex() == r["Out"], (sec, r["Out"]))

from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives import hashes
for sec, r in load("kdf.txt"):
    if sec == "hkdf_sha256":
        out = HKDF(hashes.SHA256(), len(H(r["Out"])), H(r["Salt"]) or None, H(r["Info"])).derive(H(r["Ikm"]))
    else:
        k0, out = H(r["K0"]), b""
        i = 0
        while len(out) < len(H(r["Out"])):
            out += hashlib.sha1(k0 + bytes([i])).digest(); i += 1
        out = out[:len(H(r["Out"]))]
    check(out.hex() == r["Out"], (sec, r["Out"][:16]))

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
for sec, r in load("aes.txt"):
    enc = Cipher(algorithms.AES(H(r["Key"])), modes.CTR(H(r["Iv"]))).encryptor()
    check(enc.update(H(r["Plain"])).hex() == r["Cipher"], ("aes", r["Key"]))

from cryptography.hazmat.primitives.asymmetric import x25519, ed25519
from cryptography.hazmat.primitives import serialization as ser
raw = dict(encoding=ser.Encoding.Raw, format=ser.PublicFormat.Raw)
for sec, r in load("x25519.txt"):
    if sec == "rfc7748_5_2":
        sk = x25519.X25519PrivateKey.from_private_bytes(H(r["Scalar"]))
        out = sk.exchange(x25519.X25519PublicKey.from_public_bytes(H(r["U"])))
        check(out.hex() == r["Out"], ("x25519", r["Out"][:16]))
    else:
        a = x25519.X25519PrivateKey.from_private_bytes(H(r["AlicePriv"]))
        b = x25519.X25519PrivateKey.from_private_bytes(H(r["BobPriv"]))
        check(a.public_key().public_bytes(**raw).hex() == r["AlicePub"], "alice pub")
        check(b.public_key().public_bytes(**raw).hex() == r["BobPub"], "bob pub")
        check(a.exchange(b.public_key()).hex() == r["Shared"], "shared")

for sec, r in load("ed25519.txt"):
    sk = ed25519.Ed25519PrivateKey.from_private_bytes(H(r["Seed"]))
    check(sk.public_key().public_bytes(**raw).hex() == r["Pub"], ("ed pub", r["Pub"][:16]))
    if sec == "rfc8032":
        check(sk.sign(H(r["Msg"])).hex() == r["Sig"], ("ed sig", r["Sig"][:16]))
    else:
        check(sk.sign(H(r["Pub"])).hex() == r["SelfSig"], ("ed selfsig", r["Pub"][:16]))
        e = bytearray(hashlib.sha512(H(r["Seed"])).digest())
        e[0] &= 248; e[31] &= 127; e[31] |= 64
        check(bytes(e).hex() == r["Expanded"], ("expanded", r["Pub"][:16]))
        cpub = x25519.X25519PrivateKey.from_private_bytes(bytes(e[:32])).public_key()
        check(cpub.public_bytes(**raw).hex() == r["Curve"], ("curve", r["Pub"][:16]))

for sec, r in load("ntor.txt"):
    for s, p in (("BSecret", "BPub"), ("XSecret", "XPub"), ("YSecret", "YPub")):
        pk = x25519.X25519PrivateKey.from_private_bytes(H(r[s])).public_key()
        check(pk.public_bytes(**raw).hex() == r[p], p)

print("vector files: %d mismatches" % bad)
sys.exit(1 if bad else 0)
