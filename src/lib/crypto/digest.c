/* digest.c — one-shot and running digests, HMAC-SHA256 (OpenSSL EVP). */
#include "lib/crypto/digest.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "lib/alloc.h"
#include "lib/log.h"

struct crypto_digest_t {
  EVP_MD_CTX *ctx;
  size_t len;
};

static void
digest_die(const char *what)
{
  log_err(LD_CRYPTO, "OpenSSL digest failure in %s", what);
  abort();
}

static void
digest_oneshot(const EVP_MD *md, const void *m, size_t n, uint8_t *out)
{
  unsigned int outlen = 0;
  if (EVP_Digest(m, n, out, &outlen, md, NULL) != 1)
    digest_die("EVP_Digest");
}

void
crypto_sha1(const void *m, size_t n, uint8_t out[DIGEST_LEN])
{
  digest_oneshot(EVP_sha1(), m, n, out);
}

void
crypto_sha256(const void *m, size_t n, uint8_t out[DIGEST256_LEN])
{
  digest_oneshot(EVP_sha256(), m, n, out);
}

void
crypto_sha3_256(const void *m, size_t n, uint8_t out[DIGEST256_LEN])
{
  digest_oneshot(EVP_sha3_256(), m, n, out);
}

void
crypto_sha512(const void *m, size_t n, uint8_t out[DIGEST512_LEN])
{
  digest_oneshot(EVP_sha512(), m, n, out);
}

void
crypto_hmac_sha256(const void *key, size_t keylen, const void *m, size_t n,
                   uint8_t out[DIGEST256_LEN])
{
  static const uint8_t empty = 0;
  size_t outlen = 0;
  /* EVP_Q_mac is the OpenSSL 3 one-shot over EVP_MAC "HMAC". */
  if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, keylen ? key : &empty, keylen,
                 n ? m : &empty, n, out, DIGEST256_LEN, &outlen) ||
      outlen != DIGEST256_LEN)
    digest_die("EVP_Q_mac");
}

static crypto_digest_t *
digest_new(const EVP_MD *md)
{
  crypto_digest_t *d = x_calloc(1, sizeof(*d));
  d->ctx = EVP_MD_CTX_new();
  if (!d->ctx || EVP_DigestInit_ex(d->ctx, md, NULL) != 1)
    digest_die("EVP_DigestInit_ex");
  d->len = (size_t)EVP_MD_get_size(md);
  return d;
}

crypto_digest_t *
crypto_digest_new_sha1(void)
{
  return digest_new(EVP_sha1());
}

crypto_digest_t *
crypto_digest_new_sha256(void)
{
  return digest_new(EVP_sha256());
}

crypto_digest_t *
crypto_digest_new_sha3_256(void)
{
  return digest_new(EVP_sha3_256());
}

void
crypto_digest_add(crypto_digest_t *d, const void *p, size_t n)
{
  if (n == 0)
    return;
  if (EVP_DigestUpdate(d->ctx, p, n) != 1)
    digest_die("EVP_DigestUpdate");
}

void
crypto_digest_get(const crypto_digest_t *d, uint8_t *out, size_t outlen)
{
  uint8_t buf[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_MD_CTX *tmp = EVP_MD_CTX_new();
  if (!tmp || EVP_MD_CTX_copy_ex(tmp, d->ctx) != 1 ||
      EVP_DigestFinal_ex(tmp, buf, &len) != 1)
    digest_die("crypto_digest_get");
  EVP_MD_CTX_free(tmp);
  if (outlen > len)
    outlen = len;
  memcpy(out, buf, outlen);
  x_memwipe(buf, sizeof(buf));
}

size_t
crypto_digest_len(const crypto_digest_t *d)
{
  return d->len;
}

crypto_digest_t *
crypto_digest_dup(const crypto_digest_t *d)
{
  crypto_digest_t *c = x_calloc(1, sizeof(*c));
  c->ctx = EVP_MD_CTX_new();
  if (!c->ctx || EVP_MD_CTX_copy_ex(c->ctx, d->ctx) != 1)
    digest_die("crypto_digest_dup");
  c->len = d->len;
  return c;
}

void
crypto_digest_assign(crypto_digest_t *dst, const crypto_digest_t *src)
{
  if (dst == src)
    return;
  if (EVP_MD_CTX_copy_ex(dst->ctx, src->ctx) != 1)
    digest_die("crypto_digest_assign");
  dst->len = src->len;
}

void
crypto_digest_free(crypto_digest_t *d)
{
  if (!d)
    return;
  /* EVP_MD_CTX_free cleanses the algorithm state before freeing it. */
  EVP_MD_CTX_free(d->ctx);
  x_memwipe(d, sizeof(*d));
  x_free(d);
}
