/* x509.c — X.509 certificates over OpenSSL 3 (parse, check, create). */
#include "lib/crypto/x509.h"

#include <limits.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "lib/alloc.h"
#include "lib/crypto/rand.h"
#include "lib/log.h"

struct crypto_x509_t {
  X509 *x;
  uint8_t *der;
  size_t derlen;
};

/* Wrap x (taking ownership of one reference) and cache its DER. */
static crypto_x509_t *
x509_wrap(X509 *x, const uint8_t *der, size_t derlen)
{
  crypto_x509_t *c = x_calloc(1, sizeof(*c));
  c->x = x;
  if (der) {
    c->der = x_memdup(der, derlen);
    c->derlen = derlen;
  } else {
    unsigned char *buf = NULL;
    int len = i2d_X509(x, &buf);
    if (len <= 0) {
      OPENSSL_free(buf);
      crypto_x509_free(c);
      return NULL;
    }
    c->der = x_memdup(buf, (size_t)len);
    c->derlen = (size_t)len;
    OPENSSL_free(buf);
  }
  return c;
}

crypto_x509_t *
crypto_x509_from_der(const uint8_t *der, size_t n)
{
  if (!der || n == 0 || n > CRYPTO_X509_MAX_DER)
    return NULL;
  const unsigned char *p = der;
  X509 *x = d2i_X509(NULL, &p, (long)n);
  if (!x || p != der + n) {
    X509_free(x);
    return NULL;
  }
  return x509_wrap(x, der, n);
}

const uint8_t *
crypto_x509_der(const crypto_x509_t *c, size_t *n)
{
  *n = c->derlen;
  return c->der;
}

int
crypto_x509_digest_sha256(const crypto_x509_t *c, uint8_t out[DIGEST256_LEN])
{
  crypto_sha256(c->der, c->derlen, out);
  return 0;
}

crypto_rsa_t *
crypto_x509_get_rsa(const crypto_x509_t *c)
{
  EVP_PKEY *pk = X509_get_pubkey(c->x);
  crypto_rsa_t *k = pk ? crypto_rsa_new_from_evp_pkey(pk) : NULL;
  EVP_PKEY_free(pk);
  if (k && crypto_rsa_is_private(k)) {
    /* OpenSSL may hand back a cached private key: keep the public part. */
    uint8_t *der = NULL;
    size_t len = 0;
    crypto_rsa_t *pub = crypto_rsa_public_der(k, &der, &len) == 0
                        ? crypto_rsa_from_public_der(der, len) : NULL;
    x_free(der);
    crypto_rsa_free(k);
    k = pub;
  }
  return k;
}

int
crypto_x509_check_signed_by(const crypto_x509_t *c, const crypto_rsa_t *signer)
{
  if (!signer)
    return -1;
  return X509_verify(c->x, crypto_rsa_get_evp_pkey(signer)) == 1 ? 0 : -1;
}

int
crypto_x509_check_valid_at(const crypto_x509_t *c, time_t now, int past_slop, int future_slop)
{
  if (past_slop < 0 || future_slop < 0)
    return -1;
  time_t latest_start = now + future_slop;  /* notBefore must be <= this */
  time_t earliest_end = now - past_slop;    /* notAfter must be >= this */
  /* X509_cmp_time: -1 if the cert time <= the given time, 1 if later, 0 on error. */
  if (X509_cmp_time(X509_get0_notBefore(c->x), &latest_start) != -1)
    return -1;
  if (X509_cmp_time(X509_get0_notAfter(c->x), &earliest_end) != 1)
    return -1;
  return 0;
}

/* Set name to a single CN entry. */
static int
set_cn(X509_NAME *name, const char *cn)
{
  return X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn,
                                    -1, -1, 0) == 1 ? 0 : -1;
}

crypto_x509_t *
crypto_x509_create(const crypto_rsa_t *subject_key, const crypto_rsa_t *issuer_key,
                   const char *subject_cn, const char *issuer_cn, time_t not_before,
                   time_t not_after)
{
  if (!subject_key || !issuer_key || !crypto_rsa_is_private(issuer_key) || !subject_cn ||
      !issuer_cn || not_after < not_before)
    return NULL;
  X509 *x = X509_new();
  X509_NAME *subj = X509_NAME_new(), *iss = X509_NAME_new();
  BIGNUM *serial = BN_new();
  uint8_t rnd[8];
  crypto_rand(rnd, sizeof(rnd));
  rnd[0] &= 0x7f;
  rnd[0] |= 0x01; /* positive and nonzero */
  int ok = x && subj && iss && serial && X509_set_version(x, 2) == 1 &&
           BN_bin2bn(rnd, sizeof(rnd), serial) &&
           BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) &&
           set_cn(subj, subject_cn) == 0 && set_cn(iss, issuer_cn) == 0 &&
           X509_set_subject_name(x, subj) == 1 && X509_set_issuer_name(x, iss) == 1 &&
           ASN1_TIME_set(X509_getm_notBefore(x), not_before) &&
           ASN1_TIME_set(X509_getm_notAfter(x), not_after) &&
           X509_set_pubkey(x, crypto_rsa_get_evp_pkey(subject_key)) == 1 &&
           X509_sign(x, crypto_rsa_get_evp_pkey(issuer_key), EVP_sha256()) > 0;
  BN_free(serial);
  X509_NAME_free(subj);
  X509_NAME_free(iss);
  if (!ok) {
    log_warn(LD_CRYPTO, "creating an X.509 certificate failed");
    X509_free(x);
    return NULL;
  }
  /* Re-parse from DER: OpenSSL caches the EVP_PKEY given to
   * X509_set_pubkey (possibly a private key); the result must hold only
   * what the certificate says. */
  unsigned char *der = NULL;
  int len = i2d_X509(x, &der);
  X509_free(x);
  crypto_x509_t *c = len > 0 ? crypto_x509_from_der(der, (size_t)len) : NULL;
  OPENSSL_free(der);
  return c;
}

crypto_x509_t *
crypto_x509_new_from_openssl(struct x509_st *x)
{
  if (!x || X509_up_ref(x) != 1)
    return NULL;
  return x509_wrap(x, NULL, 0);
}

struct x509_st *
crypto_x509_get_openssl(const crypto_x509_t *c)
{
  return c->x;
}

crypto_x509_t *
crypto_x509_dup(const crypto_x509_t *c)
{
  if (X509_up_ref(c->x) != 1)
    return NULL;
  return x509_wrap(c->x, c->der, c->derlen);
}

void
crypto_x509_free(crypto_x509_t *c)
{
  if (!c)
    return;
  X509_free(c->x);
  x_free(c->der);
  x_free(c);
}
