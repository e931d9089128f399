/* certs_check.h — authenticate a peer from the certificates of its CERTS cell
 * (tor-spec §4.2; protocol-scope.md §A.1.3, §B.3, §B.4), and build our own.
 *
 * Input is the CERTS cell already split into (type, body, len) entries (the
 * container itself is parsed in proto/).  Checks are pure: no clock, no I/O;
 * the caller passes `now` and the SHA-256 of the peer's TLS certificate DER. */
#ifndef EVONION_PROTO_CERTS_CERTS_CHECK_H
#define EVONION_PROTO_CERTS_CERTS_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "lib/crypto/ed25519.h"
#include "lib/crypto/rsa.h"
#include "lib/crypto/x509.h"

/** CertType values of the CERTS cell (tor-spec §4.2). */
#define CERTTYPE_RSA1024_ID_LINK 1 /**< X.509 link (TLS) cert, signed by the RSA ID */
#define CERTTYPE_RSA1024_ID_ID 2   /**< X.509 RSA-1024 identity cert, self-signed */
#define CERTTYPE_RSA1024_ID_AUTH 3 /**< X.509 legacy RSA AUTHENTICATE cert */
#define CERTTYPE_ED_ID_SIGN 4      /**< Ed25519 master -> signing key */
#define CERTTYPE_ED_SIGN_LINK 5    /**< Ed25519 signing key -> TLS cert digest */
#define CERTTYPE_ED_SIGN_AUTH 6    /**< Ed25519 signing key -> link-auth key */
#define CERTTYPE_RSA_ED_CROSSCERT 7 /**< RSA ID -> Ed25519 master crosscert */

/** X.509 validity slop, as tor (x509_internal.h): an expired cert is accepted
 * for 2 days, a not-yet-valid one from 30 days before its start. */
#define CERTS_X509_PAST_SLOP (2 * 24 * 60 * 60)
#define CERTS_X509_FUTURE_SLOP (30 * 24 * 60 * 60)

/** Most entries a CERTS cell can carry (N is one byte). */
#define CERTS_MAX_ENTRIES 255

/** One certificate from a CERTS cell.  body is borrowed. */
typedef struct certs_entry_t {
  uint8_t type;
  const uint8_t *body;
  size_t len;
} certs_entry_t;

/** Outcome of a check.  certs_auth_t.failed_type names the cert at fault. */
typedef enum certs_result_t {
  CERTS_OK = 0,
  CERTS_ERR_DUPLICATE,          /**< two certificates of one known type */
  CERTS_ERR_MISSING,            /**< a required type is absent */
  CERTS_ERR_UNDECODABLE,        /**< a known type that does not parse */
  CERTS_ERR_CRITICAL_EXTENSION, /**< an Ed cert with an unknown AFFECTS_VALIDATION ext */
  CERTS_ERR_WRONG_TYPE,         /**< Ed cert's CERT_TYPE or CERT_KEY_TYPE is wrong for its slot */
  CERTS_ERR_NOT_RSA1024,        /**< type-2 key is not a 1024-bit RSA key */
  CERTS_ERR_NO_SIGNING_KEY,     /**< type-4 cert lacks the ext-04 master key */
  CERTS_ERR_BAD_SIG,            /**< a signature does not verify */
  CERTS_ERR_EXPIRED,            /**< a cert is not valid at now */
  CERTS_ERR_TLS_MISMATCH,       /**< type-5 key != SHA-256(TLS cert DER) */
  CERTS_ERR_CROSSCERT_MISMATCH, /**< type-7 Ed key != type-4 master key */
  CERTS_ERR_RSA_ID_MISMATCH,    /**< RSA identity != the expected one */
  CERTS_ERR_ED_ID_MISMATCH,     /**< Ed25519 identity != the expected one */
} certs_result_t;

/** What a check learned.  On CERTS_OK every identity field is set; on failure
 * result, failed_type and reason say why and the rest is unspecified. */
typedef struct certs_auth_t {
  certs_result_t result;
  uint8_t failed_type;        /**< CertType at fault, 0 when none applies */
  char reason[160];           /**< e.g. "CERTS: type 5 certificate does not match ..." */
  uint8_t rsa_id[DIGEST_LEN]; /**< SHA-1 of the type-2 key's PKCS#1 DER */
  uint8_t rsa_id_sha256[DIGEST256_LEN]; /**< SHA-256 of that DER (CID/SID of AUTH0003) */
  uint8_t ed_id[ED25519_PUBKEY_LEN];    /**< Ed25519 master identity (type 4 ext 04) */
  uint8_t signing_key[ED25519_PUBKEY_LEN]; /**< type-4 certified signing key */
  uint8_t link_auth_key[ED25519_PUBKEY_LEN]; /**< type-6 certified key (initiator check only) */
} certs_auth_t;

/** Authenticate a RESPONDER from its CERTS entries (we are the initiator):
 * exactly one each of types 2, 4, 5, 7 (duplicates of any type 1-7 are an
 * error, unknown types are ignored), with every check of protocol-scope.md
 * §A.1.3.  tls_cert_sha256 is SHA-256 of the peer's TLS certificate DER.
 * expect_rsa_id (20 bytes) and expect_ed_id (32 bytes) may be NULL when not
 * known.  Fills *out and returns out->result. */
certs_result_t certs_check_responder(const certs_entry_t *certs, size_t n_certs,
                                     const uint8_t tls_cert_sha256[DIGEST256_LEN],
                                     time_t now, const uint8_t *expect_rsa_id,
                                     const uint8_t *expect_ed_id, certs_auth_t *out);

/** Authenticate an INITIATOR that claims a relay identity (we are the
 * responder): exactly one each of types 2, 4, 6, 7 with the same checks,
 * type 6 signed by the type-4 signing key.  out->link_auth_key receives the
 * type-6 key, which must then verify the AUTHENTICATE cell.  Nothing binds
 * these certs to the TLS connection: only AUTHENTICATE does.  expect_* may be
 * NULL.  Fills *out and returns out->result. */
certs_result_t certs_check_initiator(const certs_entry_t *certs, size_t n_certs,
                                     time_t now, const uint8_t *expect_rsa_id,
                                     const uint8_t *expect_ed_id, certs_auth_t *out);

/** Return a short static name for r ("ok", "duplicate", ...). */
const char *certs_result_to_string(certs_result_t r);

/** Our keys, borrowed, for building our own CERTS entries. */
typedef struct certs_our_keys_t {
  const crypto_rsa_t *rsa_id;          /**< private RSA-1024 identity key */
  const crypto_x509_t *id_cert;        /**< type 2: self-signed by rsa_id */
  const crypto_x509_t *link_cert;      /**< type 1: our TLS cert (responder set only) */
  const ed25519_keypair_t *master;     /**< Ed25519 master identity */
  const ed25519_keypair_t *signing;    /**< Ed25519 signing key */
  const ed25519_keypair_t *link_auth;  /**< Ed25519 link-auth key (initiator set only) */
  uint32_t signing_exp_hours;          /**< expiry of the type-4 cert */
  uint32_t link_exp_hours;             /**< expiry of the type-5 / type-6 cert */
  uint32_t crosscert_exp_hours;        /**< expiry of the type-7 cert */
} certs_our_keys_t;

/** A list of CERTS entries whose bodies it owns (free with certs_list_clear). */
typedef struct certs_list_t {
  size_t n;
  certs_entry_t entries[8];
  uint8_t *owned[8];
} certs_list_t;

/** Build the responder set, in tor's order 1, 2, 4, 5, 7, into *out (which
 * must be cleared or zeroed).  Returns 0, or -1 (a key is missing or signing
 * fails; *out is then empty). */
int certs_build_responder(const certs_our_keys_t *keys, certs_list_t *out);

/** Build the authenticating-initiator set, in order 2, 4, 6, 7, into *out.
 * Returns 0 or -1 as certs_build_responder(). */
int certs_build_initiator(const certs_our_keys_t *keys, certs_list_t *out);

/** Free every body of l and empty it. */
void certs_list_clear(certs_list_t *l);

#endif
