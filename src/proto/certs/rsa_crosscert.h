/* rsa_crosscert.h — the RSA->Ed25519 cross-certificate, CERTS type 7
 * (cert-spec §2.3; protocol-scope.md §A.1.3 item 5).
 *
 *   ED25519_KEY(32) | EXPIRATION_DATE(4, hours since epoch) | SIGLEN(1) | SIGNATURE
 *
 * SIGNATURE is a PKCS#1 v1.5 signature WITHOUT DigestInfo by the RSA identity
 * key over SHA-256("Tor TLS RSA/Ed25519 cross-certificate" | ED25519_KEY |
 * EXPIRATION_DATE). */
#ifndef EVONION_PROTO_CERTS_RSA_CROSSCERT_H
#define EVONION_PROTO_CERTS_RSA_CROSSCERT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "lib/crypto/rsa.h"

/** The string prefixed to the signed fields before hashing. */
#define RSA_CROSSCERT_PREFIX "Tor TLS RSA/Ed25519 cross-certificate"
#define RSA_CROSSCERT_KEY_LEN 32
#define RSA_CROSSCERT_MAX_SIG 255
/** ED25519_KEY + EXPIRATION_DATE + SIGLEN */
#define RSA_CROSSCERT_HEADER_LEN 37

/** Why rsa_crosscert_check() refused a cross-certificate. */
typedef enum rsa_crosscert_check_result_t {
  RSA_CROSSCERT_OK = 0,
  RSA_CROSSCERT_BAD_SIG,  /**< the RSA signature does not verify */
  RSA_CROSSCERT_EXPIRED,  /**< now is after EXPIRATION_DATE * 3600 */
} rsa_crosscert_check_result_t;

/** A parsed cross-certificate (all fields by value). */
typedef struct rsa_crosscert_t {
  uint8_t ed_key[RSA_CROSSCERT_KEY_LEN];
  uint32_t exp_hours;
  uint8_t siglen;
  uint8_t sig[RSA_CROSSCERT_MAX_SIG];
} rsa_crosscert_t;

/** Parse buf[0..len), which must be exactly one cross-certificate (no bytes
 * after the signature).  Fills *out and returns 0, or returns -1. */
int rsa_crosscert_parse(const uint8_t *buf, size_t len, rsa_crosscert_t *out);

/** Check that cc is signed by rsa_key and not expired at now (expired when
 * now > exp_hours * 3600).  Does not compare ed_key with anything: the
 * caller does.  Returns RSA_CROSSCERT_OK or the first failure. */
rsa_crosscert_check_result_t rsa_crosscert_check(const rsa_crosscert_t *cc,
                                                 const crypto_rsa_t *rsa_key, time_t now);

/** Build a cross-certificate for ed_key expiring at exp_hours, signed with
 * the private key rsa_key.  *out is a new x_malloc'd buffer of *outlen bytes
 * (caller frees).  Returns 0, or -1 (public key, or a key above 2040 bits
 * whose signature would not fit SIGLEN). */
int rsa_crosscert_create(const uint8_t ed_key[RSA_CROSSCERT_KEY_LEN], uint32_t exp_hours,
                         const crypto_rsa_t *rsa_key, uint8_t **out, size_t *outlen);

#endif
