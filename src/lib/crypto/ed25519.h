/* ed25519.h — Ed25519 signatures (RFC 8032, pure) over OpenSSL EVP_PKEY, and
 * the Curve25519 <-> Ed25519 relation used for ntor-onion-key-crosscert
 * (protocol-scope.md §B.1, dir-spec Appendix C). */
#ifndef EVONION_LIB_CRYPTO_ED25519_H
#define EVONION_LIB_CRYPTO_ED25519_H

#include <stddef.h>
#include <stdint.h>

#include "lib/crypto/x25519.h"

#define ED25519_SEED_LEN 32
#define ED25519_PUBKEY_LEN 32
#define ED25519_SIG_LEN 64

/** An Ed25519 key pair kept as its 32-byte RFC 8032 seed (private key) and
 * its 32-byte public key. */
typedef struct ed25519_keypair_t {
  uint8_t seed[ED25519_SEED_LEN];
  uint8_t pub[ED25519_PUBKEY_LEN];
} ed25519_keypair_t;

/** Fill kp with a fresh random key pair.  Aborts on RNG/OpenSSL failure. */
void ed25519_keypair_generate(ed25519_keypair_t *kp);

/** Set kp from seed (copying it) and compute the public key.  Returns 0 or -1. */
int ed25519_keypair_from_seed(ed25519_keypair_t *kp,
                              const uint8_t seed[ED25519_SEED_LEN]);

/** sig = Ed25519 signature of msg[0..n) by kp.  Returns 0 or -1. */
int ed25519_sign(const ed25519_keypair_t *kp, const uint8_t *msg, size_t n,
                 uint8_t sig[ED25519_SIG_LEN]);

/** Verify sig over msg[0..n) with pub.  Returns 0 if the signature is valid,
 * -1 otherwise (bad signature, malformed key, non-canonical S). */
int ed25519_verify(const uint8_t pub[ED25519_PUBKEY_LEN], const uint8_t *msg,
                   size_t n, const uint8_t sig[ED25519_SIG_LEN]);

/** Derive the Curve25519 key pair whose scalar is the Ed25519 scalar of kp:
 * out->secret = clamp(SHA512(seed)[0:32]), out->pub = X25519 base-point
 * multiple.  Then ed25519_pub_from_x25519_pub(out->pub, kp->pub[31] >> 7)
 * gives kp->pub back.  Returns 0 or -1. */
int ed25519_keypair_to_x25519(const ed25519_keypair_t *kp, x25519_keypair_t *out);

/** Convert a Curve25519 public u-coordinate to the Ed25519 public key with
 * the same scalar (dir-spec Appendix C): y = (u-1)/(u+1) mod 2^255-19,
 * encoded little-endian with signbit (0 or 1) in bit 255.  Bit 255 of x_pub
 * is ignored.  Returns 0, or -1 if u+1 == 0 mod p or signbit is not 0/1. */
int ed25519_pub_from_x25519_pub(const uint8_t x_pub[X25519_KEY_LEN], int signbit,
                                uint8_t ed_pub[ED25519_PUBKEY_LEN]);

/** Wipe kp's seed and public key. */
void ed25519_keypair_wipe(ed25519_keypair_t *kp);

#endif
