/* rsa.c — RSA keys over OpenSSL 3 EVP_PKEY (no deprecated RSA_* calls). */
#include "lib/crypto/rsa.h"

#include <limits.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "lib/alloc.h"
#include "lib/crypto/ct.h"
#include "lib/log.h"

struct crypto_rsa_t {
  EVP_PKEY *pkey;
  int is_private;
};

/* Largest PEM text we parse. */
#define RSA_MAX_PEM 16384

static crypto_rsa_t *
rsa_wrap(EVP_PKEY *pkey, int is_private)
{
  crypto_rsa_t *k = x_calloc(1, sizeof(*k));
  k->pkey = pkey;
  k->is_private = is_private;
  return k;
}

/* Return 0 if pkey is an RSA key of acceptable size. */
static int
rsa_check_pkey(const EVP_PKEY *pkey)
{
  if (!pkey || !EVP_PKEY_is_a(pkey, "RSA"))
    return -1;
  int bits = EVP_PKEY_get_bits(pkey);
  return (bits >= 512 && bits <= CRYPTO_RSA_MAX_BITS) ? 0 : -1;
}

crypto_rsa_t *
crypto_rsa_generate(int bits)
{
  if (bits < 512 || bits > CRYPTO_RSA_MAX_BITS)
    return NULL;
  EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
  if (!pkey) {
    log_warn(LD_CRYPTO, "RSA key generation failed");
    return NULL;
  }
  return rsa_wrap(pkey, 1);
}

crypto_rsa_t *
crypto_rsa_from_public_der(const uint8_t *der, size_t n)
{
  if (!der || n == 0 || n > LONG_MAX)
    return NULL;
  const unsigned char *p = der;
  EVP_PKEY *pkey = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)n);
  if (!pkey || p != der + n || rsa_check_pkey(pkey) < 0) {
    EVP_PKEY_free(pkey);
    return NULL;
  }
  return rsa_wrap(pkey, 0);
}

crypto_rsa_t *
crypto_rsa_from_private_der(const uint8_t *der, size_t n)
{
  if (!der || n == 0 || n > LONG_MAX)
    return NULL;
  const unsigned char *p = der;
  EVP_PKEY *pkey = d2i_PrivateKey(EVP_PKEY_RSA, NULL, &p, (long)n);
  if (!pkey || p != der + n || rsa_check_pkey(pkey) < 0) {
    EVP_PKEY_free(pkey);
    return NULL;
  }
  return rsa_wrap(pkey, 1);
}

/* Copy an OpenSSL-allocated encoding into an x_malloc'd buffer. */
static int
take_encoding(unsigned char *buf, int len, uint8_t **out, size_t *outlen)
{
  if (!buf || len <= 0) {
    OPENSSL_free(buf);
    return -1;
  }
  *out = x_memdup(buf, (size_t)len);
  *outlen = (size_t)len;
  OPENSSL_clear_free(buf, (size_t)len);
  return 0;
}

int
crypto_rsa_public_der(const crypto_rsa_t *k, uint8_t **out, size_t *outlen)
{
  unsigned char *buf = NULL;
  int len = i2d_PublicKey(k->pkey, &buf);
  return take_encoding(buf, len, out, outlen);
}

int
crypto_rsa_private_der(const crypto_rsa_t *k, uint8_t **out, size_t *outlen)
{
  if (!k->is_private)
    return -1;
  unsigned char *buf = NULL;
  int len = i2d_PrivateKey(k->pkey, &buf);
  return take_encoding(buf, len, out, outlen);
}

/* Read one PEM object named want from s[0..n) into a DER buffer. */
static int
pem_read(const char *s, size_t n, const char *want, uint8_t **der, long *derlen)
{
  if (!s || n == 0 || n > RSA_MAX_PEM)
    return -1;
  BIO *bio = BIO_new_mem_buf(s, (int)n);
  char *name = NULL, *header = NULL;
  unsigned char *data = NULL;
  long len = 0;
  int r = -1;
  if (bio && PEM_read_bio(bio, &name, &header, &data, &len) == 1 &&
      strcmp(name, want) == 0 && header[0] == '\0' && len > 0) {
    *der = x_memdup(data, (size_t)len);
    *derlen = len;
    r = 0;
  }
  if (data)
    OPENSSL_clear_free(data, (size_t)(len > 0 ? len : 0));
  OPENSSL_free(name);
  OPENSSL_free(header);
  BIO_free(bio);
  return r;
}

/* Write der as a PEM object named name into a new NUL-terminated string. */
static int
pem_write(const char *name, const uint8_t *der, size_t derlen, char **out, size_t *outlen)
{
  BIO *bio = BIO_new(BIO_s_mem());
  BUF_MEM *mem = NULL;
  int r = -1;
  if (bio && PEM_write_bio(bio, name, "", der, (long)derlen) > 0 &&
      BIO_get_mem_ptr(bio, &mem) == 1 && mem) {
    *out = x_malloc(mem->length + 1);
    memcpy(*out, mem->data, mem->length);
    (*out)[mem->length] = '\0';
    *outlen = mem->length;
    OPENSSL_cleanse(mem->data, mem->length);
    r = 0;
  }
  BIO_free(bio);
  return r;
}

crypto_rsa_t *
crypto_rsa_from_public_pem(const char *s, size_t n)
{
  uint8_t *der = NULL;
  long len = 0;
  if (pem_read(s, n, "RSA PUBLIC KEY", &der, &len) < 0)
    return NULL;
  crypto_rsa_t *k = crypto_rsa_from_public_der(der, (size_t)len);
  x_free(der);
  return k;
}

int
crypto_rsa_public_pem(const crypto_rsa_t *k, char **out, size_t *outlen)
{
  uint8_t *der = NULL;
  size_t len = 0;
  if (crypto_rsa_public_der(k, &der, &len) < 0)
    return -1;
  int r = pem_write("RSA PUBLIC KEY", der, len, out, outlen);
  x_free(der);
  return r;
}

crypto_rsa_t *
crypto_rsa_from_private_pem(const char *s, size_t n)
{
  uint8_t *der = NULL;
  long len = 0;
  if (pem_read(s, n, "RSA PRIVATE KEY", &der, &len) < 0)
    return NULL;
  crypto_rsa_t *k = crypto_rsa_from_private_der(der, (size_t)len);
  x_memwipe(der, (size_t)len);
  x_free(der);
  return k;
}

int
crypto_rsa_private_pem(const crypto_rsa_t *k, char **out, size_t *outlen)
{
  uint8_t *der = NULL;
  size_t len = 0;
  if (crypto_rsa_private_der(k, &der, &len) < 0)
    return -1;
  int r = pem_write("RSA PRIVATE KEY", der, len, out, outlen);
  x_memwipe(der, len);
  x_free(der);
  return r;
}

int
crypto_rsa_bits(const crypto_rsa_t *k)
{
  return EVP_PKEY_get_bits(k->pkey);
}

int
crypto_rsa_is_private(const crypto_rsa_t *k)
{
  return k->is_private;
}

int
crypto_rsa_fingerprint(const crypto_rsa_t *k, uint8_t out[DIGEST_LEN])
{
  uint8_t *der = NULL;
  size_t len = 0;
  if (crypto_rsa_public_der(k, &der, &len) < 0)
    return -1;
  crypto_sha1(der, len, out);
  x_free(der);
  return 0;
}

int
crypto_rsa_public_eq(const crypto_rsa_t *a, const crypto_rsa_t *b)
{
  return EVP_PKEY_eq(a->pkey, b->pkey) == 1;
}

/* A PKEY context for raw PKCS#1 v1.5 operations (no message digest). */
static EVP_PKEY_CTX *
raw_ctx(const crypto_rsa_t *k, int for_sign)
{
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
  int ok = ctx && (for_sign ? EVP_PKEY_sign_init(ctx) : EVP_PKEY_verify_recover_init(ctx)) == 1 &&
           EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1;
  if (!ok) {
    EVP_PKEY_CTX_free(ctx);
    return NULL;
  }
  return ctx;
}

int
crypto_rsa_sign_raw(const crypto_rsa_t *k, const uint8_t *m, size_t n, uint8_t *sig,
                    size_t *siglen)
{
  size_t modlen = (size_t)EVP_PKEY_get_size(k->pkey);
  if (!k->is_private || !sig || !siglen || *siglen < modlen || n + 11 > modlen)
    return -1;
  EVP_PKEY_CTX *ctx = raw_ctx(k, 1);
  size_t len = *siglen;
  int r = (ctx && EVP_PKEY_sign(ctx, sig, &len, m, n) == 1 && len == modlen) ? 0 : -1;
  EVP_PKEY_CTX_free(ctx);
  if (r == 0)
    *siglen = len;
  return r;
}

int
crypto_rsa_verify_raw(const crypto_rsa_t *k, const uint8_t *m, size_t n, const uint8_t *sig,
                      size_t siglen)
{
  size_t modlen = (size_t)EVP_PKEY_get_size(k->pkey);
  if (!sig || siglen != modlen || n + 11 > modlen)
    return -1;
  uint8_t *buf = x_malloc(modlen);
  size_t len = modlen;
  EVP_PKEY_CTX *ctx = raw_ctx(k, 0);
  int r = -1;
  if (ctx && EVP_PKEY_verify_recover(ctx, buf, &len, sig, siglen) == 1 && len == n &&
      crypto_ct_memeq(buf, m, n))
    r = 0;
  EVP_PKEY_CTX_free(ctx);
  x_free(buf);
  return r;
}

int
crypto_rsa_sign_sha256(const crypto_rsa_t *k, const uint8_t *m, size_t n, uint8_t *sig,
                       size_t *siglen)
{
  static const uint8_t empty = 0;
  size_t modlen = (size_t)EVP_PKEY_get_size(k->pkey);
  if (!k->is_private || !sig || !siglen || *siglen < modlen)
    return -1;
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX *pctx = NULL;
  size_t len = *siglen;
  int r = -1;
  if (ctx && EVP_DigestSignInit_ex(ctx, &pctx, "SHA256", NULL, NULL, k->pkey, NULL) == 1 &&
      EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1 &&
      EVP_DigestSign(ctx, sig, &len, n ? m : &empty, n) == 1)
    r = 0;
  EVP_MD_CTX_free(ctx);
  if (r == 0)
    *siglen = len;
  return r;
}

int
crypto_rsa_verify_sha256(const crypto_rsa_t *k, const uint8_t *m, size_t n, const uint8_t *sig,
                         size_t siglen)
{
  static const uint8_t empty = 0;
  if (!sig || siglen != (size_t)EVP_PKEY_get_size(k->pkey))
    return -1;
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX *pctx = NULL;
  int r = -1;
  if (ctx && EVP_DigestVerifyInit_ex(ctx, &pctx, "SHA256", NULL, NULL, k->pkey, NULL) == 1 &&
      EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1 &&
      EVP_DigestVerify(ctx, sig, siglen, n ? m : &empty, n) == 1)
    r = 0;
  EVP_MD_CTX_free(ctx);
  return r;
}

crypto_rsa_t *
crypto_rsa_dup(const crypto_rsa_t *k)
{
  if (EVP_PKEY_up_ref(k->pkey) != 1)
    return NULL;
  return rsa_wrap(k->pkey, k->is_private);
}

void
crypto_rsa_free(crypto_rsa_t *k)
{
  if (!k)
    return;
  /* OpenSSL clears the key's bignums when the last reference goes. */
  EVP_PKEY_free(k->pkey);
  x_memwipe(k, sizeof(*k));
  x_free(k);
}

struct evp_pkey_st *
crypto_rsa_get_evp_pkey(const crypto_rsa_t *k)
{
  return k->pkey;
}

crypto_rsa_t *
crypto_rsa_new_from_evp_pkey(struct evp_pkey_st *pkey)
{
  if (rsa_check_pkey(pkey) < 0 || EVP_PKEY_up_ref(pkey) != 1)
    return NULL;
  BIGNUM *d = NULL;
  int is_private = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_D, &d) == 1 && d;
  BN_clear_free(d);
  return rsa_wrap(pkey, is_private);
}
