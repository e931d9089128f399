/* keys.h — a relay's long-term and medium-term keys (tor-spec §1.1;
 * protocol-scope.md §B.1, §B.2).
 *
 * Kept in <data directory>/keys/ (files mode 0600 on POSIX):
 *   secret_id_key                 RSA-1024 identity, "RSA PRIVATE KEY" PEM (tor's format)
 *   ed25519_master_id_secret_key  Ed25519 master identity seed (evonion format, below)
 *   ed25519_signing_secret_key    Ed25519 signing key seed (evonion format)
 *   ed25519_signing_cert          its type-4 certificate, signed by the master (tor's format:
 *                                 "== ed25519v1-cert: type4 ==" header + cert)
 * The Ed25519 seed files are a 32-byte header "== evonion-ed25519-seed: v1 ==\0\0" followed
 * by the 32-byte RFC 8032 seed (tor stores the expanded key, which OpenSSL cannot sign with).
 *
 * In memory only, regenerated on each start and by relay_keys_rotate():
 *   the Ed25519 link-authentication key (type-6 certified), the RSA-2048 TLS link key and
 *   its X.509 certificate signed by the identity (randomised www.<rand>.net / .com names and
 *   validity), and the self-signed X.509 identity certificate (CERTS type 2). */
#ifndef EVONION_RELAY_KEYS_H
#define EVONION_RELAY_KEYS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/mainloop.h"
#include "lib/crypto/ed25519.h"
#include "lib/crypto/rsa.h"
#include "lib/crypto/x509.h"

typedef struct tls_ctx_t tls_ctx_t;
struct certs_our_keys_t; /* proto/certs/certs_check.h */

/** Lifetime of the Ed25519 signing key's type-4 certificate. */
#define RELAY_SIGNING_KEY_LIFETIME (30 * 24 * 3600)
/** A signing key is replaced when less than this is left of its certificate. */
#define RELAY_SIGNING_KEY_RENEW_BEFORE (3 * 24 * 3600)
/** Lifetime of the link-authentication key's type-6 certificate. */
#define RELAY_LINK_AUTH_LIFETIME (2 * 24 * 3600)
/** The TLS link key and certificate are regenerated this often (seconds). */
#define RELAY_LINK_CERT_INTERVAL (2 * 3600)
/** Longest nickname (tor's MAX_NICKNAME_LEN). */
#define RELAY_NICKNAME_MAX 19
/** Length of a formatted fingerprint: 10 groups of 4 hex digits and 9 spaces. */
#define RELAY_FINGERPRINT_FMT_LEN 49

/** A relay's keys.  Fields are read-only outside keys.c. */
typedef struct relay_keys_t {
  char *keys_dir;                  /**< <data directory>/keys */
  crypto_rsa_t *rsa_id;            /**< RSA-1024 identity (private) */
  uint8_t rsa_id_digest[DIGEST_LEN]; /**< its fingerprint: SHA-1 of the PKCS#1 DER */
  crypto_x509_t *id_cert;          /**< self-signed identity cert (CERTS type 2) */
  ed25519_keypair_t master;        /**< Ed25519 master identity */
  ed25519_keypair_t signing;       /**< Ed25519 signing key */
  uint8_t *signing_cert;           /**< its type-4 certificate (encoded) */
  size_t signing_cert_len;
  uint32_t signing_exp_hours;      /**< expiry of signing_cert, hours since the epoch */
  ed25519_keypair_t link_auth;     /**< link-authentication key (in memory only) */
  uint32_t link_auth_exp_hours;    /**< expiry for its type-6 certificate */
  crypto_rsa_t *link_key;          /**< RSA-2048 TLS key */
  crypto_x509_t *link_cert;        /**< TLS certificate, signed by rsa_id */
  time_t link_cert_created;        /**< when link_key/link_cert were made */
  mtimer_t *timer;                 /**< relay_keys_schedule_rotation() */
  tls_ctx_t *tls;                  /**< borrowed: context whose cert the timer replaces */
} relay_keys_t;

/** Load the keys from data_dir/keys, creating that directory and any key that
 *  does not exist yet; replace an expired or nearly expired signing key; make
 *  the in-memory keys.  A file that exists but does not parse is an error
 *  (never silently replaced: the identity would change).  Returns a new
 *  relay_keys_t (free with relay_keys_free), or NULL with a one-line message
 *  in err. */
relay_keys_t *relay_keys_load_or_create(const char *data_dir, time_t now, char *err,
                                        size_t errlen);

/** Replace the signing key if its certificate ends within
 *  RELAY_SIGNING_KEY_RENEW_BEFORE of now (saving it), and regenerate the TLS
 *  link key and certificate, the identity certificate and the link-auth key.
 *  Returns 0, or -1 (logged) if a key could not be made or saved. */
int relay_keys_rotate(relay_keys_t *k, time_t now);

/** Fill out with borrowed pointers to k's keys for building CERTS cells
 *  (link_cert is the current TLS certificate).  Valid until the next rotation. */
void relay_keys_get_certs_keys(const relay_keys_t *k, struct certs_our_keys_t *out);

/** Make a TLS server context presenting the current link certificate.
 *  Returns NULL (logged) on failure. */
tls_ctx_t *relay_keys_new_tls_ctx(const relay_keys_t *k);

/** Every so often (at most RELAY_LINK_CERT_INTERVAL), rotate k and install the
 *  new link certificate in tls (borrowed; it must outlive the schedule, which
 *  relay_keys_free() cancels). */
void relay_keys_schedule_rotation(relay_keys_t *k, mainloop_t *ml, tls_ctx_t *tls);

/** Write the fingerprint id as tor prints it: "XXXX XXXX ... XXXX" (10 groups
 *  of 4 upper-case hex digits) into out (RELAY_FINGERPRINT_FMT_LEN + 1 bytes). */
void relay_keys_format_fingerprint(const uint8_t id[DIGEST_LEN],
                                   char out[RELAY_FINGERPRINT_FMT_LEN + 1]);

/** 1 if name is a valid nickname (1..19 characters of [A-Za-z0-9]), else 0. */
int relay_nickname_is_valid(const char *name);

/** Free k, wiping private keys; NULL is fine. */
void relay_keys_free(relay_keys_t *k);

#endif
