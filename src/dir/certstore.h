/* certstore.h — the verified authority key certificates the directory
 * client holds: only certificates of configured authorities (by v3ident)
 * whose signatures check and which have not expired.  For each authority it
 * keeps every distinct signing key it has seen (an authority may rotate
 * while old consensuses are still signed with the old key), at most
 * CERTSTORE_MAX_PER_AUTH of them, the newest. */
#ifndef EVONION_DIR_CERTSTORE_H
#define EVONION_DIR_CERTSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "dir/dirauth.h"
#include "proto/netdoc/authcert.h"

#define CERTSTORE_MAX_PER_AUTH 4

typedef struct certstore_t {
  size_t n, cap;
  authcert_t **certs;   /**< owned */
} certstore_t;

/** What happened to the certificates of one body. */
typedef struct certstore_added_t {
  unsigned n_added;       /**< new and valid */
  unsigned n_known;       /**< already held */
  unsigned n_rejected;    /**< bad signature, expired, not a configured authority, ... */
} certstore_added_t;

/** Initialise an empty store. */
void certstore_init(certstore_t *s);

/** Free every certificate and zero *s (NULL is fine). */
void certstore_clear(certstore_t *s);

/** Parse body (a /tor/keys/ response or the cache file), check every
 *  certificate at now, and keep the good ones of authorities in auths.
 *  Every rejection is logged at warn level with its reason, naming src
 *  ("auth1 (127.0.0.1:7000)", "the cache").  Returns -1 if the body is not
 *  a list of certificates at all (logged), else 0 with *added filled. */
int certstore_add_body(certstore_t *s, const dir_authorities_t *auths, const char *body,
                       size_t len, int64_t now, const char *src, certstore_added_t *added);

/** Drop certificates that have expired at now. */
void certstore_expire(certstore_t *s, int64_t now);

/** The certificate of authority v3ident with this signing key digest, or NULL. */
const authcert_t *certstore_find(const certstore_t *s, const uint8_t v3ident[20],
                                 const uint8_t sk_digest[20]);

/** 1 if some certificate of v3ident is held. */
int certstore_has_authority(const certstore_t *s, const uint8_t v3ident[20]);

/** The certificates as one text (their bodies concatenated) for the cache:
 *  a new NUL-terminated buffer (x_free it) of *len bytes. */
char *certstore_to_text(const certstore_t *s, size_t *len);

#endif
