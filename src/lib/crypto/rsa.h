/* rsa.h — RSA keys as tor uses them (over OpenSSL 3 EVP_PKEY): PKCS#1 DER and
 * PEM encodings, SHA-1 fingerprints, PKCS#1 v1.5 signatures with and without
 * DigestInfo. */
#ifndef EVONION_LIB_CRYPTO_RSA_H
#define EVONION_LIB_CRYPTO_RSA_H

#include <stddef.h>
#include <stdint.h>

#include "lib/crypto/digest.h"

struct evp_pkey_st;

/** An RSA public or private key.  Opaque; free with crypto_rsa_free(). */
typedef struct crypto_rsa_t crypto_rsa_t;

/** Largest modulus we accept when parsing (bits). */
#define CRYPTO_RSA_MAX_BITS 8192

/** Generate a fresh private key of bits bits, e = 65537.  Returns NULL on
 * failure (e.g. bits < 512 or > CRYPTO_RSA_MAX_BITS). */
crypto_rsa_t *crypto_rsa_generate(int bits);

/** Parse a PKCS#1 RSAPublicKey DER (as tor uses).  The whole buffer must be
 * consumed.  Returns a new public key or NULL. */
crypto_rsa_t *crypto_rsa_from_public_der(const uint8_t *der, size_t n);

/** Parse a PKCS#1 RSAPrivateKey DER.  Returns a new private key or NULL. */
crypto_rsa_t *crypto_rsa_from_private_der(const uint8_t *der, size_t n);

/** Encode k's public part as PKCS#1 RSAPublicKey DER into a new x_malloc'd
 * buffer *out of *outlen bytes (caller x_free's it).  Returns 0 or -1. */
int crypto_rsa_public_der(const crypto_rsa_t *k, uint8_t **out, size_t *outlen);

/** Encode private key k as PKCS#1 RSAPrivateKey DER into a new x_malloc'd
 * buffer (caller wipes and x_free's it).  Returns 0, or -1 if k is public. */
int crypto_rsa_private_der(const crypto_rsa_t *k, uint8_t **out, size_t *outlen);

/** Parse "-----BEGIN RSA PUBLIC KEY-----" PEM (PKCS#1, as in directory
 * documents) from s[0..n), which need not be NUL-terminated.  Leading
 * whitespace is skipped; text after the END line is ignored.  Returns a new
 * public key or NULL. */
crypto_rsa_t *crypto_rsa_from_public_pem(const char *s, size_t n);

/** Write k's public part as "RSA PUBLIC KEY" PEM (64-column base64 lines,
 * trailing newline) into a new NUL-terminated x_malloc'd string *out of
 * *outlen bytes (not counting the NUL).  Returns 0 or -1. */
int crypto_rsa_public_pem(const crypto_rsa_t *k, char **out, size_t *outlen);

/** Parse "-----BEGIN RSA PRIVATE KEY-----" PEM (unencrypted PKCS#1, tor's key
 * file format).  Returns a new private key or NULL. */
crypto_rsa_t *crypto_rsa_from_private_pem(const char *s, size_t n);

/** Write private key k as unencrypted "RSA PRIVATE KEY" PEM into a new
 * NUL-terminated x_malloc'd string (caller wipes and frees).  Returns 0 or -1. */
int crypto_rsa_private_pem(const crypto_rsa_t *k, char **out, size_t *outlen);

/** Return the modulus size of k in bits. */
int crypto_rsa_bits(const crypto_rsa_t *k);

/** Return 1 if k holds a private key, 0 if public only. */
int crypto_rsa_is_private(const crypto_rsa_t *k);

/** out = SHA-1 of k's PKCS#1 public DER (tor's RSA identity digest).
 * Returns 0 or -1. */
int crypto_rsa_fingerprint(const crypto_rsa_t *k, uint8_t out[DIGEST_LEN]);

/** Compare the public parts of a and b.  Returns 1 if equal, 0 if not. */
int crypto_rsa_public_eq(const crypto_rsa_t *a, const crypto_rsa_t *b);

/** Sign m[0..n) with PKCS#1 v1.5 type-1 padding and NO DigestInfo (tor's
 * "raw" signature: type-7 crosscert, directory signatures over a digest).
 * n must be at most bits/8 - 11.  On input *siglen is the capacity of sig
 * (at least bits/8); on success it is set to the signature length.  Returns
 * 0, or -1 if k is public, n is too long or sig too small. */
int crypto_rsa_sign_raw(const crypto_rsa_t *k, const uint8_t *m, size_t n,
                        uint8_t *sig, size_t *siglen);

/** Check a raw PKCS#1 v1.5 signature (no DigestInfo) over m[0..n): recover
 * the padded message with the public key and compare it with m in constant
 * time.  Returns 0 if valid, -1 otherwise. */
int crypto_rsa_verify_raw(const crypto_rsa_t *k, const uint8_t *m, size_t n,
                          const uint8_t *sig, size_t siglen);

/** Sign SHA-256(m[0..n)) with PKCS#1 v1.5 and the SHA-256 DigestInfo
 * (sha256WithRSAEncryption).  *siglen as in crypto_rsa_sign_raw().
 * Returns 0 or -1. */
int crypto_rsa_sign_sha256(const crypto_rsa_t *k, const uint8_t *m, size_t n,
                           uint8_t *sig, size_t *siglen);

/** Check a sha256WithRSAEncryption PKCS#1 v1.5 signature over m[0..n).
 * Returns 0 if valid, -1 otherwise. */
int crypto_rsa_verify_sha256(const crypto_rsa_t *k, const uint8_t *m, size_t n,
                             const uint8_t *sig, size_t siglen);

/** Return a new reference-counted handle to the same key (free both). */
crypto_rsa_t *crypto_rsa_dup(const crypto_rsa_t *k);

/** Free k (NULL is fine). */
void crypto_rsa_free(crypto_rsa_t *k);

/** Return k's OpenSSL EVP_PKEY, borrowed (valid as long as k; do not free).
 * For lib/crypto/x509 and the TLS layer. */
struct evp_pkey_st *crypto_rsa_get_evp_pkey(const crypto_rsa_t *k);

/** Wrap an OpenSSL RSA EVP_PKEY, taking a new reference to it (the caller
 * keeps its own).  Returns NULL if pkey is not RSA. */
crypto_rsa_t *crypto_rsa_new_from_evp_pkey(struct evp_pkey_st *pkey);

#endif
