/* authcert.h — directory authority key certificates (dir-spec §3.1), as served
 * at /tor/keys/all, /tor/keys/fp/... (one or more concatenated):
 *
 *   dir-key-certificate-version 3          (first)
 *   [dir-address IPv4:port]
 *   fingerprint <40 hex: SHA-1 of the identity key DER = the authority's v3ident>
 *   dir-key-published YYYY-MM-DD HH:MM:SS
 *   dir-key-expires YYYY-MM-DD HH:MM:SS
 *   dir-identity-key + RSA PUBLIC KEY       (long-term, kept offline)
 *   dir-signing-key + RSA PUBLIC KEY        (medium-term, signs consensuses)
 *   dir-key-crosscert + ID SIGNATURE        (signing key over SHA-1(identity DER))
 *   dir-key-certification + SIGNATURE      (last; identity key over the SHA-1 of the
 *                                           text from "dir-key-certificate-version"
 *                                           through "dir-key-certification\n")
 *
 * Both signatures are PKCS#1 v1.5 over the raw 20-byte digest, without
 * DigestInfo (tor: check_signature_token / crypto_pk_public_checksig).
 * Parsing checks the syntax and that the fingerprint is the identity key's;
 * authcert_check() checks the signatures and the times. */
#ifndef EVONION_PROTO_NETDOC_AUTHCERT_H
#define EVONION_PROTO_NETDOC_AUTHCERT_H

#include <stddef.h>
#include <stdint.h>

#include "lib/crypto/digest.h"
#include "lib/crypto/rsa.h"
#include "proto/netaddr.h"

/** A certificate larger than this is refused (tor's MAX_CERT_SIZE). */
#define AUTHCERT_MAX_LEN (128 * 1024)
/** At most this many certificates in one authcert_parse_all() call. */
#define AUTHCERT_MAX_CERTS 64
/** A certificate published more than this far in the future is not yet valid. */
#define AUTHCERT_PUBLISHED_SKEW (24 * 60 * 60)
/** Largest signature accepted (bytes; an 8192-bit key). */
#define AUTHCERT_MAX_SIG 1024

/** Outcomes of parsing and checking.  authcert_result_to_string() names them. */
typedef enum authcert_result_t {
  AUTHCERT_OK = 0,
  AUTHCERT_MALFORMED,          /**< syntax, a missing item, a bad key or time */
  AUTHCERT_BAD_FINGERPRINT,    /**< "fingerprint" is not SHA-1 of the identity key */
  AUTHCERT_BAD_CERTIFICATION,  /**< dir-key-certification does not verify */
  AUTHCERT_BAD_CROSSCERT,      /**< dir-key-crosscert does not verify */
  AUTHCERT_NOT_YET_VALID,      /**< published more than AUTHCERT_PUBLISHED_SKEW after now */
  AUTHCERT_EXPIRED,            /**< now is after dir-key-expires */
} authcert_result_t;

/** One parsed certificate.  Owns its keys and copies; free with authcert_free(). */
typedef struct authcert_t {
  uint8_t v3ident[DIGEST_LEN];             /**< SHA-1 of the identity key DER */
  crypto_rsa_t *identity_key;
  crypto_rsa_t *signing_key;
  uint8_t signing_key_digest[DIGEST_LEN];  /**< SHA-1 of the signing key DER */
  int64_t published, expires;              /**< seconds since the epoch (UTC) */
  int has_address;                         /**< 1 if dir-address was given */
  netaddr_t address;                       /**< its IPv4 address */
  uint16_t dir_port;                       /**< its port */
  uint8_t signed_digest[DIGEST_LEN];       /**< SHA-1 of the certified text */
  uint8_t *certification;                  /**< dir-key-certification signature */
  size_t certification_len;
  uint8_t *crosscert;                      /**< dir-key-crosscert signature */
  size_t crosscert_len;
  char *text;                              /**< a copy of the certificate text (NUL-terminated) */
  size_t text_len;
} authcert_t;

/** Parse the first certificate in s[0..n) (leading blank lines skipped).  On
 * AUTHCERT_OK, *out is a new certificate (caller frees) and *consumed is the
 * number of bytes up to the end of its dir-key-certification object.  On any
 * other result *out is NULL; the result is AUTHCERT_MALFORMED or
 * AUTHCERT_BAD_FINGERPRINT.  Signatures are NOT checked: call authcert_check(). */
authcert_result_t authcert_parse(const char *s, size_t n, authcert_t **out, size_t *consumed);

/** Parse every certificate of a concatenation (a /tor/keys/ response body),
 * at most AUTHCERT_MAX_CERTS.  On AUTHCERT_OK, *out is a new array of *n_out
 * certificates (caller frees with authcert_free_all()).  If any certificate is
 * malformed, the whole response is refused: nothing is returned and the
 * result says why.  An empty body is AUTHCERT_MALFORMED. */
authcert_result_t authcert_parse_all(const char *s, size_t n, authcert_t ***out, size_t *n_out);

/** Check c at now: the crosscert by the signing key, the certification by
 * the identity key, then the times.  Returns AUTHCERT_OK or the first failure
 * in that order. */
authcert_result_t authcert_check(const authcert_t *c, int64_t now);

/** A static name for r ("ok", "bad certification signature", ...). */
const char *authcert_result_to_string(authcert_result_t r);

/** Free c and what it owns (NULL is fine). */
void authcert_free(authcert_t *c);

/** Free an array from authcert_parse_all() and its n certificates. */
void authcert_free_all(authcert_t **certs, size_t n);

#endif
