/* aes.h — AES in counter mode as a continuous key stream (OpenSSL EVP). */
#ifndef EVONION_LIB_CRYPTO_AES_H
#define EVONION_LIB_CRYPTO_AES_H

#include <stddef.h>
#include <stdint.h>

#define CRYPTO_AES_IV_LEN 16

/** An AES-CTR stream.  Opaque; owned by its creator. */
typedef struct crypto_aes_ctr_t crypto_aes_ctr_t;

/** Create an AES-CTR stream with a 16-byte (AES-128) or 32-byte (AES-256)
 * key and a 16-byte initial counter block (big-endian counter).  Returns NULL
 * if keylen is not 16 or 32 or OpenSSL fails. */
crypto_aes_ctr_t *crypto_aes_ctr_new(const uint8_t *key, size_t keylen,
                                     const uint8_t iv[CRYPTO_AES_IV_LEN]);

/** XOR the next n bytes of key stream into in, writing to out (in == out is
 * allowed).  Consecutive calls continue the same stream, whatever the split
 * points: encrypting A then B equals encrypting A|B. */
void crypto_aes_ctr_crypt(crypto_aes_ctr_t *c, const uint8_t *in, uint8_t *out,
                          size_t n);

/** Free c (NULL is fine), wiping the key schedule. */
void crypto_aes_ctr_free(crypto_aes_ctr_t *c);

#endif
