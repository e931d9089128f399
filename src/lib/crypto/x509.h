/* x509.h — X.509 certificates as tor's link protocol uses them (CERTS cell
 * types 1 and 2, TLS link certificates), over OpenSSL 3. */
#ifndef EVONION_LIB_CRYPTO_X509_H
#define EVONION_LIB_CRYPTO_X509_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "lib/crypto/digest.h"
#include "lib/crypto/rsa.h"

struct x509_st;

/** An X.509 certificate with its DER encoding.  Opaque. */
typedef struct crypto_x509_t crypto_x509_t;

/** Largest certificate DER we accept. */
#define CRYPTO_X509_MAX_DER 8192

/** Parse a DER certificate; the whole buffer must be consumed.  Returns a new
 * certificate or NULL. */
crypto_x509_t *crypto_x509_from_der(const uint8_t *der, size_t n);

/** Return c's DER encoding (borrowed, lives as long as c); *n gets its length. */
const uint8_t *crypto_x509_der(const crypto_x509_t *c, size_t *n);

/** out = SHA-256 of c's DER (the value a type-5 Ed25519 cert certifies, and
 * SCERT in AUTH0003).  Returns 0 or -1. */
int crypto_x509_digest_sha256(const crypto_x509_t *c, uint8_t out[DIGEST256_LEN]);

/** Return c's subject public key as a new crypto_rsa_t (caller frees), or NULL
 * if it is not an RSA key. */
crypto_rsa_t *crypto_x509_get_rsa(const crypto_x509_t *c);

/** Check that c's signature verifies with signer's public key.  Returns 0 if
 * it does, -1 otherwise. */
int crypto_x509_check_signed_by(const crypto_x509_t *c, const crypto_rsa_t *signer);

/** Check that now lies in [notBefore - future_slop, notAfter + past_slop]
 * (seconds): a cert that starts a little in the future or has just expired is
 * tolerated.  Returns 0 if valid at now, -1 otherwise. */
int crypto_x509_check_valid_at(const crypto_x509_t *c, time_t now, int past_slop,
                               int future_slop);

/** Create a v3 certificate for subject_key's public key, signed by issuer_key
 * (private) with sha256WithRSAEncryption, a random positive 64-bit serial,
 * subject CN subject_cn and issuer CN issuer_cn, valid from not_before to
 * not_after.  Returns a new certificate or NULL. */
crypto_x509_t *crypto_x509_create(const crypto_rsa_t *subject_key,
                                  const crypto_rsa_t *issuer_key,
                                  const char *subject_cn, const char *issuer_cn,
                                  time_t not_before, time_t not_after);

/** Wrap an OpenSSL X509 (e.g. the TLS peer certificate), taking a new
 * reference (the caller keeps its own).  Returns NULL on failure. */
crypto_x509_t *crypto_x509_new_from_openssl(struct x509_st *x);

/** Return c's OpenSSL X509, borrowed (valid as long as c). */
struct x509_st *crypto_x509_get_openssl(const crypto_x509_t *c);

/** Return a new handle to the same certificate. */
crypto_x509_t *crypto_x509_dup(const crypto_x509_t *c);

/** Free c (NULL is fine). */
void crypto_x509_free(crypto_x509_t *c);

#endif
