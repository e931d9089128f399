/* forge.h — make directory documents with fresh keys, for the rejection tests. */
#ifndef EVONION_TESTS_FORGE_H
#define EVONION_TESTS_FORGE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/crypto/rsa.h"

/* A new malloc'd authority key certificate for the private keys id and sk,
 * with these times, signed (certification by id, crosscert by sk). */
char *forge_authcert(const crypto_rsa_t *id, const crypto_rsa_t *sk, int64_t published,
                     int64_t expires);

/* The same, but the crosscert is made by cross_key instead of sk (a broken
 * crosscert under a valid certification when cross_key != sk). */
char *forge_authcert_ex(const crypto_rsa_t *id, const crypto_rsa_t *sk,
                        const crypto_rsa_t *cross_key, int64_t published, int64_t expires);

/* A new malloc'd "directory-signature sha256 V3IDENT SKDIGEST" item with its
 * SIGNATURE object: sk's raw PKCS#1 signature over digest[0..dlen). */
char *forge_dirsig(const crypto_rsa_t *id, const crypto_rsa_t *sk, const uint8_t *digest,
                   size_t dlen);

/* Append the PEM-style object "-----BEGIN type-----" ... for data to buf
 * (malloc'd, grown with realloc). */
void forge_append_object(char **buf, const char *type, const uint8_t *data, size_t n);

/* Append a NUL-terminated string to buf (malloc'd, grown with realloc). */
void forge_append(char **buf, const char *s);

#endif
