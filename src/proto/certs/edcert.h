/* edcert.h — Tor's Ed25519 certificates (cert-spec §2.1, §2.2, A.1–A.4).
 *
 *   VERSION(1)=01 | CERT_TYPE(1) | EXPIRATION_DATE(4, hours since the epoch) |
 *   CERT_KEY_TYPE(1) | CERTIFIED_KEY(32) | N_EXTENSIONS(1) |
 *   N_EXTENSIONS x { ExtLength(2) ExtType(1) ExtFlags(1) ExtData } | SIGNATURE(64)
 *
 * The signature is Ed25519 over every byte before it, with no prefix.
 * Parsing is strict (exact lengths, no trailing bytes) and never touches a
 * key; verification is a separate step. */
#ifndef EVONION_PROTO_CERTS_EDCERT_H
#define EVONION_PROTO_CERTS_EDCERT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "lib/crypto/ed25519.h"

/** CERT_TYPE values (cert-spec A.1). */
#define EDCERT_TYPE_ID_SIGNING 0x04      /**< master identity -> signing key */
#define EDCERT_TYPE_SIGNING_LINK 0x05    /**< signing key -> SHA-256(TLS cert DER) */
#define EDCERT_TYPE_SIGNING_AUTH 0x06    /**< signing key -> link-auth key */
#define EDCERT_TYPE_HS_DESC_SIGNING 0x08 /**< onion service blinded key -> desc signing key */
#define EDCERT_TYPE_NTOR_CROSSCERT 0x0A  /**< ntor-derived key -> master identity */

/** CERT_KEY_TYPE values (cert-spec A.4). */
#define EDCERT_KEYTYPE_ED25519 0x01
#define EDCERT_KEYTYPE_SHA256_RSA 0x02
#define EDCERT_KEYTYPE_SHA256_X509 0x03

/** Extension types and flags (cert-spec §2.1, A.2). */
#define EDCERT_EXT_SIGNED_WITH_KEY 0x04
#define EDCERT_EXT_FLAG_AFFECTS_VALIDATION 0x01

#define EDCERT_VERSION 0x01
#define EDCERT_KEY_LEN 32
#define EDCERT_SIG_LEN 64
/** Shortest possible certificate: header (40) + signature (64). */
#define EDCERT_MIN_LEN (1 + 1 + 4 + 1 + 32 + 1 + EDCERT_SIG_LEN)
/** Hard cap on the encoded size we parse (a CERTS entry is at most 65535). */
#define EDCERT_MAX_LEN 65535

/** Why edcert_parse() refused its input. */
typedef enum edcert_parse_result_t {
  EDCERT_PARSE_OK = 0,
  EDCERT_PARSE_TRUNCATED,        /**< shorter than the fields it announces */
  EDCERT_PARSE_TOO_LONG,         /**< longer than EDCERT_MAX_LEN */
  EDCERT_PARSE_BAD_VERSION,      /**< VERSION is not 01 */
  EDCERT_PARSE_TRAILING,         /**< bytes after the signature */
  EDCERT_PARSE_BAD_SIGNER_EXT,   /**< ext 04 not 32 bytes long, or present twice */
  EDCERT_PARSE_UNKNOWN_CRITICAL, /**< unknown extension with AFFECTS_VALIDATION */
} edcert_parse_result_t;

/** Why edcert_check() refused a parsed certificate. */
typedef enum edcert_check_result_t {
  EDCERT_CHECK_OK = 0,
  EDCERT_CHECK_NO_KEY,       /**< no key given and no ext 04 in the cert */
  EDCERT_CHECK_KEY_MISMATCH, /**< ext 04 present but differs from the key given */
  EDCERT_CHECK_BAD_SIG,      /**< the signature does not verify */
  EDCERT_CHECK_EXPIRED,      /**< now is after EXPIRATION_DATE * 3600 */
} edcert_check_result_t;

/** A parsed Ed25519 certificate.  Owns a copy of its encoding (needed to
 * verify the signature).  Free with edcert_free(). */
typedef struct edcert_t {
  uint8_t cert_type;
  uint32_t exp_hours;                      /**< EXPIRATION_DATE, hours since epoch */
  uint8_t key_type;                        /**< CERT_KEY_TYPE */
  uint8_t certified_key[EDCERT_KEY_LEN];   /**< CERTIFIED_KEY */
  uint8_t n_extensions;                    /**< N_EXTENSIONS as sent */
  int has_signing_key;                     /**< 1 if ext 04 was present */
  uint8_t signing_key[EDCERT_KEY_LEN];     /**< ext 04 data when has_signing_key */
  uint8_t signature[EDCERT_SIG_LEN];
  uint8_t *encoded;                        /**< the whole certificate */
  size_t encoded_len;
} edcert_t;

/** Parse the certificate in buf[0..len), which must be exactly one
 * certificate.  On EDCERT_PARSE_OK *out is a new edcert_t the caller frees;
 * otherwise *out is NULL.  Unknown extensions without AFFECTS_VALIDATION are
 * skipped. */
edcert_parse_result_t edcert_parse(const uint8_t *buf, size_t len, edcert_t **out);

/** Verify c's signature and expiry.  signer is the key that must have signed
 * the certificate; pass NULL to use the cert's own ext-04 key.  If both are
 * present they must be equal.  The certificate is expired when
 * now > exp_hours * 3600.  Returns EDCERT_CHECK_OK or the first failure in
 * the order: key, signature, expiry. */
edcert_check_result_t edcert_check(const edcert_t *c, const uint8_t *signer, time_t now);

/** Return the time c stops being valid (exp_hours * 3600). */
time_t edcert_expiry(const edcert_t *c);

/** Build and sign a certificate: cert_type, key_type, certified_key and
 * exp_hours as given, signed by signer; if include_signer_key, ext 04 carries
 * signer's public key.  *out is a new x_malloc'd buffer of *outlen bytes (the
 * caller frees it).  Returns 0, or -1 if signing fails. */
int edcert_create(uint8_t cert_type, uint8_t key_type,
                  const uint8_t certified_key[EDCERT_KEY_LEN], uint32_t exp_hours,
                  const ed25519_keypair_t *signer, int include_signer_key,
                  uint8_t **out, size_t *outlen);

/** Return a short static description of r. */
const char *edcert_parse_result_to_string(edcert_parse_result_t r);

/** Return a short static description of r. */
const char *edcert_check_result_to_string(edcert_check_result_t r);

/** Free c (NULL is fine). */
void edcert_free(edcert_t *c);

#endif
