/* aes.c — AES-CTR key stream over EVP_CIPHER_CTX. */
#include "lib/crypto/aes.h"

#include <limits.h>
#include <stdlib.h>

#include <openssl/evp.h>

#include "lib/alloc.h"
#include "lib/log.h"

struct crypto_aes_ctr_t {
  EVP_CIPHER_CTX *ctx;
};

crypto_aes_ctr_t *
crypto_aes_ctr_new(const uint8_t *key, size_t keylen, const uint8_t iv[CRYPTO_AES_IV_LEN])
{
  const EVP_CIPHER *cipher;
  if (keylen == 16)
    cipher = EVP_aes_128_ctr();
  else if (keylen == 32)
    cipher = EVP_aes_256_ctr();
  else
    return NULL;
  crypto_aes_ctr_t *c = x_calloc(1, sizeof(*c));
  c->ctx = EVP_CIPHER_CTX_new();
  if (!c->ctx || EVP_EncryptInit_ex(c->ctx, cipher, NULL, key, iv) != 1) {
    log_warn(LD_CRYPTO, "AES-CTR initialisation failed");
    crypto_aes_ctr_free(c);
    return NULL;
  }
  return c;
}

void
crypto_aes_ctr_crypt(crypto_aes_ctr_t *c, const uint8_t *in, uint8_t *out, size_t n)
{
  while (n > 0) {
    int chunk = n > (size_t)(INT_MAX / 2) ? INT_MAX / 2 : (int)n;
    int outl = 0;
    if (EVP_EncryptUpdate(c->ctx, out, &outl, in, chunk) != 1 || outl != chunk) {
      log_err(LD_CRYPTO, "AES-CTR EVP_EncryptUpdate failed");
      abort();
    }
    in += chunk;
    out += chunk;
    n -= (size_t)chunk;
  }
}

void
crypto_aes_ctr_free(crypto_aes_ctr_t *c)
{
  if (!c)
    return;
  /* EVP_CIPHER_CTX_free cleanses the key schedule. */
  EVP_CIPHER_CTX_free(c->ctx);
  x_memwipe(c, sizeof(*c));
  x_free(c);
}
