/* digest.h — SHA-1, SHA-256, SHA3-256, SHA-512, HMAC-SHA256 and running
 * digests (over OpenSSL EVP_MD / EVP_MAC). */
#ifndef EVONION_LIB_CRYPTO_DIGEST_H
#define EVONION_LIB_CRYPTO_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#define DIGEST_LEN 20     /**< SHA-1 output length */
#define DIGEST256_LEN 32  /**< SHA-256 / SHA3-256 output length */
#define DIGEST512_LEN 64  /**< SHA-512 output length */

/** out = SHA-1(m[0..n)). */
void crypto_sha1(const void *m, size_t n, uint8_t out[DIGEST_LEN]);
/** out = SHA-256(m[0..n)). */
void crypto_sha256(const void *m, size_t n, uint8_t out[DIGEST256_LEN]);
/** out = SHA3-256(m[0..n)). */
void crypto_sha3_256(const void *m, size_t n, uint8_t out[DIGEST256_LEN]);
/** out = SHA-512(m[0..n)). */
void crypto_sha512(const void *m, size_t n, uint8_t out[DIGEST512_LEN]);
/** out = HMAC-SHA256(key, m).  Any key length (0 included) is allowed. */
void crypto_hmac_sha256(const void *key, size_t keylen, const void *m, size_t n,
                        uint8_t out[DIGEST256_LEN]);

/** A running (incremental) digest.  Opaque; owned by whoever created it. */
typedef struct crypto_digest_t crypto_digest_t;

/** Start a running SHA-1.  Never returns NULL (aborts on OpenSSL failure). */
crypto_digest_t *crypto_digest_new_sha1(void);
/** Start a running SHA-256.  Never returns NULL. */
crypto_digest_t *crypto_digest_new_sha256(void);
/** Start a running SHA3-256.  Never returns NULL. */
crypto_digest_t *crypto_digest_new_sha3_256(void);
/** Feed n bytes at p into d. */
void crypto_digest_add(crypto_digest_t *d, const void *p, size_t n);
/** Write the first outlen bytes of the digest of everything added so far to
 * out, WITHOUT ending the running state (more data may be added afterwards).
 * outlen may be at most the digest length; longer requests are truncated to
 * it (the remaining bytes of out are left untouched). */
void crypto_digest_get(const crypto_digest_t *d, uint8_t *out, size_t outlen);
/** Return the digest length of d in bytes (20, 32, ...). */
size_t crypto_digest_len(const crypto_digest_t *d);
/** Return a new independent copy of d's state (caller frees). */
crypto_digest_t *crypto_digest_dup(const crypto_digest_t *d);
/** Overwrite dst's state with src's.  Both must be the same algorithm.
 * Used to checkpoint/restore a running digest. */
void crypto_digest_assign(crypto_digest_t *dst, const crypto_digest_t *src);
/** Free d (NULL is fine), wiping its state. */
void crypto_digest_free(crypto_digest_t *d);

#endif
