/* x25519.h — Curve25519 Diffie-Hellman (RFC 7748) over OpenSSL EVP_PKEY. */
#ifndef EVONION_LIB_CRYPTO_X25519_H
#define EVONION_LIB_CRYPTO_X25519_H

#include <stdint.h>

#define X25519_KEY_LEN 32

/** A Curve25519 key pair: secret scalar bytes (clamped when used) and the
 * public u-coordinate, both as 32 little-endian bytes. */
typedef struct x25519_keypair_t {
  uint8_t secret[X25519_KEY_LEN];
  uint8_t pub[X25519_KEY_LEN];
} x25519_keypair_t;

/** Fill kp with a fresh random key pair.  Aborts on RNG/OpenSSL failure. */
void x25519_keypair_generate(x25519_keypair_t *kp);

/** Compute the public key of secret.  Returns 0 or -1. */
int x25519_pub_from_secret(const uint8_t secret[X25519_KEY_LEN],
                           uint8_t pub[X25519_KEY_LEN]);

/** out = X25519(secret, peer_pub).  Returns 0, or -1 if OpenSSL fails or the
 * shared secret is all zero (peer_pub of small order); out is then zeroed. */
int x25519_shared(const uint8_t secret[X25519_KEY_LEN],
                  const uint8_t peer_pub[X25519_KEY_LEN],
                  uint8_t out[X25519_KEY_LEN]);

/** Wipe kp's secret and public parts. */
void x25519_keypair_wipe(x25519_keypair_t *kp);

#endif
